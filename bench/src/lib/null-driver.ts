/**
 * A driver that does nothing and keeps nothing: every operation succeeds at once. The scale
 * measurement uses it so the heap it reports is Berth's (manager and store), not a driver's.
 *
 * @module
 */
import type { DriverInspection, LifecycleDriver } from '@berth/core';

/** A stateless, instant driver (no restart/redeploy/recreate capabilities). */
export function createNullDriver(): LifecycleDriver {
  const done = async () => undefined;
  return {
    name: 'null',
    provision: done,
    start: done,
    stop: done,
    destroy: done,
    async inspect(agentId): Promise<DriverInspection> {
      return {
        agentId,
        state: 'running',
        health: null,
        exitCode: null,
        resourceId: null,
        operationId: null,
        owner: null,
      };
    },
  };
}
