/**
 * Rehydration: the resources a previous process of the driver hosted, put back as a host that
 * rebooted shows them. The memory driver's "containers" die with its process; a platform that
 * restarts over a durable store tells the new driver what existed, and agents that were running
 * come back running (as under a restart policy), stopped ones stay stopped.
 *
 * @module
 */
import { build, type MemoryState } from './_internal/state.js';
import type { PriorResource } from './types.js';

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
