/**
 * Fencing: an instance that stalls (it believes it still holds its lease, but stops renewing it)
 * loses its operation to another instance, which bumps the fencing epoch and finishes it. When
 * the stalled attempt's driver call returns at last, its outcome writes nothing.
 */
import { createLifecycleManager, type LifecycleManager, type OperationEvent } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import { afterEach, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { freshSchema, pgDescribe } from './support/pg-env.js';

const { describePg, url } = await pgDescribe();
const LEASE_MS = 300;

const opened: { manager: LifecycleManager; store: PostgresStore }[] = [];
afterEach(async () => {
  for (const { manager, store } of opened.splice(0)) {
    await manager.close();
    await store.close();
  }
});

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describePg('fencing a superseded attempt', () => {
  it("a stalled instance's late provision result writes nothing; the takeover's is the one outcome", async () => {
    const schema = freshSchema('fence');
    const storeA = await createPostgresStore({ connection: url, schema, leases: { leaseMs: LEASE_MS } });
    const storeB = await createPostgresStore({ connection: url, schema, leases: { leaseMs: LEASE_MS } });
    // A stalls: it never renews its lease (and never learns it lost it).
    const stalled = { ...storeA, leases: { ...storeA.leases, renew: async () => true } };
    const a = createLifecycleManager({
      store: stalled,
      driver: createMemoryDriver({ latency: { provision: 2_000 } }),
    });
    const b = createLifecycleManager({ store: storeB, driver: createMemoryDriver({ latency: 0 }) });
    opened.push({ manager: a, store: storeA }, { manager: b, store: storeB });
    const eventsA: OperationEvent[] = [];
    a.events.on('operation', (e) => eventsA.push(e));
    b.start(); // B's takeover scan runs every half lease

    const agent = await a.create({ name: 'fenced' });
    const before = (await storeA.get(agent.id))!;
    // B takes the provision over (a new epoch, the same operation id) and finishes it.
    await until(async () => ((await storeB.get(agent.id))?.status === 'running' ? true : undefined), 'B');
    const afterTakeover = await storeB.audit(agent.id);
    // A's driver call returns at last: fenced.
    await until(async () => (eventsA.some((e) => e.phase !== 'started') ? true : undefined), "A's outcome");
    expect(eventsA.map((e) => e.phase)).toEqual(['started', 'fenced']);
    const trail = await storeB.audit(agent.id);
    expect(trail).toEqual(afterTakeover); // nothing written by the late result
    const provisioned = trail.filter((e) => e.action === 'provisioned');
    expect(provisioned).toHaveLength(1);
    expect(provisioned[0]!.operationId).toBe(before.operation!.id);
    expect((await storeB.get(agent.id))!.epoch).toBeGreaterThan(before.epoch);
  });
});
