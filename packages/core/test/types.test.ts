/** Type-level tests of the public API: what callers can and cannot write. */
import {
  type Action,
  type ActionAvailability,
  type AgentView,
  type BerthError,
  createLifecycleManager,
  type DispatchResult,
  type ErrorCode,
  type LifecycleDriver,
  type Status,
} from '@berth/core';
import { describe, expectTypeOf, it } from 'vitest';

describe('public types', () => {
  it('dispatch takes only canonical actions and returns the agent and the operation', () => {
    const manager = createLifecycleManager();
    expectTypeOf(manager.dispatch).parameter(1).toEqualTypeOf<Action>();
    expectTypeOf(manager.dispatch).returns.resolves.toEqualTypeOf<DispatchResult>();
    expectTypeOf<DispatchResult['operation']>().toEqualTypeOf<{
      readonly id: string;
      readonly action: Action;
    } | null>();
    const never = () => {
      // @ts-expect-error: 'reboot' is not a canonical action
      void manager.dispatch('agt_x', 'reboot');
    };
    expectTypeOf(never).toBeFunction();
  });

  it('views carry canonical statuses and structured availability', () => {
    expectTypeOf<AgentView['status']>().toEqualTypeOf<Status>();
    expectTypeOf<AgentView['availableActions']>().toEqualTypeOf<readonly Action[]>();
    expectTypeOf<Extract<ActionAvailability, { allowed: true }>['needsReason']>().toBeBoolean();
    expectTypeOf<Extract<ActionAvailability, { allowed: false }>['denial']['code']>().toBeString();
    expectTypeOf<Extract<ActionAvailability, { allowed: true }>>().not.toHaveProperty('denial');
  });

  it('error codes are a closed union', () => {
    expectTypeOf<BerthError['code']>().toEqualTypeOf<ErrorCode>();
    expectTypeOf<'ILLEGAL_TRANSITION'>().toExtend<ErrorCode>();
    expectTypeOf<'NOT_A_CODE'>().not.toExtend<ErrorCode>();
  });

  it('a driver needs only provision, start, stop, destroy and inspect', () => {
    const minimal = {
      name: 'minimal',
      provision: async () => undefined,
      start: async () => undefined,
      stop: async () => undefined,
      destroy: async () => undefined,
      inspect: async (agentId: string) => ({
        agentId,
        state: 'missing' as const,
        health: null,
        exitCode: null,
        resourceId: null,
        operationId: null,
        owner: null,
      }),
    };
    expectTypeOf(minimal).toExtend<LifecycleDriver>();
    expectTypeOf<Omit<typeof minimal, 'destroy'>>().not.toExtend<LifecycleDriver>();
  });
});
