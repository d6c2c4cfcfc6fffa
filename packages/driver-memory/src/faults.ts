/**
 * The memory driver's fault injection: failing or hanging the next call of an operation,
 * out-of-band changes (a crash, a removal, a health change) reported through `watch`, lost or
 * duplicated events, and a capacity that changes under the manager's feet.
 *
 * @module
 */
import { DriverError, type DriverEvent, ValidationError } from '@berth/core';
import { isCapacity } from './_internal/options.js';
import {
  dropResource,
  emit,
  type Fault,
  type MemoryState,
  type Mutable,
  roomFreed,
} from './_internal/state.js';
import type { MemoryDriver, MemoryOperation, MemoryResource } from './types.js';

/** Driver code of a failure injected by `failNext` without an explicit error. */
export const INJECTED_FAILURE = 'INJECTED_FAILURE';

/** The fault-injection half of {@link MemoryDriver}. */
export type MemoryFaults = Pick<
  MemoryDriver,
  | 'failNext'
  | 'hangNext'
  | 'crash'
  | 'remove'
  | 'setHealth'
  | 'dropEvents'
  | 'duplicateEvents'
  | 'setCapacity'
  | 'onCapacityAvailable'
>;

function count(what: string, n: number): number {
  if (!Number.isInteger(n) || n < 0) {
    throw new ValidationError(`${what}: n must be a whole number ≥ 0`, [
      { path: 'n', message: 'must be a whole number ≥ 0' },
    ]);
  }
  return n;
}

/** Fault injection over `state`. */
export function createFaults(state: MemoryState): MemoryFaults {
  function queueFault(op: MemoryOperation, fault: Fault): void {
    const queue = state.faults.get(op) ?? [];
    queue.push(fault);
    state.faults.set(op, queue);
  }

  function outOfBand(what: string, agentId: string): Mutable<MemoryResource> {
    const resource = state.resources.get(agentId);
    if (resource === undefined)
      throw new Error(`memory driver: ${what}(${agentId}): the agent has no resource`);
    return resource;
  }

  return {
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
      emit(state, event);
    },

    remove(agentId) {
      outOfBand('remove', agentId);
      dropResource(state, agentId);
      emit(state, { type: 'removed', agentId });
      roomFreed(state);
    },

    setHealth(agentId, health) {
      const resource = outOfBand('setHealth', agentId);
      resource.health = health;
      emit(state, { type: 'health', agentId, health });
    },

    dropEvents(n) {
      state.dropping += count('dropEvents', n);
    },

    duplicateEvents(n) {
      state.duplicating += count('duplicateEvents', n);
    },

    setCapacity(n) {
      if (!isCapacity(n)) {
        throw new ValidationError('setCapacity: capacity must be a whole number ≥ 0 (or Infinity)', [
          { path: 'capacity', message: 'must be a whole number ≥ 0 (or Infinity)' },
        ]);
      }
      const grew = n > state.capacity;
      state.capacity = n;
      if (grew) roomFreed(state);
    },

    onCapacityAvailable(listener) {
      state.roomWatchers.add(listener);
      return () => {
        state.roomWatchers.delete(listener);
      };
    },
  };
}
