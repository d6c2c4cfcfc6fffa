/**
 * Simulated endpoints: each agent with a resource is "served" on a port of 127.0.0.1 of its
 * own (nothing listens there: the memory driver runs no processes). A port is the agent's from
 * its first build until destroy removes the resource; then it is free for another agent.
 *
 * @module
 */
import type { Endpoint } from '@berth/core';
import { endpointsOf, type MemoryState } from './_internal/state.js';

/** The `endpoints` capability of the memory driver. */
export function createEndpoints(state: MemoryState): {
  endpoints(agentId: string): Promise<readonly Endpoint[]>;
} {
  return {
    async endpoints(agentId) {
      return endpointsOf(state.resources.get(agentId));
    },
  };
}
