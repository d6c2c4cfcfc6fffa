/**
 * Shared set-up for the manager scenario and basics tests (not a test file): a real manager over
 * the in-memory store, the in-memory driver on a {@link ManualClock}, and the driver's watch
 * events fed to `manager.observe` the way `manager.start()` would, so a test never sleeps.
 */
import {
  type AgentView,
  createLifecycleManager,
  createMemoryStore,
  type DriverOperation,
  type DriverTarget,
  isBerthError,
  type LifecycleManager,
  type LifecycleManagerOptions,
  type LifecyclePolicies,
  ManualClock,
  type MemoryStore,
} from '@berth/core';
import { createMemoryDriver, type MemoryDriver, type MemoryDriverOptions } from '@berth/driver-memory';
import { expect } from 'vitest';

/** Options of {@link setup}. */
export interface HarnessOptions {
  readonly policies?: LifecyclePolicies;
  readonly capacity?: number;
  readonly latency?: MemoryDriverOptions['latency'];
  readonly secrets?: LifecycleManagerOptions['secrets'];
}

/** What {@link setup} returns. */
export interface Harness {
  readonly clock: ManualClock;
  readonly driver: MemoryDriver;
  readonly store: MemoryStore;
  readonly manager: LifecycleManager;
  /** What the manager handed the driver, call by call (the memory driver keeps no targets itself). */
  readonly targets: { readonly op: DriverOperation; readonly target: DriverTarget }[];
  /** Let every driver call and every watch event the manager was told about finish. */
  settle(): Promise<void>;
  /** Create an agent and wait (on the manual clock) until it runs. */
  running(name: string, owner?: string): Promise<AgentView>;
  /** Move the clock, then let the work it released finish. */
  advance(ms: number): Promise<void>;
}

/** A manager with the memory driver on a manual clock; out-of-band driver events reach `observe`. */
export function setup(options: HarnessOptions = {}): Harness {
  const clock = new ManualClock();
  const driver = createMemoryDriver({
    clock,
    ...(options.capacity === undefined ? {} : { capacity: options.capacity }),
    ...(options.latency === undefined ? {} : { latency: options.latency }),
  });
  const targets: { op: DriverOperation; target: DriverTarget }[] = [];
  for (const op of ['provision', 'start', 'stop', 'restart', 'redeploy', 'recreate', 'destroy'] as const) {
    const real = driver[op].bind(driver);
    driver[op] = (target, ctx) => {
      targets.push({ op, target });
      return real(target, ctx);
    };
  }
  const store = createMemoryStore();
  const manager = createLifecycleManager({
    store,
    driver,
    clock,
    ...(options.policies ? { policies: options.policies } : {}),
    ...(options.secrets ? { secrets: options.secrets } : {}),
  });
  const observing = new Set<Promise<void>>();
  driver.watch((event) => {
    const p = manager.observe(event);
    observing.add(p);
    p.finally(() => observing.delete(p)).catch(() => {});
  });
  const settle = async () => {
    for (let i = 0; i < 100; i++) {
      await Promise.all([...observing]);
      await manager.settle();
      if (observing.size === 0) return;
    }
  };
  const advance = async (ms: number) => {
    await clock.advance(ms);
    await settle();
  };
  const running = async (name: string, owner = 'acme') => {
    const created = await manager.create({ name, owner });
    await settle();
    const agent = await manager.get(created.id);
    expect(agent.status, `${name} should be running after create`).toBe('running');
    return agent;
  };
  return { clock, driver, store, manager, targets, settle, running, advance };
}

/** The code of the error a promise rejects with (fails the test if it resolves). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await errorOf(promise);
  return isBerthError(error) ? error.code : `not a BerthError: ${String(error)}`;
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('expected the promise to reject');
}
