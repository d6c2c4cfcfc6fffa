/**
 * The background sweeper (`start()`) sleeps until the store's next due time instead of waking
 * every simulated second, is woken earlier by the manager's own commits, and purges expired
 * registration tokens and idempotency records. Sweeps are counted on the real memory store.
 */
import { createLifecycleManager, createMemoryStore, type LifecycleStore, ManualClock } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import { describe, expect, it } from 'vitest';

const DAY = 24 * 60 * 60 * 1000;

/** The real memory store, counting sweeps (`due` calls) and expiry purges. */
function countingStore() {
  const store = createMemoryStore();
  const counts = { due: 0, purgeExpired: 0, purged: { registrationTokens: 0, idempotency: 0 } };
  const due = store.due.bind(store);
  const purge = store.purgeExpired.bind(store);
  store.due = (now, limit) => {
    counts.due++;
    return due(now, limit);
  };
  store.purgeExpired = async (now) => {
    counts.purgeExpired++;
    const result = await purge(now);
    counts.purged.registrationTokens += result.registrationTokens;
    counts.purged.idempotency += result.idempotency;
    return result;
  };
  return { store: store as LifecycleStore, counts };
}

describe('the sweeper wakes when something is due', () => {
  it('runs a few sweeps, not ~600,000, while a ManualClock advances through the 7-day grace', async () => {
    const clock = new ManualClock();
    const { store, counts } = countingStore();
    const manager = createLifecycleManager({
      store,
      clock,
      driver: createMemoryDriver({ clock, latency: 0 }),
    });
    manager.start();
    const a = await manager.create({ name: 'short-lived' });
    await clock.advance(10);
    await manager.settle();
    expect((await manager.get(a.id)).status).toBe('running');
    await manager.dispatch(a.id, 'destroy', { confirm: 'short-lived' });
    await clock.advance(10);
    await manager.settle();
    expect((await manager.get(a.id)).status).toBe('deleted');
    const before = counts.due;
    await clock.advance(7 * DAY + 1_000);
    await manager.settle();
    const sweeps = counts.due - before;
    console.log(`sweeps over 7 days: ${sweeps}`);
    expect(sweeps).toBeGreaterThan(0);
    expect(sweeps).toBeLessThanOrEqual(20);
    // And the purge at the end of the grace period did happen.
    await expect(manager.get(a.id)).rejects.toMatchObject({ code: 'AGENT_NOT_FOUND' });
    await manager.close();
    expect(clock.pending).toBe(0);
  });

  it('is woken early by a commit that makes something due sooner (a heartbeat going stale)', async () => {
    const clock = new ManualClock();
    const { store, counts } = countingStore();
    const manager = createLifecycleManager({ store, clock });
    manager.start();
    await clock.advance(1);
    const idle = counts.due;
    // Nothing due: an hour passes in a handful of sweeps.
    await clock.advance(60 * 60 * 1000);
    expect(counts.due - idle).toBeLessThanOrEqual(2);
    const { token } = await manager.createRegistrationToken();
    const { agentId } = await manager.register({ registrationToken: token, code: 'host' });
    await clock.advance(91_000);
    await manager.settle();
    expect((await manager.get(agentId)).status).toBe('degraded');
    await manager.close();
  });

  it('purges expired registration tokens and idempotency records', async () => {
    const clock = new ManualClock();
    const { store, counts } = countingStore();
    const manager = createLifecycleManager({ store, clock });
    await manager.createRegistrationToken({ expiresInSeconds: 60 });
    await manager.idempotent(
      { scope: 'owner:acme', key: 'k', fingerprint: 'f', ttlMs: 60_000 },
      async () => ({
        status: 201,
        body: { ok: true },
      }),
    );
    manager.start();
    // Nothing is due: the sweeper sleeps a day, then purges on that sweep.
    await clock.advance(DAY + 1_000);
    await manager.settle();
    expect(counts.purgeExpired).toBeGreaterThanOrEqual(2);
    expect(counts.purgeExpired).toBeLessThanOrEqual(3);
    expect(counts.purged).toEqual({ registrationTokens: 1, idempotency: 1 });
    expect(await store.listRegistrationTokens('default')).toEqual([]);
    await manager.close();
  });
});
