/**
 * Races, explored with fast-check's scheduler: every store call (and the driver's provision)
 * starts only when the scheduler says so, so each run tries another interleaving of
 * concurrent requests against the real manager.
 */
import {
  createLifecycleManager,
  createMemoryStore,
  flushMicrotasks,
  isBerthError,
  type LifecycleManager,
  type LifecycleStore,
  ManualClock,
  verifyAuditChain,
} from '@berth/core';
import { createMemoryDriver, type MemoryDriver } from '@berth/driver-memory';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const SEED = 4242;
const RUNS = Number(process.env.BERTH_RACE_RUNS ?? 250);

const SCHEDULED: readonly (keyof LifecycleStore)[] = [
  'get',
  'commit',
  'appendDenial',
  'consumeRegistrationToken',
  'claimCommands',
  'findByCode',
  'revisions',
];

/** A store whose calls start only when the scheduler lets them. */
function scheduledStore(s: fc.Scheduler, store: LifecycleStore): LifecycleStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || !SCHEDULED.includes(key as keyof LifecycleStore)) return value;
      return (...args: unknown[]) =>
        s
          .schedule(Promise.resolve(), String(key))
          .then(() => (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
}

/**
 * Let the scheduler release everything, including work that released work schedules. (No
 * `manager.settle()` here: background work may be waiting on the scheduler itself.)
 */
async function drain(s: fc.Scheduler, _manager: LifecycleManager): Promise<void> {
  for (let quiet = 0, i = 0; i < 500; i++) {
    await s.waitAll();
    await flushMicrotasks(3);
    quiet = s.count() === 0 ? quiet + 1 : 0;
    if (quiet >= 3) return;
  }
  throw new Error('the scheduler never went quiet');
}

async function runningAgent(s: fc.Scheduler) {
  const clock = new ManualClock();
  const driver = createMemoryDriver({ clock });
  const store = createMemoryStore();
  const manager = createLifecycleManager({ store: scheduledStore(s, store), driver, clock });
  const created = manager.create({ name: 'racer', owner: 'acme' });
  await drain(s, manager);
  const agent = await created;
  await drain(s, manager);
  expect((await store.get(agent.id))?.status).toBe('running');
  return { manager, driver, store, id: agent.id };
}

const codeOf = (r: PromiseSettledResult<unknown>) =>
  r.status === 'rejected' && isBerthError(r.reason) ? r.reason.code : r.status;

describe('races', () => {
  it(`concurrent stops on one agent: exactly one accepted, one driver call, one audit entry (${RUNS} schedules)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 2, max: 20 }), async (s, n) => {
        const { manager, driver, store, id } = await runningAgent(s);
        const all = Promise.allSettled(
          Array.from({ length: n }, () => manager.dispatch(id, 'stop', { actor: 'user:x' })),
        );
        await drain(s, manager);
        const results = await all;
        const accepted = results.filter((r) => r.status === 'fulfilled');
        expect(accepted).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected')
            expect(['OPERATION_IN_PROGRESS', 'ILLEGAL_TRANSITION']).toContain(codeOf(r));
        }
        expect(driver.calls.filter((c) => c.op === 'stop')).toHaveLength(1);
        const entries = await store.audit(id);
        expect(entries.filter((e) => !e.denied && e.action === 'stop')).toHaveLength(1);
        expect(verifyAuditChain(entries).ok).toBe(true);
        await manager.close();
      }),
      { numRuns: RUNS, seed: SEED },
    );
  }, 300_000);

  it(`destroy during provisioning leaves no resource and fences the late completion (${RUNS} schedules)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const clock = new ManualClock();
        const driver: MemoryDriver = createMemoryDriver({ clock });
        const realProvision = driver.provision.bind(driver);
        driver.provision = (target, ctx) =>
          s.schedule(Promise.resolve(), 'provision').then(() => realProvision(target, ctx));
        const store = createMemoryStore();
        const manager = createLifecycleManager({ store: scheduledStore(s, store), driver, clock });
        const created = manager.create({ name: 'doomed', owner: 'acme' });
        const destroyed = created.then((a) => manager.dispatch(a.id, 'destroy', { confirm: 'doomed' }));
        await drain(s, manager);
        const agent = await created;
        const outcome = await Promise.allSettled([destroyed]);
        await drain(s, manager);
        const record = await store.get(agent.id);
        if (outcome[0]!.status === 'fulfilled') expect(record?.status).toBe('deleted');
        expect(driver.resources().filter((r) => r.agentId === agent.id)).toHaveLength(0);
        expect(driver.workspaces().filter((w) => w.agentId === agent.id)).toHaveLength(0);
        const entries = await store.audit(agent.id);
        expect(verifyAuditChain(entries).ok).toBe(true);
        // Nothing after deletion resurrected the agent.
        const accepted = entries.filter((e) => !e.denied);
        const deletedAt = accepted.findIndex((e) => e.to === 'deleted');
        if (deletedAt >= 0) expect(accepted.slice(deletedAt + 1)).toHaveLength(0);
        await manager.close();
      }),
      { numRuns: RUNS, seed: SEED + 1 },
    );
  }, 300_000);

  it(`concurrent registrations with one token: exactly one succeeds (${RUNS} schedules)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 2, max: 8 }), async (s, n) => {
        const store = createMemoryStore();
        const manager = createLifecycleManager({ store: scheduledStore(s, store), clock: new ManualClock() });
        const minted = manager.createRegistrationToken({ owner: 'acme' });
        await drain(s, manager);
        const { token } = await minted;
        const all = Promise.allSettled(
          Array.from({ length: n }, (_, i) =>
            manager.register({ registrationToken: token, code: `edge-${i}` }),
          ),
        );
        await drain(s, manager);
        const results = await all;
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results)
          if (r.status === 'rejected') expect(codeOf(r)).toBe('REGISTRATION_TOKEN_INVALID');
        expect(await store.list()).toHaveLength(1);
        await manager.close();
      }),
      { numRuns: RUNS, seed: SEED + 2 },
    );
  }, 300_000);

  it(`concurrent pollers: each command is handed out exactly once (${RUNS} schedules)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 2, max: 5 }),
        async (s, commands, pollers) => {
          const store = createMemoryStore();
          const manager = createLifecycleManager({
            store: scheduledStore(s, store),
            clock: new ManualClock(),
          });
          const setup = (async () => {
            const { token } = await manager.createRegistrationToken();
            const { agentId } = await manager.register({ registrationToken: token, code: 'worker' });
            for (let i = 0; i < commands; i++)
              await manager.enqueueCommand(agentId, { type: 'echo', payload: i });
            return agentId;
          })();
          await drain(s, manager);
          const agentId = await setup;
          const all = Promise.all(
            Array.from({ length: pollers }, () => manager.pollCommands(agentId, { limit: 3 })),
          );
          await drain(s, manager);
          const handed = (await all).flat().map((c) => c.id);
          expect(new Set(handed).size).toBe(handed.length);
          expect(handed.length).toBe(Math.min(commands, pollers * 3));
          await manager.close();
        },
      ),
      { numRuns: RUNS, seed: SEED + 3 },
    );
  }, 300_000);
});
