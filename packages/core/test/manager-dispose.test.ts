/**
 * The dispose guard: after `close()` every method of the manager throws `MANAGER_CLOSED` and
 * changes nothing (a `create()` after `close()` commits no record), `close()` is idempotent, and
 * `await using` closes the manager at the end of its block. Over HTTP the code is a 503.
 */
import {
  createLifecycleManager,
  createMemoryStore,
  isBerthError,
  type LifecycleManager,
  ManualClock,
} from '@berth/core';
import { createBerthHandler } from '@berth/core/http';
import { createMemoryDriver } from '@berth/driver-memory';
import { describe, expect, it } from 'vitest';
import { codeOf } from './scenario-harness.js';

/** One plausible call of every method, so each reaches its guard (or, unguarded, its work). */
function callsOf(m: LifecycleManager, id: string): Record<string, () => unknown> {
  return {
    create: () => m.create({ name: 'late' }),
    dispatch: () => m.dispatch(id, 'stop'),
    get: () => m.get(id),
    list: () => m.list(),
    availableActions: () => m.availableActions(id),
    waitFor: () => m.waitFor(id, 'running', { timeout: 1 }),
    follow: () => m.follow(id, () => {}),
    audit: () => m.audit(id),
    verifyAudit: () => m.verifyAudit(id),
    explain: () => m.explain(id),
    revisions: () => m.revisions(id),
    createRegistrationToken: () => m.createRegistrationToken(),
    register: () => m.register({ registrationToken: 'x', code: 'c' }),
    authenticateAgent: () => m.authenticateAgent(id, 'x'),
    heartbeat: () => m.heartbeat(id),
    enqueueCommand: () => m.enqueueCommand(id, { type: 't' }),
    pollCommands: () => m.pollCommands(id),
    completeCommand: () => m.completeCommand(id, 'cmd', { ok: true }),
    commands: () => m.commands(id),
    idempotent: () =>
      m.idempotent({ scope: 'owner:x', key: 'k', fingerprint: 'f' }, async () => ({
        status: 200,
        body: null,
      })),
    setBilling: () => m.setBilling(id, true),
    observe: () => m.observe({ type: 'removed', agentId: id }),
    reconcile: () => m.reconcile(),
    tick: () => m.tick(),
    resume: () => m.resume(),
    start: () => m.start(),
    settle: () => m.settle(),
    createBackup: () => m.createBackup(id),
    listBackups: () => m.listBackups(),
    deleteBackup: () => m.deleteBackup('bkp_x'),
    reportServices: () => m.reportServices(id, []),
    listServices: () => m.listServices(),
    listRegistrationTokens: () => m.listRegistrationTokens(),
    revokeRegistrationToken: () => m.revokeRegistrationToken('rtk_x'),
  };
}

async function closedCodeOf(call: () => unknown): Promise<string | undefined> {
  try {
    await call();
  } catch (error) {
    return isBerthError(error) ? error.code : String(error);
  }
  return undefined;
}

function running() {
  const clock = new ManualClock();
  const store = createMemoryStore();
  const driver = createMemoryDriver({ clock, latency: 0 });
  const manager = createLifecycleManager({ store, driver, clock });
  return { clock, store, driver, manager };
}

describe('after close()', () => {
  it('every method throws MANAGER_CLOSED (503), the sync start() synchronously', async () => {
    const { manager } = running();
    const agent = await manager.create({ name: 'alpha' });
    await manager.settle();
    await manager.close();
    const calls = callsOf(manager, agent.id);
    // The list above names every method the manager has (a new method must be added to it).
    const methods = Object.entries(manager)
      .filter(([name, value]) => typeof value === 'function' && name !== 'close')
      .map(([name]) => name);
    expect(Object.keys(calls).sort()).toEqual(methods.sort());
    for (const [name, call] of Object.entries(calls)) {
      expect(await closedCodeOf(call), name).toBe('MANAGER_CLOSED');
    }
    expect(() => manager.start()).toThrow(/closed/);
    const error = await manager.get(agent.id).catch((e: unknown) => e);
    expect(isBerthError(error) && error.status).toBe(503);
  });

  it('create() commits nothing and calls no driver', async () => {
    const { manager, store, driver } = running();
    await manager.close();
    expect(await codeOf(manager.create({ name: 'ghost' }))).toBe('MANAGER_CLOSED');
    expect(await store.list()).toEqual([]);
    expect(driver.calls).toEqual([]);
    // A fresh manager over the same store has nothing to resume.
    const next = createLifecycleManager({ store, driver: createMemoryDriver({ latency: 0 }) });
    expect(await next.resume()).toBe(0);
    expect(await next.list()).toEqual([]);
    await next.close();
  });

  it('a call already past the guard when close() begins still finishes', async () => {
    const { manager } = running();
    const creating = manager.create({ name: 'racer' });
    await manager.close();
    expect((await creating).name).toBe('racer');
  });

  it('close() is idempotent: a second call answers the first one, disposing the driver once', async () => {
    const { manager, driver } = running();
    let disposed = 0;
    const dispose = driver.dispose.bind(driver);
    driver.dispose = () => {
      disposed += 1;
      return dispose();
    };
    const first = manager.close();
    const second = manager.close();
    expect(second).toBe(first);
    await Promise.all([first, second, manager[Symbol.asyncDispose]()]);
    expect(disposed).toBe(1);
  });
});

describe('await using', () => {
  it('closes the manager when its block ends (the driver is disposed, calls then refuse)', async () => {
    const store = createMemoryStore();
    const driver = createMemoryDriver({ latency: 0 });
    let disposed = 0;
    const dispose = driver.dispose.bind(driver);
    driver.dispose = () => {
      disposed += 1;
      return dispose();
    };
    let escaped: LifecycleManager | undefined;
    {
      await using manager = createLifecycleManager({ store, driver });
      escaped = manager;
      await manager.create({ name: 'scoped' });
      expect(disposed).toBe(0);
    }
    expect(disposed).toBe(1);
    expect(await codeOf(escaped.list())).toBe('MANAGER_CLOSED');
    expect(await store.list()).toHaveLength(1);
  });
});

describe('over HTTP', () => {
  it('a request to a closed manager answers 503 MANAGER_CLOSED problem+json', async () => {
    const manager = createLifecycleManager();
    const logged: Error[] = [];
    const handler = createBerthHandler<null>(manager, {
      authenticate: () => ({ actor: 'user:ada', owner: 'acme' }),
      onError: (error) => logged.push(error),
    });
    await manager.close();
    const response = await handler.handle({
      method: 'GET',
      path: '/agents',
      query: {},
      headers: {},
      body: undefined,
      signal: new AbortController().signal,
      native: null,
    });
    expect(response.kind === 'json' && response.status).toBe(503);
    expect(response.kind === 'json' && response.body).toMatchObject({ code: 'MANAGER_CLOSED', status: 503 });
    expect(logged.map((e) => (isBerthError(e) ? e.code : e.message))).toEqual(['MANAGER_CLOSED']);
  });
});
