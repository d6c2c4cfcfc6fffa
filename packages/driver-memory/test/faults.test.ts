import {
  type DriverEvent,
  DriverError,
  type DriverTarget,
  ManualClock,
  NO_CAPACITY,
  type OperationContext,
  ValidationError,
} from '@berth/core';
import type { DriverOperation } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { createMemoryDriver, INJECTED_FAILURE, OPERATION_ID_REUSED, RESOURCE_MISSING } from '../src/index.js';

let seq = 0;
function target(overrides: Partial<DriverTarget> = {}): DriverTarget {
  seq += 1;
  const agentId = overrides.agentId ?? `agt_${seq}`;
  return {
    agentId,
    owner: 'alice',
    name: `agent-${seq}`,
    workspaceId: `ws_${seq}`,
    spec: { image: 'berth/agent:1', config: {} },
    revision: { id: `rev_${seq}`, image: 'berth/agent:1', config: {} },
    credentials: { agentId, agentToken: `tok_${seq}` },
    secrets: { API_KEY: 'k1' },
    ...overrides,
  };
}

function op(operation: DriverOperation, operationId = `op_${++seq}`, signal = new AbortController().signal) {
  return { operation, operationId, signal } satisfies OperationContext;
}

/** Whether a promise has settled yet (after letting callbacks run; no timers involved). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise<void>((resolve) => setImmediate(resolve));
  return done;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('latency on a virtual clock', () => {
  it('an operation takes its latency, and the agent shows creating meanwhile', async () => {
    const clock = new ManualClock();
    const driver = createMemoryDriver({ clock, latency: { provision: 500 } });
    const t = target();
    const pending = driver.provision(t, op('provision'));
    await clock.advance(499);
    expect(await settled(pending)).toBe(false);
    expect(await driver.inspect(t.agentId)).toMatchObject({ state: 'creating', resourceId: null });
    await clock.advance(1);
    expect(await pending).toMatchObject({ resourceId: expect.any(String) });
    expect((await driver.inspect(t.agentId)).state).toBe('running');
  });

  it('a number applies to the lifecycle operations, not to inspect and list', async () => {
    const clock = new ManualClock();
    const driver = createMemoryDriver({ clock, latency: 100 });
    const t = target();
    const provisioning = driver.provision(t, op('provision'));
    expect(await settled(provisioning)).toBe(false);
    expect(await driver.inspect(t.agentId)).toMatchObject({ state: 'creating' });
    expect(await driver.list()).toHaveLength(1);
    await clock.advance(100);
    await provisioning;
    const stopping = driver.stop(t, op('stop'));
    expect(await settled(stopping)).toBe(false);
    await clock.advance(100);
    await stopping;
    expect((await driver.inspect(t.agentId)).state).toBe('stopped');
  });

  it('aborting a slow operation rejects with an AbortError, builds nothing and cancels its timer', async () => {
    const clock = new ManualClock();
    const driver = createMemoryDriver({ clock, latency: { provision: 1_000 } });
    const t = target();
    const controller = new AbortController();
    const pending = driver.provision(t, op('provision', 'op_slow', controller.signal));
    await clock.advance(10);
    controller.abort(new Error('deadline'));
    const error = await rejection(pending);
    expect(error).toMatchObject({ name: 'AbortError', cause: new Error('deadline') });
    expect(clock.pending).toBe(0);
    expect(await driver.inspect(t.agentId)).toMatchObject({ state: 'missing' });
    expect(driver.resourceCount(t.agentId)).toBe(0);
    expect(driver.calls.at(-2)).toMatchObject({
      op: 'provision',
      operationId: 'op_slow',
      outcome: 'aborted',
    });
  });

  it('an already-aborted signal rejects at once', async () => {
    const driver = createMemoryDriver();
    const t = target();
    const error = await rejection(driver.provision(t, op('provision', undefined, AbortSignal.abort())));
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(driver.resources()).toEqual([]);
  });

  it('rejects bad options with a ValidationError naming the field', () => {
    expect(() => createMemoryDriver({ latency: -1 })).toThrow(ValidationError);
    expect(() => createMemoryDriver({ latency: { provison: 5 } as never })).toThrow(/latency\.provison/);
    expect(() => createMemoryDriver({ latency: { start: Number.NaN } })).toThrow(/latency\.start/);
    expect(() => createMemoryDriver({ capacity: 1.5 })).toThrow(/capacity/);
    try {
      createMemoryDriver({ capacity: -1 });
    } catch (error) {
      expect((error as ValidationError).errors).toEqual([{ path: 'capacity', message: expect.any(String) }]);
    }
  });
});

describe('failNext and hangNext', () => {
  it('failNext fails the next call of that operation with an INJECTED_FAILURE and changes nothing', async () => {
    const driver = createMemoryDriver();
    const t = target();
    await driver.provision(t, op('provision'));
    driver.failNext('stop');
    const error = await rejection(driver.stop(t, op('stop')));
    expect(error).toBeInstanceOf(DriverError);
    expect(error).toMatchObject({ code: 'DRIVER_ERROR', driverCode: INJECTED_FAILURE });
    expect((await driver.inspect(t.agentId)).state).toBe('running');
    await driver.stop(t, op('stop'));
    expect((await driver.inspect(t.agentId)).state).toBe('stopped');
  });

  it('failNext takes a custom error and queues', async () => {
    const driver = createMemoryDriver();
    const boom = new Error('image pull failed');
    driver.failNext('provision', boom);
    driver.failNext('provision');
    const t = target();
    expect(await rejection(driver.provision(t, op('provision')))).toBe(boom);
    expect(await rejection(driver.provision(t, op('provision')))).toMatchObject({
      driverCode: INJECTED_FAILURE,
    });
    await driver.provision(t, op('provision'));
    expect(driver.resourceCount(t.agentId)).toBe(1);
  });

  it('a failed operation is not remembered: a retry with the same id runs it', async () => {
    const driver = createMemoryDriver();
    const t = target();
    driver.failNext('provision');
    await rejection(driver.provision(t, op('provision', 'op_retry')));
    const result = await driver.provision(t, op('provision', 'op_retry'));
    expect(result?.resourceId).toEqual(expect.any(String));
    expect(
      driver.calls.filter((call) => call.operationId === 'op_retry').map((call) => call.replayed),
    ).toEqual([false, false]);
  });

  it('failNext works for inspect and list too', async () => {
    const driver = createMemoryDriver();
    driver.failNext('inspect');
    driver.failNext('list');
    await expect(driver.inspect('agt_x')).rejects.toMatchObject({ driverCode: INJECTED_FAILURE });
    await expect(driver.list()).rejects.toMatchObject({ driverCode: INJECTED_FAILURE });
    await expect(driver.inspect('agt_x')).resolves.toMatchObject({ state: 'missing' });
  });

  it('hangNext never settles until aborted, whatever the clock does', async () => {
    const clock = new ManualClock();
    const driver = createMemoryDriver({ clock });
    const t = target();
    await driver.provision(t, op('provision'));
    driver.hangNext('restart');
    const controller = new AbortController();
    const pending = driver.restart(t, op('restart', 'op_hung', controller.signal));
    await clock.advance(24 * 3_600_000);
    expect(await settled(pending)).toBe(false);
    expect(driver.calls.at(-1)).toMatchObject({ op: 'restart', operationId: 'op_hung', outcome: 'pending' });
    controller.abort();
    expect(await rejection(pending)).toMatchObject({ name: 'AbortError' });
    expect(driver.calls.at(-1)).toMatchObject({ outcome: 'aborted' });
    // Only the next call hangs.
    await driver.restart(t, op('restart'));
  });

  it('dispose cancels a hung call', async () => {
    const driver = createMemoryDriver();
    driver.hangNext('provision');
    const pending = driver.provision(target(), op('provision'));
    await driver.dispose();
    expect(await rejection(pending)).toMatchObject({ name: 'AbortError' });
  });
});

describe('idempotency per operation id', () => {
  it('a repeated provision returns the first result and builds nothing', async () => {
    const driver = createMemoryDriver();
    const t = target();
    const first = await driver.provision(t, op('provision', 'op_1'));
    const second = await driver.provision(t, op('provision', 'op_1'));
    expect(second).toEqual(first);
    expect(driver.resourceCount(t.agentId)).toBe(1);
    expect(driver.resources()).toHaveLength(1);
    expect(driver.calls.map((call) => [call.op, call.operationId, call.replayed])).toEqual([
      ['provision', 'op_1', false],
      ['provision', 'op_1', true],
    ]);
  });

  it('a repeat while the first is still running joins it', async () => {
    const clock = new ManualClock();
    const driver = createMemoryDriver({ clock, latency: { recreate: 50 } });
    const t = target();
    await driver.provision(t, op('provision'));
    const a = driver.recreate(t, op('recreate', 'op_r'));
    const b = driver.recreate(t, op('recreate', 'op_r'));
    await clock.advance(50);
    expect(await b).toEqual(await a);
    expect(driver.resourceCount(t.agentId)).toBe(2);
  });

  it('a repeat is answered from memory even after the resource changed', async () => {
    const driver = createMemoryDriver();
    const t = target();
    const first = await driver.provision(t, op('provision', 'op_p'));
    await driver.destroy(t, op('destroy'));
    expect(await driver.provision(t, op('provision', 'op_p'))).toEqual(first);
    expect(driver.resources()).toEqual([]);
  });

  it('reusing an id for another operation is refused', async () => {
    const driver = createMemoryDriver();
    const t = target();
    await driver.provision(t, op('provision', 'op_same'));
    await expect(driver.stop(t, op('stop', 'op_same'))).rejects.toMatchObject({
      driverCode: OPERATION_ID_REUSED,
    });
    expect((await driver.inspect(t.agentId)).state).toBe('running');
  });

  it('provision of an agent that already has a resource adopts it', async () => {
    const driver = createMemoryDriver();
    const t = target();
    const first = await driver.provision(t, op('provision'));
    await driver.stop(t, op('stop'));
    const again = await driver.provision(t, op('provision'));
    expect(again?.resourceId).toBe(first?.resourceId);
    expect((await driver.inspect(t.agentId)).state).toBe('running');
    expect(driver.resourceCount(t.agentId)).toBe(1);
  });

  it('start, stop and restart of an agent without a resource fail with RESOURCE_MISSING', async () => {
    const driver = createMemoryDriver();
    const t = target();
    for (const call of [
      driver.start(t, op('start')),
      driver.stop(t, op('stop')),
      driver.restart(t, op('restart')),
    ]) {
      await expect(call).rejects.toMatchObject({ driverCode: RESOURCE_MISSING });
    }
  });
});

describe('capacity', () => {
  it('beyond capacity, provision throws DriverError(NO_CAPACITY); a stopped agent keeps its room', async () => {
    const driver = createMemoryDriver({ capacity: 1 });
    const a = target();
    const b = target();
    await driver.provision(a, op('provision'));
    await driver.stop(a, op('stop'));
    const error = await rejection(driver.provision(b, op('provision')));
    expect(error).toBeInstanceOf(DriverError);
    expect(error).toMatchObject({ driverCode: NO_CAPACITY, meta: { capacity: 1, hosted: 1 } });
    expect(await driver.inspect(b.agentId)).toMatchObject({ state: 'missing' });
  });

  it('destroy frees room and tells listeners', async () => {
    const driver = createMemoryDriver({ capacity: 1 });
    const freed: number[] = [];
    driver.onCapacityAvailable((free) => freed.push(free));
    const a = target();
    await driver.provision(a, op('provision'));
    await driver.destroy(a, op('destroy'));
    expect(freed).toEqual([1]);
    await driver.destroy(a, op('destroy'));
    expect(freed, 'destroying something missing frees nothing').toEqual([1]);
    await driver.provision(target(), op('provision'));
  });

  it('an out-of-band remove and a raised capacity free room too', async () => {
    const driver = createMemoryDriver({ capacity: 1 });
    const freed: number[] = [];
    const unsubscribe = driver.onCapacityAvailable((free) => freed.push(free));
    const a = target();
    await driver.provision(a, op('provision'));
    driver.remove(a.agentId);
    await driver.provision(target(), op('provision'));
    driver.setCapacity(3);
    expect(freed).toEqual([1, 2]);
    unsubscribe();
    driver.setCapacity(4);
    expect(freed).toEqual([1, 2]);
  });

  it('a lowered capacity refuses new agents but keeps the hosted ones', async () => {
    const driver = createMemoryDriver({ capacity: 2 });
    const a = target();
    await driver.provision(a, op('provision'));
    driver.setCapacity(0);
    await expect(driver.provision(target(), op('provision'))).rejects.toMatchObject({
      driverCode: NO_CAPACITY,
    });
    await driver.restart(a, op('restart'));
    await driver.recreate(a, op('recreate'));
    expect((await driver.inspect(a.agentId)).state).toBe('running');
    expect(() => driver.setCapacity(-2)).toThrow(ValidationError);
  });
});

describe('out-of-band changes and watch events', () => {
  function watched(driver: ReturnType<typeof createMemoryDriver>): DriverEvent[] {
    const events: DriverEvent[] = [];
    driver.watch((event) => events.push(event));
    return events;
  }

  it('crash, remove and setHealth change the resource and emit events', async () => {
    const driver = createMemoryDriver();
    const events = watched(driver);
    const a = target();
    const b = target();
    await driver.provision(a, op('provision'));
    await driver.provision(b, op('provision'));
    driver.setHealth(a.agentId, 'unhealthy');
    expect(await driver.inspect(a.agentId)).toMatchObject({ state: 'running', health: 'unhealthy' });
    driver.crash(a.agentId, 137, { oom: true });
    expect(await driver.inspect(a.agentId)).toMatchObject({ state: 'exited', exitCode: 137, health: null });
    driver.remove(b.agentId);
    expect(await driver.inspect(b.agentId)).toMatchObject({ state: 'missing' });
    expect(events).toEqual([
      { type: 'health', agentId: a.agentId, health: 'unhealthy' },
      { type: 'exited', agentId: a.agentId, exitCode: 137, oom: true },
      { type: 'removed', agentId: b.agentId },
    ]);
    // A crashed agent starts again; the workspace of a removed one survives.
    await driver.start(a, op('start'));
    expect(await driver.inspect(a.agentId)).toMatchObject({ state: 'running', exitCode: null });
    expect(driver.workspaces().map((w) => w.id)).toContain(b.workspaceId);
  });

  it('crash defaults to exit code 1, and out-of-band calls on a missing agent throw', async () => {
    const driver = createMemoryDriver();
    const events = watched(driver);
    const a = target();
    await driver.provision(a, op('provision'));
    driver.crash(a.agentId);
    expect(events).toEqual([{ type: 'exited', agentId: a.agentId, exitCode: 1 }]);
    expect(() => driver.crash('agt_nobody')).toThrow(/agt_nobody/);
    expect(() => driver.remove('agt_nobody')).toThrow(/agt_nobody/);
    expect(() => driver.setHealth('agt_nobody', 'healthy')).toThrow(/agt_nobody/);
  });

  it('dropEvents loses the next n events, duplicateEvents delivers the next n twice', async () => {
    const driver = createMemoryDriver();
    const events = watched(driver);
    const a = target();
    await driver.provision(a, op('provision'));
    driver.dropEvents(2);
    driver.setHealth(a.agentId, 'unhealthy');
    driver.setHealth(a.agentId, 'healthy');
    driver.duplicateEvents(1);
    driver.crash(a.agentId, 2);
    driver.remove(a.agentId);
    expect(events.map((event) => event.type)).toEqual(['exited', 'exited', 'removed']);
    expect(() => driver.dropEvents(-1)).toThrow(ValidationError);
  });

  it('a throwing listener does not keep the event from the others', async () => {
    const driver = createMemoryDriver();
    const events: DriverEvent[] = [];
    driver.watch(() => {
      throw new Error('listener bug');
    });
    driver.watch((event) => events.push(event));
    const a = target();
    await driver.provision(a, op('provision'));
    expect(() => driver.crash(a.agentId)).toThrow('listener bug');
    expect(events).toHaveLength(1);
  });

  it('dispose drops listeners', async () => {
    const driver = createMemoryDriver();
    const events = watched(driver);
    const a = target();
    await driver.provision(a, op('provision'));
    await driver.dispose();
    driver.crash(a.agentId);
    expect(events).toEqual([]);
    expect((await driver.inspect(a.agentId)).state).toBe('exited');
  });
});
