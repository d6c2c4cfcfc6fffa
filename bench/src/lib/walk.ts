/**
 * The fixed lifecycle walk every decision contender takes: create → provisioning → starting →
 * running → pause → resume → stop → start → restart → redeploy → destroy → deleted, then a new
 * agent. Each step is an event with its payload and the agent's context at that moment (the
 * operation in flight, which outcome events must match).
 *
 * @module
 */
import { type GuardEnv, type LifecycleEventType, lifecycleMachine } from '@berth/core';
import {
  type ChartContext,
  type ChartEvent,
  configurationKey,
  DATA_GUARDS,
  INITIAL_STATE,
  PERMISSIVE_ENV,
} from '@berth/core/internal';

/** The environment of a manager with the default policies (pause needs a reason, destroy a typed name). */
export const WALK_ENV: GuardEnv = Object.freeze({
  ...PERMISSIVE_ENV,
  requireReason: ['pause'] as const,
  requireConfirm: ['recreate', 'destroy'] as const,
  driverName: 'memory',
});

/** The agent's name (destroy is confirmed with it). */
export const WALK_NAME = 'walker';

/** One step: the event, the agent's context when it arrives, and the configuration it must lead to. */
export interface WalkStep {
  readonly event: ChartEvent;
  readonly context: ChartContext;
  readonly to: string;
}

const idle: ChartContext = Object.freeze({
  name: WALK_NAME,
  kind: 'managed',
  operationId: null,
  recoveryAttempts: 0,
});
const busy = (operationId: string): ChartContext => Object.freeze({ ...idle, operationId });

function step(
  type: LifecycleEventType,
  to: string,
  context: ChartContext,
  extra: Partial<ChartEvent> = {},
): WalkStep {
  return Object.freeze({ event: Object.freeze({ type, env: WALK_ENV, ...extra }), context, to });
}

const outcome = (type: 'provisioned' | 'op_succeeded', op: string, to: string) =>
  step(type, to, busy(op), { operationId: op });

/** The walk: 15 decisions from a new agent to `deleted`. */
export const WALK: readonly WalkStep[] = Object.freeze([
  step('deploy', 'provisioning', idle),
  outcome('provisioned', 'op_1', 'starting'),
  outcome('op_succeeded', 'op_2', 'running'),
  step('pause', 'running+paused', idle, { reason: 'bench' }),
  step('resume', 'running', idle),
  step('stop', 'stopping', idle),
  outcome('op_succeeded', 'op_3', 'stopped'),
  step('start', 'starting', idle),
  outcome('op_succeeded', 'op_4', 'running'),
  step('restart', 'restarting', idle),
  outcome('op_succeeded', 'op_5', 'running'),
  step('redeploy', 'redeploying', idle),
  outcome('op_succeeded', 'op_6', 'running'),
  step('destroy', 'deleting', idle, { confirm: WALK_NAME }),
  outcome('op_succeeded', 'op_7', 'deleted'),
]);

/** The configuration key every walk starts from (`pending`). */
export const WALK_START: string = INITIAL_STATE;

/** An XState event: the chart event plus the agent context it is decided against. */
export type ActorEvent = ChartEvent & { readonly ctx: ChartContext };

/** The walk's events for XState (the context rides on the event: the machine has no `assign`). */
export const ACTOR_WALK: readonly ActorEvent[] = WALK.map((s) =>
  Object.freeze({ ...s.event, ctx: s.context }),
);

/**
 * The lifecycle machine with its data guards reading the context carried by the event: the
 * same guard functions, but the chart has no `assign`, and a walk through outcome events that
 * must match the operation in flight needs the context to change from step to step.
 */
export function walkMachine(): typeof lifecycleMachine {
  const guards = Object.fromEntries(
    Object.entries(DATA_GUARDS).map(([name, check]) => [
      name,
      ({ event }: { event: ActorEvent }) =>
        (check as (c: ChartContext, e: ChartEvent) => boolean)(event.ctx, event),
    ]),
  );
  return lifecycleMachine.provide({ guards: guards as never });
}

/** The configuration key of an XState snapshot value (for checking that every contender agrees). */
export function keyOfSnapshotValue(value: unknown): string {
  if (typeof value === 'string') return value;
  const agent = (value as { agent: Record<string, unknown> }).agent;
  const leaf = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const [k, inner] = Object.entries(v as Record<string, unknown>)[0]!;
    return typeof inner === 'string' || typeof inner === 'object' ? leaf(inner) : k;
  };
  return configurationKey({
    runtime: leaf(agent.runtime),
    admission: leaf(agent.admission),
    access: leaf(agent.access),
    billing: leaf(agent.billing),
  });
}
