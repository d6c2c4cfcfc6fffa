/**
 * The status stream of one agent (`GET /agents/:id/events`), as Server-Sent Events chunks.
 *
 * - Each transition that changes the status is one `event: status` whose `id:` is the
 *   agent's version after it and whose data is `{status, from, action, at, version}`.
 * - A fresh connection first gets one `event: snapshot` (`{status, version, at}`, `id:` the
 *   current version), so a client always holds a cursor to resume from.
 * - A reconnect with `Last-Event-ID: <version>` replays, from the audit trail, the status
 *   transitions after that version (entries whose `metadata.version` is greater); when the
 *   trail cannot tell versions apart it sends a `snapshot` of where the agent is now instead.
 * - A `: keepalive` comment every `heartbeatMs` keeps proxies from closing an idle stream.
 *
 * Live events that arrive while the replay runs are held back and sent after it, without
 * duplicates (nothing at or below the last sent version is sent twice).
 *
 * Over a shared store (one with a change feed, such as PostgreSQL's), the stream follows the
 * agent's audit trail by cursor instead (`manager.follow`): transitions any instance commits
 * reach it in order with no gaps, and a `Last-Event-ID` resumes on any instance.
 *
 * @module
 */
import type { AgentView, AuditEntry, LifecycleManager, TransitionEvent } from '../index.js';
import { toIso } from './serialize.js';

/** The response headers of an event stream. */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
});

/** What {@link statusEvents} needs. */
export interface StatusStreamInput {
  readonly manager: LifecycleManager;
  readonly agentId: string;
  readonly owner: string | undefined;
  /** The version the client saw last (`Last-Event-ID`), if it is resuming. */
  readonly lastEventId: number | undefined;
  readonly heartbeatMs: number;
  /** Ends the stream (the client went away). */
  readonly signal: AbortSignal;
}

/** The agent version an audit entry brought the agent to: a `version` field, or `metadata.version`. */
function versionOf(entry: AuditEntry): number | undefined {
  const v = (entry as { version?: unknown }).version ?? entry.metadata?.version;
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

const isStatusChange = (entry: AuditEntry): boolean =>
  !entry.denied && entry.to !== null && entry.from !== entry.to;

/**
 * The stream's chunks, until the signal aborts (or the agent vanishes). Listening starts
 * when iteration starts, and stops when it ends.
 */
export async function* statusEvents(input: StatusStreamInput): AsyncGenerator<string, void, undefined> {
  const { manager, agentId, owner, signal } = input;
  const queue: string[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const write = (chunk: string) => {
    if (ended) return;
    queue.push(chunk);
    wake?.();
  };
  const end = () => {
    ended = true;
    wake?.();
  };

  let lastSent = input.lastEventId ?? -1;
  let replaying = true;
  const held: TransitionEvent[] = [];
  const send = (event: 'status' | 'snapshot', version: number, data: unknown) => {
    if (version <= lastSent) return;
    lastSent = version;
    write(`event: ${event}\nid: ${version}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const sendTransition = (e: TransitionEvent) =>
    send('status', e.version, {
      status: e.to,
      from: e.from,
      action: e.action,
      at: toIso(e.at),
      version: e.version,
    });
  const sendSnapshot = (agent: AgentView) =>
    send('snapshot', agent.version, { status: agent.status, version: agent.version, at: agent.updatedAt });

  const onTransition = (e: TransitionEvent) => {
    if (e.agentId !== agentId || e.from === e.to) return;
    if (replaying) held.push(e);
    else sendTransition(e);
  };
  // Following a shared store's trail: entries by cursor, held back while the snapshot is taken.
  const followed: AuditEntry[] = [];
  const sendEntry = (e: AuditEntry) => {
    const version = versionOf(e);
    if (version === undefined || !isStatusChange(e)) return;
    send('status', version, { status: e.to, from: e.from, action: e.action, at: toIso(e.at), version });
  };
  const onEntry = (e: AuditEntry) => {
    if (replaying) followed.push(e);
    else sendEntry(e);
  };
  const following: { stop: (() => void) | null } = { stop: null };
  manager.events.on('transition', onTransition);
  const keepalive = setInterval(() => write(': keepalive\n\n'), input.heartbeatMs);
  keepalive.unref?.();
  signal.addEventListener('abort', end, { once: true });

  const replay = async () => {
    try {
      // A resumed stream re-reads the trail from its start (only versions after Last-Event-ID are sent).
      const afterSeq = input.lastEventId === undefined ? undefined : 0;
      const unfollow = await manager.follow(agentId, onEntry, {
        owner,
        ...(afterSeq === undefined ? {} : { afterSeq }),
      });
      following.stop = unfollow;
      if (ended) unfollow?.();
      if (unfollow) manager.events.off('transition', onTransition);
      const current = await manager.get(agentId, { owner });
      if (input.lastEventId === undefined) {
        sendSnapshot(current);
      } else if (unfollow) {
        // The follower replays the trail.
      } else if (current.version > input.lastEventId) {
        const entries = (await manager.audit(agentId, { owner })).filter(isStatusChange);
        if (entries.every((e) => versionOf(e) !== undefined)) {
          for (const e of entries) {
            const version = versionOf(e)!;
            if (version > input.lastEventId)
              send('status', version, {
                status: e.to,
                from: e.from,
                action: e.action,
                at: toIso(e.at),
                version,
              });
          }
        } else {
          sendSnapshot(current);
        }
      }
    } catch {
      // The agent vanished (purged) between the route's check and now: end the stream.
      end();
      return;
    } finally {
      replaying = false;
    }
    for (const e of held) sendTransition(e);
    held.length = 0;
    for (const e of followed) sendEntry(e);
    followed.length = 0;
  };

  try {
    write('retry: 3000\n\n');
    if (signal.aborted) end();
    else void replay();
    while (true) {
      while (queue.length > 0) yield queue.shift()!;
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    ended = true;
    clearInterval(keepalive);
    manager.events.off('transition', onTransition);
    following.stop?.();
    signal.removeEventListener('abort', end);
  }
}
