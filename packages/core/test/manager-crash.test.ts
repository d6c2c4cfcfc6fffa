/**
 * Crash and restart: a manager "dies" at each step of an operation (before the driver call,
 * after it but before its outcome is committed, after the commit), and a second manager over
 * the same store and the same infrastructure (the same memory driver) converges: one resource
 * per agent, every transition audited once, stale deadlines fail.
 */
import {
  createLifecycleManager,
  createMemoryStore,
  type DriverOperation,
  flushMicrotasks,
  type LifecycleDriver,
  type LifecycleManager,
  ManualClock,
  type MemoryStore,
  verifyAuditChain,
} from '@berth/core';
import { createMemoryDriver, type MemoryDriver } from '@berth/driver-memory';
import { describe, expect, it } from 'vitest';

type CrashPoint = 'before-driver-call' | 'after-driver-call' | 'before-outcome-commit';

/**
 * The first manager's view of the driver: it dies at `point` during `op` — the call never
 * reaches the driver, or reaches it and the answer is lost, or the answer arrives and the
 * commit of the outcome is lost (the store refuses writes from the dead process).
 */
function dyingDriver(real: MemoryDriver, op: DriverOperation, point: CrashPoint, dead: { value: boolean }) {
  const proxy: LifecycleDriver = Object.create(real);
  const original = real[op].bind(real);
  proxy[op] = async (target, ctx) => {
    if (point === 'before-driver-call') {
      dead.value = true;
      return new Promise<never>(() => {});
    }
    const result = await original(target, ctx);
    dead.value = true;
    if (point === 'after-driver-call') return new Promise<never>(() => {});
    return result;
  };
  return proxy;
}

/** A store the dead process can no longer write to (its commits are lost). */
function mortalStore(store: MemoryStore, dead: { value: boolean }): MemoryStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (key === 'commit' || key === 'appendDenial') {
        return async (...args: unknown[]) => {
          if (dead.value) return new Promise<never>(() => {});
          return (value as (...a: unknown[]) => Promise<void>).apply(target, args);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function survivor(
  store: MemoryStore,
  driver: MemoryDriver,
  clock: ManualClock,
): Promise<LifecycleManager> {
  const manager = createLifecycleManager({ store, driver, clock });
  await manager.resume();
  await manager.settle();
  return manager;
}

async function expectConverged(store: MemoryStore, driver: MemoryDriver, agentId: string, status: string) {
  const record = await store.get(agentId);
  expect(record?.status).toBe(status);
  expect(record?.operation).toBeNull();
  const resources = driver.resources().filter((r) => r.agentId === agentId);
  expect(resources.length).toBe(status === 'deleted' ? 0 : 1);
  const entries = await store.audit(agentId);
  expect(verifyAuditChain(entries).ok).toBe(true);
  const accepted = entries.filter((e) => !e.denied);
  // Every transition audited once: the entries chain status to status without repeats.
  for (let i = 1; i < accepted.length; i++) expect(accepted[i]!.from).toBe(accepted[i - 1]!.to);
  expect(accepted.at(-1)!.to).toBe(status);
  return { record: record!, accepted, resources };
}

describe('crash and resume', () => {
  for (const point of ['before-driver-call', 'after-driver-call', 'before-outcome-commit'] as const) {
    it(`provision: a crash ${point} converges to one running agent with working credentials`, async () => {
      const clock = new ManualClock();
      const driver = createMemoryDriver({ clock });
      const store = createMemoryStore();
      const dead = { value: false };
      const first = createLifecycleManager({
        store: mortalStore(store, dead),
        driver: dyingDriver(driver, 'provision', point, dead),
        clock,
      });
      const agent = await first.create({ name: 'phoenix' });
      await flushMicrotasks();
      expect(dead.value).toBe(true);
      expect((await store.get(agent.id))?.status).toBe('provisioning');
      expect(driver.resources().filter((r) => r.agentId === agent.id)).toHaveLength(
        point === 'before-driver-call' ? 0 : 1,
      );

      const second = await survivor(store, driver, clock);
      const { accepted, resources } = await expectConverged(store, driver, agent.id, 'running');
      expect(accepted.map((e) => e.action)).toEqual(['create', 'deploy', 'provisioned', 'op_succeeded']);
      // The re-drive rotated the credentials the dead process held only in memory; the agent has them.
      const token = resources[0]!.credentials!.agentToken;
      await expect(second.authenticateAgent(agent.id, token)).resolves.toMatchObject({ id: agent.id });
      expect(driver.resourceCount(agent.id)).toBeLessThanOrEqual(2);
      await second.close();
    });
  }

  for (const op of ['stop', 'redeploy', 'destroy'] as const) {
    for (const point of ['before-driver-call', 'after-driver-call', 'before-outcome-commit'] as const) {
      it(`${op}: a crash ${point} is re-driven once and converges`, async () => {
        const clock = new ManualClock();
        const driver = createMemoryDriver({ clock });
        const store = createMemoryStore();
        const healthy = createLifecycleManager({ store, driver, clock });
        const agent = await healthy.create({ name: 'lazarus' });
        await healthy.settle();
        await healthy.close();

        const dead = { value: false };
        const first = createLifecycleManager({
          store: mortalStore(store, dead),
          driver: dyingDriver(driver, op, point, dead),
          clock,
        });
        await first.dispatch(agent.id, op, op === 'destroy' ? { confirm: 'lazarus' } : {});
        await flushMicrotasks();
        expect(dead.value).toBe(true);

        const second = await survivor(store, driver, clock);
        const expected = op === 'stop' ? 'stopped' : op === 'redeploy' ? 'running' : 'deleted';
        const { accepted } = await expectConverged(store, driver, agent.id, expected);
        expect(accepted.filter((e) => e.action === op)).toHaveLength(1);
        if (op === 'destroy')
          expect(driver.workspaces().filter((w) => w.agentId === agent.id)).toHaveLength(0);
        await second.close();
      });
    }
  }

  it('a deadline that passed while no manager ran fails the operation with reason timeout', async () => {
    const clock = new ManualClock();
    const driver = createMemoryDriver({ clock });
    const store = createMemoryStore();
    const dead = { value: false };
    const first = createLifecycleManager({
      store: mortalStore(store, dead),
      driver: dyingDriver(driver, 'provision', 'before-driver-call', dead),
      clock,
      policies: { operationTimeoutMs: 60_000 },
    });
    const agent = await first.create({ name: 'late' });
    await flushMicrotasks();
    await clock.advance(120_000);
    // The new manager sweeps before re-driving: the operation is past its deadline.
    const second = createLifecycleManager({ store, driver, clock, policies: { operationTimeoutMs: 60_000 } });
    const report = await second.tick();
    await second.settle();
    expect(report.timedOut).toBe(1);
    const record = await store.get(agent.id);
    expect(record?.status).toBe('failed');
    const last = (await store.audit(agent.id)).filter((e) => !e.denied).at(-1)!;
    expect(last).toMatchObject({
      action: 'op_failed',
      from: 'provisioning',
      to: 'failed',
      reason: 'timeout',
    });
    expect(driver.resources().filter((r) => r.agentId === agent.id)).toHaveLength(0);
    await second.close();
  });
});
