/**
 * The memory driver's engine logic: what each operation of the driver contract does to the
 * in-memory resources, after its simulated latency and any injected fault. Replay per operation
 * id, aborted-signal refusal and one operation at a time per agent come from `defineDriver`.
 *
 * @module
 */
import {
  DriverError,
  type DriverEvent,
  type DriverInspection,
  type DriverOperation,
  type DriverResult,
  type DriverTarget,
  type OperationContext,
} from '@berth/core';
import {
  boot,
  build,
  dropResource,
  inject,
  inspectionOf,
  logCall,
  type MemoryState,
  type Mutable,
  resultOf,
  roomFreed,
} from './_internal/state.js';
import { abortError, delay, hang } from './_internal/timing.js';
import type { MemoryOperation, MemoryResource } from './types.js';

/** Driver code of start, stop or restart on an agent that has no resource. */
export const RESOURCE_MISSING = 'RESOURCE_MISSING';

/** The engine operations of the driver contract (before `defineDriver` wraps them). */
export interface MemoryContract {
  provision(target: DriverTarget, ctx: OperationContext): Promise<DriverResult | undefined>;
  start(target: DriverTarget, ctx: OperationContext): Promise<DriverResult | undefined>;
  stop(target: DriverTarget, ctx: OperationContext): Promise<DriverResult | undefined>;
  restart(target: DriverTarget, ctx: OperationContext): Promise<DriverResult | undefined>;
  redeploy(target: DriverTarget, ctx: OperationContext): Promise<DriverResult | undefined>;
  recreate(target: DriverTarget, ctx: OperationContext): Promise<DriverResult | undefined>;
  destroy(target: DriverTarget, ctx: OperationContext): Promise<undefined>;
  inspect(agentId: string): Promise<DriverInspection>;
  list(): Promise<DriverInspection[]>;
  watch(listener: (event: DriverEvent) => void): () => void;
  dispose(): Promise<void>;
  /** A repeated provision may carry rotated credentials: the resource takes them. */
  applyCredentials(target: DriverTarget): void;
}

/**
 * Wait `op`'s latency, apply any injected fault, then run `effect` (atomically). `inspect` and
 * `list` are logged here; the lifecycle operations are logged by `defineDriver`'s call hook.
 */
export async function run<T>(
  state: MemoryState,
  op: MemoryOperation,
  agentId: string | null,
  signal: AbortSignal | null,
  effect: () => T,
): Promise<T> {
  const call = signal === null ? logCall(state, op, agentId, null, false) : null;
  const what = `memory driver: ${op}${agentId === null ? '' : ` of ${agentId}`} aborted`;
  // Our own controller follows the caller's signal and dispose(), without AbortSignal.any leaks.
  const controller = new AbortController();
  const follow = () => controller.abort(signal?.reason);
  if (signal?.aborted) follow();
  else signal?.addEventListener('abort', follow, { once: true });
  state.inFlight.add(controller);
  try {
    const own = controller.signal;
    if (own.aborted) throw abortError(what, own);
    const fault = state.faults.get(op)?.shift();
    const latency = state.latency[op];
    if (latency > 0) await delay(state.clock, latency, own, what);
    if (fault?.kind === 'hang') await hang(own, what);
    if (fault?.kind === 'fail') throw fault.error;
    const value = effect();
    if (call) call.outcome = 'succeeded';
    return value;
  } catch (error) {
    if (call) call.outcome = 'failed';
    throw error;
  } finally {
    signal?.removeEventListener('abort', follow);
    state.inFlight.delete(controller);
  }
}

/** The engine operations over `state`. */
export function createContract(state: MemoryState): MemoryContract {
  const { resources, workspaces, creating, files } = state;

  function existing(op: DriverOperation, agentId: string): Mutable<MemoryResource> {
    const resource = resources.get(agentId);
    if (resource === undefined) {
      throw new DriverError(RESOURCE_MISSING, `memory driver: cannot ${op} ${agentId}, it has no resource`);
    }
    return resource;
  }

  function applyCredentials(target: DriverTarget): void {
    const credentials = target.credentials;
    if (credentials === null) return;
    const resource = resources.get(target.agentId);
    if (resource && resource.credentials?.agentToken !== credentials.agentToken) {
      resource.credentials = { ...credentials };
      inject(resource, target);
    }
  }

  return {
    applyCredentials,

    async provision(target, ctx) {
      const agentId = target.agentId;
      if (!resources.has(agentId) && !creating.has(agentId)) {
        creating.set(agentId, { operationId: ctx.operationId, owner: target.owner });
      }
      try {
        const result = await run(state, 'provision', agentId, ctx.signal, () => {
          const found = resources.get(agentId);
          if (found !== undefined) {
            // Adopt what is there (e.g. after a lost reply): make sure it runs, build nothing.
            if (found.state !== 'running') boot(found, target);
            return resultOf(found);
          }
          return resultOf(build(state, target, ctx.operationId, target.credentials));
        });
        applyCredentials(target);
        return result;
      } finally {
        if (creating.get(agentId)?.operationId === ctx.operationId) creating.delete(agentId);
      }
    },

    start(target, ctx) {
      return run(state, 'start', target.agentId, ctx.signal, () => {
        const resource = existing('start', target.agentId);
        if (resource.state !== 'running') boot(resource, target);
        return resultOf(resource);
      });
    },

    stop(target, ctx) {
      return run(state, 'stop', target.agentId, ctx.signal, () => {
        const resource = existing('stop', target.agentId);
        if (resource.state === 'running') resource.exitCode = 0;
        resource.state = 'stopped';
        resource.health = null;
        return resultOf(resource);
      });
    },

    restart(target, ctx) {
      return run(state, 'restart', target.agentId, ctx.signal, () => {
        const resource = existing('restart', target.agentId);
        boot(resource, target);
        return resultOf(resource);
      });
    },

    redeploy(target, ctx) {
      return run(state, 'redeploy', target.agentId, ctx.signal, () => {
        const old = resources.get(target.agentId);
        // Same credentials, new revision: the old resource is replaced by one built from it
        // (credentials the manager hands over — e.g. for a ghost with nothing to copy — win).
        const credentials = target.credentials ?? old?.credentials ?? null;
        return resultOf(build(state, target, ctx.operationId, credentials));
      });
    },

    recreate(target, ctx) {
      return run(state, 'recreate', target.agentId, ctx.signal, () =>
        resultOf(build(state, target, ctx.operationId, target.credentials)),
      );
    },

    destroy(target, ctx) {
      return run(state, 'destroy', target.agentId, ctx.signal, () => {
        const resource = dropResource(state, target.agentId);
        workspaces.delete(target.workspaceId);
        files.delete(target.workspaceId);
        if (resource !== undefined) {
          workspaces.delete(resource.workspaceId);
          files.delete(resource.workspaceId);
          roomFreed(state);
        }
        return undefined;
      });
    },

    inspect(agentId) {
      return run(state, 'inspect', agentId, null, () => inspectionOf(state, agentId));
    },

    list() {
      return run(state, 'list', null, null, () => {
        const agentIds = new Set([...resources.keys(), ...creating.keys()]);
        return [...agentIds].map((agentId) => inspectionOf(state, agentId));
      });
    },

    watch(listener) {
      state.watchers.add(listener);
      return () => {
        state.watchers.delete(listener);
      };
    },

    async dispose() {
      for (const controller of state.inFlight) controller.abort(new Error('memory driver disposed'));
      state.watchers.clear();
      state.roomWatchers.clear();
    },
  };
}
