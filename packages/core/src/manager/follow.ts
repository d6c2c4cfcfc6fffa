/**
 * Following an agent's audit trail over a shared store: a cursor read of the trail, woken by the
 * store's change feed (other instances' commits) and by this manager's own audit entries. Reads
 * are serialised, so entries arrive once each, in order, with no gaps.
 *
 * @module
 */
import { AgentNotFoundError, toBerthError } from '../errors.js';
import type { FollowOptions } from '../follow-types.js';
import type { AuditEntry } from '../record.js';
import type { ManagerContext } from './context.js';

const PAGE = 500;

/** Follow `agentId`'s trail (see `ManagerFollow.follow`). */
export async function follow(
  ctx: ManagerContext,
  agentId: string,
  listener: (entry: AuditEntry) => void,
  options: FollowOptions = {},
): Promise<(() => void) | null> {
  const { store, events } = ctx;
  const feed = store.changes;
  if (!feed) return null;
  const record = await store.get(agentId);
  if (options.owner !== undefined && record !== null && record.owner !== options.owner)
    throw new AgentNotFoundError(agentId);
  let cursor = options.afterSeq;
  if (cursor === undefined) {
    if (record === null) {
      const trail = await store.audit(agentId);
      if (trail.length === 0) throw new AgentNotFoundError(agentId);
      cursor = trail.at(-1)!.seq;
    } else {
      cursor = record.auditSeq;
    }
  }
  let stopped = false;
  let reading: Promise<void> | null = null;
  let again = false;
  const read = async () => {
    for (;;) {
      const page = await store.audit(agentId, { after: cursor, limit: PAGE });
      for (const entry of page) {
        if (stopped) return;
        cursor = entry.seq;
        listener(entry);
      }
      if (page.length < PAGE) return;
    }
  };
  // One read at a time; a wake-up during a read makes one more read after it.
  const wake = (): void => {
    if (stopped) return;
    if (reading) {
      again = true;
      return;
    }
    again = false;
    reading = read()
      .catch((error: unknown) => {
        events.emit('error', toBerthError(error));
      })
      .finally(() => {
        reading = null;
        if (again) wake();
      });
  };
  const onAudit = (entry: AuditEntry) => {
    if (entry.agentId === agentId) wake();
  };
  events.on('audit', onAudit);
  const unwatch = feed.watch(agentId, wake);
  wake(); // whatever was appended between the cursor and now
  return () => {
    stopped = true;
    events.off('audit', onAudit);
    unwatch();
  };
}
