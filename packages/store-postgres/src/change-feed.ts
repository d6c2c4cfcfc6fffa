/**
 * The change feed: wake-ups for commits any instance made, never the data itself. The truth is
 * each agent's chain head (`audit_heads.seq`); a watcher is told when it moved, and reads the
 * trail by its own cursor.
 *
 * - `listen` (default): after its commits, an instance sends one payload-free `NOTIFY` (bursts
 *   are coalesced); each instance `LISTEN`s on a client of its own and, on a notification, reads
 *   the heads of the agents it watches in one query. When that client dies (a restart of the
 *   server, `pg_terminate_backend`, a network cut) it reconnects with backoff and reads every
 *   watched head again: nothing committed meanwhile is missed. A slow poll runs besides, in case a
 *   notification is lost some other way.
 * - `poll`: no `LISTEN`/`NOTIFY` at all (PgBouncer in transaction pooling mode cannot carry them):
 *   the heads are read every `pollMs`.
 *
 * @module
 */
import type { StoreChangeFeed } from '@berth/core';
import type { PoolClient } from 'pg';
import { quoteIdent, type StoreContext } from './context.js';

/** How an instance hears about other instances' commits. */
export type ChangeFeedMode = 'listen' | 'poll';

/** Options of the change feed. */
export interface ChangeFeedOptions {
  /** `listen` (LISTEN/NOTIFY wake-ups plus a slow poll) or `poll` only. @default 'listen' */
  readonly mode?: ChangeFeedMode;
  /** How often watched heads are read without a wake-up. @default 2000 in `listen` mode, 250 in `poll` mode */
  readonly pollMs?: number;
}

/** The feed as the store uses it. */
export interface ChangeFeed extends StoreChangeFeed {
  readonly mode: ChangeFeedMode;
  /** Tell other instances (coalesced): this instance appended to some trail. */
  notify(): void;
  /** Stop listening and polling. */
  close(): Promise<void>;
}

interface Watcher {
  /** The head last seen; null until the first read. */
  seq: number | null;
  readonly listeners: Set<() => void>;
}

const MAX_BACKOFF_MS = 5_000;

/** Create the change feed of a store. */
export function createChangeFeed(ctx: StoreContext, options: ChangeFeedOptions = {}): ChangeFeed {
  const mode = options.mode ?? 'listen';
  const pollMs = options.pollMs ?? (mode === 'listen' ? 2_000 : 250);
  const channel = `berth_changes_${ctx.schemaName}`.toLowerCase();
  const heads = `SELECT agent_id, seq FROM ${ctx.schema}.audit_heads WHERE agent_id = ANY($1)`;
  const watchers = new Map<string, Watcher>();
  let closed = false;
  let poll: ReturnType<typeof setInterval> | null = null;
  let listener: PoolClient | null = null;
  let connecting = false;
  let backoff = 100;
  let notifyScheduled = false;

  // --- reading heads: one read at a time; a request during a read makes one more after it ---
  let reading = false;
  let again = false;
  const check = (): void => {
    if (closed || watchers.size === 0) return;
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    again = false;
    void readHeads().finally(() => {
      reading = false;
      if (again) check();
    });
  };
  const readHeads = async () => {
    const ids = [...watchers.keys()];
    let rows: { agent_id: string; seq: number }[];
    try {
      rows = (await ctx.pool.query<{ agent_id: string; seq: number }>(heads, [ids])).rows;
    } catch {
      return; // the next wake-up or poll tries again
    }
    const seen = new Map(rows.map((r) => [r.agent_id, r.seq]));
    for (const id of ids) {
      const w = watchers.get(id);
      if (!w) continue;
      const seq = seen.get(id) ?? 0;
      // A watcher's first read always wakes it: it may have started reading before a commit.
      if (w.seq !== null && seq === w.seq) continue;
      w.seq = seq;
      for (const l of [...w.listeners]) l();
    }
  };

  // --- LISTEN on a client of our own, reconnected after it dies ---
  const connect = async () => {
    if (closed || mode !== 'listen' || listener || connecting) return;
    connecting = true;
    try {
      const client = await ctx.pool.connect();
      client.on('notification', (msg) => {
        if (msg.channel === channel) check();
      });
      client.on('error', () => drop(client));
      client.on('end', () => drop(client));
      await client.query(`LISTEN ${quoteIdent(channel)}`);
      if (closed) {
        client.release();
        return;
      }
      listener = client;
      backoff = 100;
      // Catch up: whatever was committed while we were not listening.
      for (const w of watchers.values()) w.seq = w.seq === null ? null : -1;
      check();
    } catch {
      retry();
    } finally {
      connecting = false;
    }
  };
  const drop = (client: PoolClient) => {
    if (listener !== client) return;
    listener = null;
    client.release(new Error('listener connection lost'));
    retry();
  };
  const retry = () => {
    if (closed) return;
    const wait = backoff;
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    setTimeout(() => void connect(), wait).unref?.();
  };

  const startTimers = () => {
    if (poll || closed) return;
    poll = setInterval(check, pollMs);
    poll.unref?.();
    void connect();
  };
  const stopTimers = () => {
    if (poll) clearInterval(poll);
    poll = null;
  };

  return {
    mode,
    watch(agentId, fn) {
      let w = watchers.get(agentId);
      if (!w) {
        w = { seq: null, listeners: new Set() };
        watchers.set(agentId, w);
      }
      w.listeners.add(fn);
      startTimers();
      check();
      return () => {
        const current = watchers.get(agentId);
        if (!current) return;
        current.listeners.delete(fn);
        if (current.listeners.size === 0) watchers.delete(agentId);
        if (watchers.size === 0) stopTimers();
      };
    },
    notify() {
      if (mode !== 'listen' || closed || notifyScheduled) return;
      notifyScheduled = true;
      setImmediate(() => {
        notifyScheduled = false;
        if (closed) return;
        ctx.pool.query('SELECT pg_notify($1, NULL)', [channel]).catch(() => undefined);
      });
    },
    async close() {
      closed = true;
      stopTimers();
      watchers.clear();
      const client = listener;
      listener = null;
      client?.release(true);
    },
  };
}
