/**
 * The in-memory driver: agents are plain objects, operations are instant (or take simulated
 * time on an injected clock), and tests can inject failures, hangs, crashes and lost events.
 * Parts over one state: the contract (`contract.ts`), fault injection (`faults.ts`),
 * introspection (`introspection.ts`) and rehydration after a restart (`rehydrate.ts`), put
 * together here with `defineDriver`.
 *
 * @module
 */
import { type DriverTarget, defineDriver, type OperationContext, systemClock } from '@berth/core';
import { resolveOptions } from './_internal/options.js';
import { createState } from './_internal/state.js';
import { abortError } from './_internal/timing.js';
import { createBackups } from './backups.js';
import { createContract } from './contract.js';
import { createEndpoints } from './endpoints.js';
import { createFaults } from './faults.js';
import { createIntrospection, recordCalls } from './introspection.js';
import { createOnDemand, createRehydrate, type OnDemand } from './rehydrate.js';
import type { MemoryDriver, MemoryDriverOptions } from './types.js';

export { OPERATION_ID_REUSED } from '@berth/core';
export { BACKUP_MISSING } from './backups.js';
export { RESOURCE_MISSING } from './contract.js';
export { INJECTED_FAILURE } from './faults.js';

/** The driver's name, as `driver.name` and in messages. */
export const DRIVER_NAME = 'memory';

/**
 * Create an in-memory driver. It implements every method of `LifecycleDriver` (the optional
 * `restart`, `redeploy`, `recreate`, `watch` and `list` too) and is meant for test suites: your
 * own, and Berth's conformance kit.
 *
 * - Idempotent per operation id: a repeated call with an id that already succeeded (or is still
 *   running) returns the first result and does nothing again.
 * - Honors `ctx.signal`: a slow or hung call rejects with an `AbortError` when it aborts.
 * - One operation at a time per agent: a second one waits for the first to settle.
 * - Workspace kept across stop, start, restart, redeploy and recreate; removed by destroy.
 * - Backups: `backup` copies the workspace's files (`writeFile`, `files`) into an archive kept
 *   in the process under the backup id; `restore` fills a new workspace from it.
 *   Recreate builds a new resource with the new credentials; redeploy a new resource from the
 *   new revision with the same credentials. `start`, `stop` and `restart` of an agent that has
 *   no resource throw `DriverError('RESOURCE_MISSING')`; `redeploy` and `recreate` build one.
 * - Watch events are out-of-band only (`crash`, `remove`, `setHealth`), delivered synchronously.
 *
 * @param options - Latency, capacity and clock. @default instant, unlimited, real timers
 * @throws ValidationError when an option is out of range (the field is named).
 * @example
 * ```ts
 * const driver = createMemoryDriver({ capacity: 2, latency: { provision: 500 }, clock });
 * const manager = createLifecycleManager({ driver, clock });
 * driver.failNext('start');            // the next start fails
 * driver.crash(agentId, 137);          // out-of-band exit, reported through watch
 * expect(driver.resourceCount(agentId)).toBe(1);
 * ```
 */
export function createMemoryDriver(options: MemoryDriverOptions = {}): MemoryDriver {
  const resolved = resolveOptions(options);
  const state = createState(
    options.clock ?? systemClock,
    resolved.latency,
    resolved.maxCalls,
    resolved.capacity,
  );
  const { applyCredentials, ...engineOps } = createContract(state);
  const rehydrate = createRehydrate(state);
  const onDemand = createOnDemand(state, rehydrate);
  const contract = withOnDemand(engineOps, onDemand);
  const faults = createFaults(state);
  const introspection = createIntrospection(state);
  const engine: MemoryDriver = Object.defineProperties(
    {
      name: DRIVER_NAME,
      ...contract,
      ...faults,
      ...createBackups(state),
      ...createEndpoints(state),
      rehydrate,
      rehydrateOnDemand: onDemand.set,
    },
    Object.getOwnPropertyDescriptors(introspection),
  ) as MemoryDriver;
  return defineDriver(engine, {
    replay: 'remember',
    abortError: (op, agentId, signal) => abortError(`memory driver: ${op} of ${agentId} aborted`, signal),
    onCall: recordCalls(state),
    onReplay: (op, target) => {
      // A repeated provision (a manager resuming after a crash) may carry rotated credentials:
      // the resource takes them, as the contract asks.
      if (op === 'provision') applyCredentials(target as Parameters<typeof applyCredentials>[0]);
    },
  });
}

// --- internal helpers ---

type Contract = Omit<ReturnType<typeof createContract>, 'applyCredentials'>;
const TARGETED = ['provision', 'start', 'stop', 'restart', 'redeploy', 'recreate', 'destroy'] as const;

/** The operations, each first rehydrating its agent on demand (called straight through until a lookup is set). */
function withOnDemand(ops: Contract, onDemand: OnDemand): Contract {
  const out: Contract = { ...ops };
  for (const op of TARGETED) {
    const run = ops[op] as (target: DriverTarget, ctx: OperationContext) => Promise<unknown>;
    (out as unknown as Record<string, unknown>)[op] = (target: DriverTarget, ctx: OperationContext) =>
      onDemand.needs(target.agentId)
        ? onDemand.ensure(target.agentId).then(() => run(target, ctx))
        : run(target, ctx);
  }
  out.inspect = (agentId) =>
    onDemand.needs(agentId)
      ? onDemand.ensure(agentId).then(() => ops.inspect(agentId))
      : ops.inspect(agentId);
  return out;
}
