/**
 * Streams and waits from any instance: two managers, each with its own store (its own pool and
 * listener) on one schema. What one commits, the other's `follow`, `waitFor` and
 * `GET …/events` see — in order, with no gaps — through LISTEN/NOTIFY wake-ups, after its
 * listener is killed with `pg_terminate_backend`, and in poll-only mode.
 */
import type { Server } from 'node:http';
import { type AuditEntry, createLifecycleManager, type LifecycleManager } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { type ChangeFeedOptions, createPostgresStore, type PostgresStore } from '../src/index.js';
import { freshSchema, pgDescribe } from './support/pg-env.js';
import { serve as serveHttp } from './support/serve.js';

const { describePg, url } = await pgDescribe();

const opened: { manager: LifecycleManager; store: PostgresStore }[] = [];
afterEach(async () => {
  for (const { manager, store } of opened.splice(0)) {
    await manager.close();
    await store.close();
  }
});

async function instance(schema: string, changes?: ChangeFeedOptions) {
  const store = await createPostgresStore({
    connection: url,
    schema,
    poolSize: 4,
    ...(changes ? { changes } : {}),
  });
  const manager = createLifecycleManager({ store, driver: createMemoryDriver({ latency: 0 }) });
  opened.push({ manager, store });
  return { store, manager };
}

/** Resolve once `probe` holds (polled every 20 ms), or fail after `ms`. */
async function until(probe: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** stop/start `n` times on `m`, waiting for each to settle. */
async function cycle(m: LifecycleManager, id: string, n: number) {
  for (let i = 0; i < n; i++) {
    await m.dispatch(id, 'stop', { actor: 'user:a' });
    await m.waitFor(id, 'stopped', { timeout: 10_000 });
    await m.dispatch(id, 'start', { actor: 'user:a' });
    await m.waitFor(id, 'running', { timeout: 10_000 });
  }
}

const contiguousFrom = (entries: readonly AuditEntry[], first: number) =>
  entries.map((e) => e.seq).every((seq, i) => seq === first + i);

describePg('streams and waits from any instance', () => {
  it("follow on B sees every entry A commits, in order, with no gaps (NOTIFY wake-ups; B's poll off)", async () => {
    const schema = freshSchema('follow');
    const a = await instance(schema);
    const b = await instance(schema, { pollMs: 3_600_000 });
    const agent = await a.manager.create({ name: 'streamed' });
    await a.manager.waitFor(agent.id, 'running', { timeout: 10_000 });
    const head = (await a.store.get(agent.id))!.auditSeq;
    const seen: AuditEntry[] = [];
    const stop = await b.manager.follow(agent.id, (e) => seen.push(e));
    expect(stop).toBeTypeOf('function');
    await cycle(a.manager, agent.id, 3);
    const trail = await a.store.audit(agent.id, { after: head });
    await until(() => seen.length >= trail.length, 'B to see all of A’s entries');
    expect(seen).toEqual(trail);
    expect(contiguousFrom(seen, head + 1)).toBe(true);
    stop!();
  });

  it('waitFor on B resolves for a transition A commits', async () => {
    const schema = freshSchema('wait');
    const a = await instance(schema);
    const b = await instance(schema, { pollMs: 3_600_000 });
    const agent = await a.manager.create({ name: 'awaited' });
    await a.manager.waitFor(agent.id, 'running', { timeout: 10_000 });
    const stopped = b.manager.waitFor(agent.id, 'stopped', { timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 100)); // B is watching
    await a.manager.dispatch(agent.id, 'stop', { actor: 'user:a' });
    expect((await stopped).status).toBe('stopped');
  });

  it("pg_terminate_backend of B's listener: it reconnects and catches up without losing an entry", async () => {
    const schema = freshSchema('kill');
    const a = await instance(schema);
    const b = await instance(schema, { pollMs: 3_600_000 });
    const agent = await a.manager.create({ name: 'resilient' });
    await a.manager.waitFor(agent.id, 'running', { timeout: 10_000 });
    const head = (await a.store.get(agent.id))!.auditSeq;
    const seen: AuditEntry[] = [];
    const stop = await b.manager.follow(agent.id, (e) => seen.push(e));
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const channel = `berth_changes_${schema}`;
      const listeners = async () =>
        (
          await admin.query<{ pid: number }>(
            'SELECT pid FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()',
            [`LISTEN "${channel}"`],
          )
        ).rows.map((r) => r.pid);
      let pids: number[] = [];
      for (let i = 0; i < 100 && pids.length < 2; i++) {
        pids = await listeners();
        if (pids.length < 2) await new Promise((r) => setTimeout(r, 50));
      }
      expect(pids).toHaveLength(2); // A's and B's
      // Kill both listeners; A commits while B has none.
      for (const pid of pids) await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await cycle(a.manager, agent.id, 2);
      const trail = await a.store.audit(agent.id, { after: head });
      await until(() => seen.length >= trail.length, 'B to catch up after reconnecting');
      expect(seen).toEqual(trail);
      expect(contiguousFrom(seen, head + 1)).toBe(true);
      // It listens again: a later commit still arrives without polling.
      let again: number[] = [];
      for (let i = 0; i < 200 && again.length < 2; i++) {
        again = (await listeners()).filter((p) => !pids.includes(p));
        if (again.length < 2) await new Promise((r) => setTimeout(r, 50));
      }
      expect(again).toHaveLength(2);
      await a.manager.dispatch(agent.id, 'stop', { actor: 'user:a' });
      await until(() => seen.at(-1)?.to === 'stopped', 'the stop after reconnecting');
    } finally {
      stop!();
      await admin.end();
    }
  });

  it('poll-only mode (PgBouncer): no LISTEN, and B still sees every entry', async () => {
    const schema = freshSchema('poll');
    const a = await instance(schema, { mode: 'poll' });
    const b = await instance(schema, { mode: 'poll', pollMs: 50 });
    expect(b.store.changes.mode).toBe('poll');
    const agent = await a.manager.create({ name: 'polled' });
    await a.manager.waitFor(agent.id, 'running', { timeout: 10_000 });
    const head = (await a.store.get(agent.id))!.auditSeq;
    const seen: AuditEntry[] = [];
    const stop = await b.manager.follow(agent.id, (e) => seen.push(e));
    await cycle(a.manager, agent.id, 2);
    const trail = await a.store.audit(agent.id, { after: head });
    await until(() => seen.length >= trail.length, 'B to poll every entry');
    expect(seen).toEqual(trail);
    const { rows } = await a.store.pool.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND query LIKE $1",
      [`%${schema}%`],
    );
    expect(rows[0].n).toBe(0);
    stop!();
  });

  it('GET /events on B streams what A commits; Last-Event-ID resumes on A', async () => {
    const schema = freshSchema('sse');
    const a = await instance(schema);
    const b = await instance(schema, { pollMs: 3_600_000 });
    const servers: Server[] = [];
    const serve = async (m: LifecycleManager) => {
      const { base, server } = await serveHttp(m);
      servers.push(server);
      return base;
    };
    try {
      const [urlA, urlB] = [await serve(a.manager), await serve(b.manager)];
      const agent = await a.manager.create({ name: 'sse' });
      await a.manager.waitFor(agent.id, 'running', { timeout: 10_000 });
      const read = async (base: string, lastEventId: string | undefined, want: number) => {
        const controller = new AbortController();
        const res = await fetch(`${base}/agents/${agent.id}/events`, {
          headers: lastEventId ? { 'last-event-id': lastEventId } : {},
          signal: controller.signal,
        });
        expect(res.status).toBe(200);
        const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
        const events: { event: string; id: number; status: string }[] = [];
        let buffer = '';
        let first!: () => void;
        const onFirst = new Promise<void>((resolve) => {
          first = resolve;
        });
        const done = (async () => {
          while (events.length < want) {
            const { value, done: ended } = await reader.read();
            if (ended) break;
            buffer += value;
            for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
              const block = buffer.slice(0, cut);
              buffer = buffer.slice(cut + 2);
              const event = /^event: (.*)$/m.exec(block)?.[1];
              const id = /^id: (.*)$/m.exec(block)?.[1];
              const data = /^data: (.*)$/m.exec(block)?.[1];
              if (!event || !id || !data) continue;
              events.push({ event, id: Number(id), status: (JSON.parse(data) as { status: string }).status });
              first();
            }
          }
          controller.abort();
          return events;
        })();
        return { done, first: onFirst };
      };
      // B: the snapshot, then A's stop and start, each step.
      const live = await read(urlB, undefined, 5);
      await live.first;
      await a.manager.dispatch(agent.id, 'stop', { actor: 'user:a' });
      await a.manager.waitFor(agent.id, 'stopped', { timeout: 10_000 });
      await a.manager.dispatch(agent.id, 'start', { actor: 'user:a' });
      const got = await live.done;
      expect(got.map((e) => [e.event, e.status])).toEqual([
        ['snapshot', 'running'],
        ['status', 'stopping'],
        ['status', 'stopped'],
        ['status', 'starting'],
        ['status', 'running'],
      ]);
      expect(got.map((e) => e.id)).toEqual([...got.map((e) => e.id)].sort((x, y) => x - y));
      // Resume on A from the stop's id: what followed it, nothing before.
      const resumed = await read(urlA, String(got[2]!.id), 2);
      const after = await resumed.done;
      expect(after.map((e) => [e.event, e.status])).toEqual([
        ['status', 'starting'],
        ['status', 'running'],
      ]);
      expect(after.map((e) => e.id)).toEqual([got[3]!.id, got[4]!.id]);
    } finally {
      for (const s of servers) s.closeAllConnections();
      for (const s of servers) await new Promise((r) => s.close(r));
    }
  });
});
