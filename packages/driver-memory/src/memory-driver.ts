/**
 * The in-memory driver: agents are plain objects, operations are instant (or take simulated
 * time on an injected clock), and tests can inject failures, hangs, crashes and lost events.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import {
  DriverError,
  type DriverEvent,
  type DriverInspection,
  type DriverOperation,
  type DriverResult,
  type DriverTarget,
  NO_CAPACITY,
  type OperationContext,
  systemClock,
  ValidationError,
} from '@berth/core';
import { isCapacity, resolveOptions } from './_internal/options.js';
import { abortError, delay, hang, raceAbort } from './_internal/timing.js';
import type {
  MemoryCall,
  MemoryDriver,
  MemoryDriverOptions,
  MemoryOperation,
  MemoryResource,
  MemoryWorkspace,
} from './types.js';

/** The driver's name, as `driver.name` and in messages. */
export const DRIVER_NAME = 'memory';

/** Driver code of a failure injected by `failNext` without an explicit error. */
export const INJECTED_FAILURE = 'INJECTED_FAILURE';

/** Driver code of start, stop or restart on an agent that has no resource. */
export const RESOURCE_MISSING = 'RESOURCE_MISSING';

/** Driver code of an operation id reused for another operation or agent. */
export const OPERATION_ID_REUSED = 'OPERATION_ID_REUSED';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Fault = { readonly kind: 'fail'; readonly error: Error } | { readonly kind: 'hang' };
type Remembered = {
  readonly op: DriverOperation;
  readonly agentId: string;
  readonly outcome: Promise<DriverResult | undefined>;
};

/**
 * Create an in-memory driver. It implements every method of `LifecycleDriver` (the optional
 * `restart`, `redeploy`, `recreate`, `watch` and `list` too) and is meant for test suites: your
 * own, and Berth's conformance kit.
 *
 * - Idempotent per operation id: a repeated call with an id that already succeeded (or is still
 *   running) returns the first result and does nothing again.
 * - Honors `ctx.signal`: a slow or hung call rejects with an `AbortError` when it aborts.
 * - Workspace kept across stop, start, restart, redeploy and recreate; removed by destroy.
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
  const latency = resolved.latency;
  const maxCalls = resolved.maxCalls;
  let capacity = resolved.capacity;
  const clock = options.clock ?? systemClock;

  const resources = new Map<string, Mutable<MemoryResource>>();
  const workspaces = new Map<string, MemoryWorkspace>();
  /** Provisions in flight for agents that have no resource yet: inspect says `creating`. */
  const creating = new Map<string, { operationId: string; owner: string }>();
  const built = new Map<string, number>();
  const remembered = new Map<string, Remembered>();
  const faults = new Map<MemoryOperation, Fault[]>();
  const calls: Mutable<MemoryCall>[] = [];
  const watchers = new Set<(event: DriverEvent) => void>();
  const roomWatchers = new Set<(free: number) => void>();
  const inFlight = new Set<AbortController>();
  let resourceSeq = 0;
  let callSeq = 0;
  let dropping = 0;
  let duplicating = 0;

  /** Log a call, wait its latency, apply any injected fault, then run `effect` (atomically). */
  async function run<T>(
    op: MemoryOperation,
    agentId: string | null,
    ctx: OperationContext | null,
    effect: () => T,
  ): Promise<T> {
    const call = logCall(op, agentId, ctx?.operationId ?? null, false);
    const what = `memory driver: ${op}${agentId === null ? '' : ` of ${agentId}`} aborted`;
    // Our own controller follows the caller's signal and dispose(), without AbortSignal.any leaks.
    const controller = new AbortController();
    const follow = () => controller.abort(ctx?.signal.reason);
    if (ctx?.signal.aborted) follow();
    else ctx?.signal.addEventListener('abort', follow, { once: true });
    inFlight.add(controller);
    try {
      const { signal } = controller;
      if (signal.aborted) throw abortError(what, signal);
      const fault = faults.get(op)?.shift();
      if (latency[op] > 0) await delay(clock, latency[op], signal, what);
      if (fault?.kind === 'hang') await hang(signal, what);
      if (fault?.kind === 'fail') throw fault.error;
      const value = effect();
      call.outcome = 'succeeded';
      return value;
    } catch (error) {
      call.outcome = error instanceof Error && error.name === 'AbortError' ? 'aborted' : 'failed';
      throw error;
    } finally {
      ctx?.signal.removeEventListener('abort', follow);
      inFlight.delete(controller);
    }
  }

  /** Run a lifecycle operation once per operation id. */
  function operate(
    op: DriverOperation,
    target: DriverTarget,
    ctx: OperationContext,
    effect: () => DriverResult | undefined,
  ): Promise<DriverResult | undefined> {
    const known = remembered.get(ctx.operationId);
    if (known !== undefined) {
      const call = logCall(op, target.agentId, ctx.operationId, true);
      if (known.op !== op || known.agentId !== target.agentId) {
        call.outcome = 'failed';
        return Promise.reject(
          new DriverError(
            OPERATION_ID_REUSED,
            `operation id ${ctx.operationId} was used for ${known.op} of ${known.agentId}, not ${op} of ${target.agentId}`,
          ),
        );
      }
      const replay = raceAbort(
        known.outcome,
        ctx.signal,
        `memory driver: ${op} of ${target.agentId} aborted`,
      );
      replay.then(
        () => {
          call.outcome = 'succeeded';
        },
        (error: unknown) => {
          call.outcome = error instanceof Error && error.name === 'AbortError' ? 'aborted' : 'failed';
        },
      );
      return replay;
    }
    const outcome = run(op, target.agentId, ctx, effect);
    remembered.set(ctx.operationId, { op, agentId: target.agentId, outcome });
    // Only successes are remembered: a failed or aborted operation may be retried with its id.
    outcome.catch(() => remembered.delete(ctx.operationId));
    return outcome;
  }

  const driver: MemoryDriver = {
    name: DRIVER_NAME,

    provision(target, ctx) {
      const agentId = target.agentId;
      if (!resources.has(agentId) && !creating.has(agentId)) {
        creating.set(agentId, { operationId: ctx.operationId, owner: target.owner });
      }
      const outcome = operate('provision', target, ctx, () => {
        const existing = resources.get(agentId);
        if (existing !== undefined) {
          // Adopt what is there (e.g. after a lost reply): make sure it runs, build nothing.
          if (existing.state !== 'running') boot(existing, target);
          return resultOf(existing);
        }
        return resultOf(build(target, ctx.operationId, target.credentials));
      });
      const done = () => {
        if (creating.get(agentId)?.operationId === ctx.operationId) creating.delete(agentId);
      };
      outcome.then(done, done);
      // A repeated provision (a manager resuming after a crash) may carry rotated credentials:
      // the resource takes them, as the contract asks.
      const credentials = target.credentials;
      if (credentials === null) return outcome;
      return outcome.then((result) => {
        const resource = resources.get(agentId);
        if (resource && resource.credentials?.agentToken !== credentials.agentToken) {
          resource.credentials = { agentId: credentials.agentId, agentToken: credentials.agentToken };
          inject(resource, target);
        }
        return result;
      });
    },

    start(target, ctx) {
      return operate('start', target, ctx, () => {
        const resource = existing('start', target.agentId);
        if (resource.state !== 'running') boot(resource, target);
        return resultOf(resource);
      });
    },

    stop(target, ctx) {
      return operate('stop', target, ctx, () => {
        const resource = existing('stop', target.agentId);
        if (resource.state === 'running') resource.exitCode = 0;
        resource.state = 'stopped';
        resource.health = null;
        return resultOf(resource);
      });
    },

    restart(target, ctx) {
      return operate('restart', target, ctx, () => {
        const resource = existing('restart', target.agentId);
        boot(resource, target);
        return resultOf(resource);
      });
    },

    redeploy(target, ctx) {
      return operate('redeploy', target, ctx, () => {
        const old = resources.get(target.agentId);
        // Same credentials, new revision: the old resource is replaced by one built from it
        // (credentials the manager hands over — e.g. for a ghost with nothing to copy — win).
        return resultOf(build(target, ctx.operationId, target.credentials ?? old?.credentials ?? null));
      });
    },

    recreate(target, ctx) {
      return operate('recreate', target, ctx, () =>
        resultOf(build(target, ctx.operationId, target.credentials)),
      );
    },

    destroy(target, ctx) {
      return operate('destroy', target, ctx, () => {
        const resource = resources.get(target.agentId);
        resources.delete(target.agentId);
        workspaces.delete(target.workspaceId);
        if (resource !== undefined) {
          workspaces.delete(resource.workspaceId);
          roomFreed();
        }
        return undefined;
      });
    },

    inspect(agentId) {
      return run('inspect', agentId, null, () => inspectionOf(agentId));
    },

    list() {
      return run('list', null, null, () => {
        const agentIds = new Set([...resources.keys(), ...creating.keys()]);
        return [...agentIds].map(inspectionOf);
      });
    },

    watch(listener) {
      watchers.add(listener);
      return () => {
        watchers.delete(listener);
      };
    },

    async dispose() {
      for (const controller of inFlight) controller.abort(new Error('memory driver disposed'));
      watchers.clear();
      roomWatchers.clear();
    },

    failNext(op, error) {
      queueFault(op, {
        kind: 'fail',
        error: error ?? new DriverError(INJECTED_FAILURE, `memory driver: injected failure of ${op}`),
      });
    },

    hangNext(op) {
      queueFault(op, { kind: 'hang' });
    },

    crash(agentId, exitCode = 1, crashOptions = {}) {
      const resource = outOfBand('crash', agentId);
      resource.state = 'exited';
      resource.exitCode = exitCode;
      resource.health = null;
      const event: DriverEvent =
        crashOptions.oom === undefined
          ? { type: 'exited', agentId, exitCode }
          : { type: 'exited', agentId, exitCode, oom: crashOptions.oom };
      emit(event);
    },

    remove(agentId) {
      outOfBand('remove', agentId);
      resources.delete(agentId);
      emit({ type: 'removed', agentId });
      roomFreed();
    },

    setHealth(agentId, health) {
      const resource = outOfBand('setHealth', agentId);
      resource.health = health;
      emit({ type: 'health', agentId, health });
    },

    dropEvents(n) {
      dropping += count('dropEvents', n);
    },

    duplicateEvents(n) {
      duplicating += count('duplicateEvents', n);
    },

    setCapacity(n) {
      if (!isCapacity(n)) {
        throw new ValidationError('setCapacity: capacity must be a whole number ≥ 0 (or Infinity)', [
          { path: 'capacity', message: 'must be a whole number ≥ 0 (or Infinity)' },
        ]);
      }
      const grew = n > capacity;
      capacity = n;
      if (grew) roomFreed();
    },

    onCapacityAvailable(listener) {
      roomWatchers.add(listener);
      return () => {
        roomWatchers.delete(listener);
      };
    },

    resources() {
      return [...resources.values()].map((resource) => ({
        ...resource,
        config: structuredClone(resource.config),
        credentials: resource.credentials && { ...resource.credentials },
        secrets: { ...resource.secrets },
        env: { ...resource.env },
      }));
    },

    workspaces() {
      return [...workspaces.values()].map((workspace) => ({ ...workspace }));
    },

    get calls() {
      return calls.map((call) => ({ ...call }));
    },

    resourceCount(agentId) {
      return built.get(agentId) ?? 0;
    },
  };
  return driver;

  // --- internal helpers ---

  function logCall(
    op: MemoryOperation,
    agentId: string | null,
    operationId: string | null,
    replayed: boolean,
  ): Mutable<MemoryCall> {
    callSeq += 1;
    const call: Mutable<MemoryCall> = {
      seq: callSeq,
      op,
      agentId,
      operationId,
      at: clock.now(),
      outcome: 'pending',
      replayed,
    };
    calls.push(call);
    if (calls.length > maxCalls) calls.splice(0, calls.length - maxCalls);
    return call;
  }

  /** Build a new resource for the agent (replacing any), checking capacity when it is a new one. */
  function build(
    target: DriverTarget,
    operationId: string,
    credentials: MemoryResource['credentials'],
  ): Mutable<MemoryResource> {
    const replaced = resources.get(target.agentId);
    if (replaced === undefined && resources.size >= capacity) {
      throw new DriverError(
        NO_CAPACITY,
        `memory driver is full: ${resources.size} of ${capacity} agent(s) hosted, no room for ${target.agentId}`,
        { meta: { capacity, hosted: resources.size } },
      );
    }
    const workspaceId = replaced?.workspaceId ?? target.workspaceId;
    if (!workspaces.has(workspaceId)) {
      workspaces.set(workspaceId, { id: workspaceId, agentId: target.agentId, createdAt: clock.now() });
    }
    resourceSeq += 1;
    const image = target.revision.image;
    const resource: Mutable<MemoryResource> = {
      agentId: target.agentId,
      resourceId: `mem_${resourceSeq}`,
      owner: target.owner,
      name: target.name,
      workspaceId,
      state: 'running',
      health: null,
      exitCode: null,
      image,
      resolvedImage: `sha256:${createHash('sha256').update(image).digest('hex')}`,
      revisionId: target.revision.id,
      config: structuredClone(target.revision.config),
      credentials: credentials && { agentId: credentials.agentId, agentToken: credentials.agentToken },
      secrets: {},
      env: {},
      operationId,
      createdAt: clock.now(),
    };
    inject(resource, target);
    resources.set(target.agentId, resource);
    built.set(target.agentId, (built.get(target.agentId) ?? 0) + 1);
    return resource;
  }

  /** (Re)start the process of a resource: running, fresh health, secrets re-injected. */
  function boot(resource: Mutable<MemoryResource>, target: DriverTarget): void {
    resource.state = 'running';
    resource.exitCode = null;
    resource.health = null;
    inject(resource, target);
  }

  function inject(resource: Mutable<MemoryResource>, target: DriverTarget): void {
    resource.secrets = { ...target.secrets };
    const env: Record<string, string> = {};
    const configEnv = resource.config.env;
    if (typeof configEnv === 'object' && configEnv !== null && !Array.isArray(configEnv)) {
      for (const [key, value] of Object.entries(configEnv)) if (typeof value === 'string') env[key] = value;
    }
    Object.assign(env, target.secrets);
    if (resource.credentials) {
      env.BERTH_AGENT_ID = resource.credentials.agentId;
      env.BERTH_AGENT_TOKEN = resource.credentials.agentToken;
    }
    resource.env = env;
  }

  function existing(op: DriverOperation, agentId: string): Mutable<MemoryResource> {
    const resource = resources.get(agentId);
    if (resource === undefined) {
      throw new DriverError(RESOURCE_MISSING, `memory driver: cannot ${op} ${agentId}, it has no resource`);
    }
    return resource;
  }

  function outOfBand(what: string, agentId: string): Mutable<MemoryResource> {
    const resource = resources.get(agentId);
    if (resource === undefined)
      throw new Error(`memory driver: ${what}(${agentId}): the agent has no resource`);
    return resource;
  }

  function resultOf(resource: MemoryResource): DriverResult {
    return { resourceId: resource.resourceId, resolvedImage: resource.resolvedImage };
  }

  function inspectionOf(agentId: string): DriverInspection {
    const resource = resources.get(agentId);
    if (resource !== undefined) {
      return {
        agentId,
        state: resource.state,
        health: resource.health,
        exitCode: resource.exitCode,
        resourceId: resource.resourceId,
        operationId: resource.operationId,
        owner: resource.owner,
      };
    }
    const pending = creating.get(agentId);
    return {
      agentId,
      state: pending ? 'creating' : 'missing',
      health: null,
      exitCode: null,
      resourceId: null,
      operationId: pending?.operationId ?? null,
      owner: pending?.owner ?? null,
    };
  }

  function queueFault(op: MemoryOperation, fault: Fault): void {
    const queue = faults.get(op) ?? [];
    queue.push(fault);
    faults.set(op, queue);
  }

  function count(what: string, n: number): number {
    if (!Number.isInteger(n) || n < 0) {
      throw new ValidationError(`${what}: n must be a whole number ≥ 0`, [
        { path: 'n', message: 'must be a whole number ≥ 0' },
      ]);
    }
    return n;
  }

  /** Deliver an event to every listener (unless dropped; twice when duplicated). */
  function emit(event: DriverEvent): void {
    if (dropping > 0) {
      dropping -= 1;
      return;
    }
    let times = 1;
    if (duplicating > 0) {
      duplicating -= 1;
      times = 2;
    }
    const errors: unknown[] = [];
    for (let i = 0; i < times; i += 1) {
      for (const listener of [...watchers]) {
        try {
          listener(event);
        } catch (error) {
          errors.push(error);
        }
      }
    }
    // A throwing listener must not silence the others; its error still surfaces to the caller.
    if (errors.length > 0) throw errors[0];
  }

  function roomFreed(): void {
    const free = capacity - resources.size;
    if (free <= 0) return;
    for (const listener of [...roomWatchers]) listener(free);
  }
}
