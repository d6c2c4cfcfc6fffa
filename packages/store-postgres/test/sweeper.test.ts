/**
 * A sweeper N instances share: due records claimed with `FOR UPDATE SKIP LOCKED` (each to one
 * instance, until its next commit), process-wide jobs under a lease row with a generation, and
 * two managers sweeping one database without double work (no refusals from a second sweep).
 */
import { createLifecycleManager, type LifecycleManager, ManualClock } from '@berth/core';
// The store kit's record builders (not exported: the kit's own fixtures).
import { insertOf, newRecord, nextOf, T0 } from '../../core/src/testing/store-kit/fixtures.js';
import { createMemoryDriver } from '@berth/driver-memory';
import { afterEach, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { freshSchema, pgDescribe } from './support/pg-env.js';

const { describePg, url } = await pgDescribe();

const stores: PostgresStore[] = [];
const managers: LifecycleManager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.close();
  for (const s of stores.splice(0)) await s.close();
});
const open = async (schema: string, leases: { leaseMs?: number; clock?: () => number } = {}) => {
  const s = await createPostgresStore({ connection: url, schema, poolSize: 4, leases });
  stores.push(s);
  return s;
};

describePg('a sweeper several instances share', () => {
  it('claimDue: concurrent claims split the due records, each to one instance, until its next commit', async () => {
    const schema = freshSchema('due');
    const [a, b] = [await open(schema), await open(schema)];
    const made = [];
    for (let i = 0; i < 40; i++) {
      const c = insertOf(newRecord({ dueAt: T0 + i }));
      await a.commit(c);
      made.push(c.record);
    }
    const [x, y] = await Promise.all([a.leases.claimDue(T0 + 100, 25), b.leases.claimDue(T0 + 100, 25)]);
    const ids = [...x, ...y].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length); // nothing twice
    expect(ids.length).toBe(40); // 25 + 15: nothing left out
    expect(x.map((r) => r.dueAt)).toEqual([...x.map((r) => r.dueAt)].sort((p, q) => p! - q!));
    expect(await a.leases.claimDue(T0 + 100, 100)).toEqual([]); // all claimed
    // A commit ends the claim: the record is due (and claimable) again.
    await a.commit(nextOf(made[0]!, { dueAt: T0 + 50 }));
    expect((await b.leases.claimDue(T0 + 100, 100)).map((r) => r.id)).toEqual([made[0]!.id]);
  });

  it('holdJob: one holder at a time; after its lease runs out another takes it with a new generation', async () => {
    let now = 1_000_000;
    const clock = () => now;
    const schema = freshSchema('job');
    const [a, b] = [
      await open(schema, { leaseMs: 1_000, clock }),
      await open(schema, { leaseMs: 1_000, clock }),
    ];
    const g = await a.leases.holdJob('sweeper');
    expect(g).toBe(1);
    expect(await b.leases.holdJob('sweeper')).toBeNull();
    now += 500;
    expect(await a.leases.holdJob('sweeper')).toBe(1); // renewed
    now += 999;
    expect(await b.leases.holdJob('sweeper')).toBeNull(); // still a's (renewed at +500)
    now += 2;
    expect(await b.leases.holdJob('sweeper')).toBe(2); // a's ran out: b, next generation
    expect(await a.leases.holdJob('sweeper')).toBeNull();
    expect(await b.leases.holdJob('other-job')).toBe(1); // jobs are separate
  });

  it('two managers sweeping one database: each stale heartbeat handled once, no refusal from a second sweep', async () => {
    const schema = freshSchema('sweep');
    const clocks = [new ManualClock(), new ManualClock()];
    const policies = { heartbeatTimeoutMs: 60_000 };
    const [sa, sb] = [await open(schema), await open(schema)];
    const [a, b] = [
      createLifecycleManager({
        store: sa,
        clock: clocks[0],
        policies,
        driver: createMemoryDriver({ latency: 0 }),
      }),
      createLifecycleManager({
        store: sb,
        clock: clocks[1],
        policies,
        driver: createMemoryDriver({ latency: 0 }),
      }),
    ];
    managers.push(a, b);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const agent = await a.create({ name: `hb-${i}` });
      await a.settle();
      await a.heartbeat(agent.id);
      ids.push(agent.id);
    }
    a.start();
    b.start();
    // Both clocks pass the staleness at once: both sweepers wake together.
    await Promise.all(clocks.map((c) => c.advance(61_000)));
    for (let i = 0; i < 100; i++) {
      await Promise.all([a.settle(), b.settle()]);
      const statuses = await Promise.all(ids.map(async (id) => (await sa.get(id))!.status));
      if (statuses.every((s) => s === 'degraded')) break;
      await Promise.all(clocks.map((c) => c.advance(1_000)));
    }
    for (const id of ids) {
      const trail = await sa.audit(id);
      expect(trail.filter((e) => e.action === 'heartbeat_stale' && !e.denied)).toHaveLength(1);
      expect(trail.filter((e) => e.denied)).toEqual([]);
      expect((await sa.get(id))!.status).toBe('degraded');
    }
  });
});
