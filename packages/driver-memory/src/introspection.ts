/**
 * The memory driver's introspection: what it holds now (resources, workspaces), every call it
 * answered (the call log, fed by `defineDriver`'s call hook), and how often it built a resource.
 *
 * @module
 */
import type { DriverCall, DriverCallOutcome } from '@berth/core';
import { logCall, type MemoryState } from './_internal/state.js';
import type { MemoryDriver, MemoryOperation } from './types.js';

/** The introspection half of {@link MemoryDriver} (`calls` is a getter). */
export type MemoryIntrospection = Pick<MemoryDriver, 'resources' | 'workspaces' | 'calls' | 'resourceCount'>;

/** The `onCall` hook of `defineDriver`: every lifecycle call goes into the log, then its outcome. */
export function recordCalls(state: MemoryState): (call: DriverCall) => (outcome: DriverCallOutcome) => void {
  return (call) => {
    const entry = logCall(
      state,
      call.operation as MemoryOperation,
      call.agentId,
      call.operationId,
      call.replayed,
    );
    return (outcome) => {
      entry.outcome = outcome;
    };
  };
}

/** Introspection over `state`. */
export function createIntrospection(state: MemoryState): MemoryIntrospection {
  return {
    resources() {
      return [...state.resources.values()].map((resource) => ({
        ...resource,
        config: structuredClone(resource.config),
        credentials: resource.credentials && { ...resource.credentials },
        secrets: { ...resource.secrets },
        env: { ...resource.env },
      }));
    },

    workspaces() {
      return [...state.workspaces.values()].map((workspace) => ({ ...workspace }));
    },

    get calls() {
      return state.calls.map((call) => ({ ...call }));
    },

    resourceCount(agentId) {
      return state.built.get(agentId) ?? 0;
    },
  };
}
