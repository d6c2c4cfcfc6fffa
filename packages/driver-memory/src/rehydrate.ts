/**
 * Rehydration: the resources a previous process of the driver hosted, put back as a host that
 * rebooted shows them. The memory driver's "containers" die with its process; a platform that
 * restarts over a durable store tells the new driver what existed, and agents that were running
 * come back running (as under a restart policy), stopped ones stay stopped.
 *
 * @module
 */
import { build, type MemoryState } from './_internal/state.js';
import type { PriorLookup, PriorResource } from './types.js';

/** The operation id recorded on a rehydrated resource (`MemoryResource.operationId`). */
export const REHYDRATED = 'rehydrated';

/** `rehydrate(prior)` over `state`: returns how many resources it put back. */
export function createRehydrate(state: MemoryState): (prior: readonly PriorResource[]) => number {
  return (prior) => {
    let count = 0;
    for (const p of prior) {
      if (state.resources.has(p.agentId)) continue;
      const target = {
        agentId: p.agentId,
        owner: p.owner,
        name: p.name,
        workspaceId: p.workspaceId,
        spec: { image: p.revision.image, config: p.revision.config },
        revision: p.revision,
        credentials: null,
        secrets: {},
      };
      // Beyond the capacity a resource is not put back (reconcile will find a ghost).
      if (state.resources.size >= state.capacity) continue;
      const resource = build(state, target, REHYDRATED, null);
      if (p.state === 'stopped') {
        resource.state = 'stopped';
        resource.exitCode = 0;
      }
      count += 1;
    }
    return count;
  };
}

/** What asks for a prior resource on demand, and when. */
export interface OnDemand {
  /** Set (or clear, with null) the lookup. */
  set(lookup: PriorLookup | null): void;
  /** Whether an operation on `agentId` must first ask the lookup (synchronous: no extra tick otherwise). */
  needs(agentId: string): boolean;
  /** Ask the lookup about `agentId` and rehydrate what it answers. */
  ensure(agentId: string): Promise<void>;
}

/** On-demand rehydration over `state`, through `rehydrate`. */
export function createOnDemand(
  state: MemoryState,
  rehydrate: (prior: readonly PriorResource[]) => number,
): OnDemand {
  let lookup: PriorLookup | null = null;
  return {
    set(next) {
      lookup = next;
    },
    needs(agentId) {
      return lookup !== null && !state.resources.has(agentId) && !state.creating.has(agentId);
    },
    async ensure(agentId) {
      const prior = lookup === null ? null : await lookup(agentId);
      if (prior !== null && prior.agentId === agentId) rehydrate([prior]);
    },
  };
}
