/**
 * Fast lifecycle decisions from the compiled statechart.
 *
 * `decide` answers "where does this event take this agent?" with a table lookup and a few
 * guard calls; `availableActions` answers "which buttons can a person press, and why not the
 * others?". Both read the table compiled once from {@link lifecycleMachine}.
 *
 * @module
 */
import {
  type CompiledChart,
  type CompiledTransition,
  type Configuration,
  compileChart,
  EVENT_TYPES,
} from './_internal/compile.js';
import {
  type ChartContext,
  type ChartEvent,
  type DenialCode,
  GUARD_EXPLANATIONS,
  type GuardEnv,
  type GuardName,
} from './guards.js';
import { ACTIONS, type Action, type LifecycleEventType, STATUS_KINDS, type Status } from './vocabulary.js';

export type { CompiledTransition, Configuration } from './_internal/compile.js';
export { configurationKey, EVENT_TYPES, statusOfConfiguration } from './_internal/compile.js';

/** The compiled table, built once when this module loads. */
export const compiledChart: CompiledChart = compileChart();

/** The configuration key every new agent starts in (`pending`). */
export const INITIAL_STATE: string = compiledChart.initial;

/** All reachable configuration keys (e.g. `running`, `running+paused`, `deleted`). */
export const STATE_KEYS: readonly string[] = compiledChart.keys;

const { table, statusOf, configurations } = compiledChart;

/** True when `key` is a reachable configuration key. */
export function isStateKey(key: unknown): key is string {
  return typeof key === 'string' && statusOf.has(key);
}

/** The effective status of a configuration key. Throws on an unknown key. */
export function statusOfState(key: string): Status {
  const status = statusOf.get(key);
  if (status === undefined) throw new TypeError(`berth: unknown lifecycle state '${key}'`);
  return status;
}

/** The configuration (one leaf per region) behind a key. */
export function configurationOf(key: string): Configuration {
  const config = configurations.get(key);
  if (config === undefined) throw new TypeError(`berth: unknown lifecycle state '${key}'`);
  return config;
}

function candidates(key: string, type: LifecycleEventType): readonly CompiledTransition[] | undefined {
  const byEvent = table.get(key);
  if (byEvent === undefined) throw new TypeError(`berth: unknown lifecycle state '${key}'`);
  return byEvent.get(type);
}

/**
 * The transition `event` takes from state `key`, or `null` when it is refused. Pure and
 * allocation-free: this is the hot path every dispatch goes through.
 */
export function decide(key: string, event: ChartEvent, context: ChartContext): CompiledTransition | null {
  const list = candidates(key, event.type);
  if (list === undefined) return null;
  outer: for (let i = 0; i < list.length; i++) {
    const t = list[i]!;
    if (t.blockedBy !== null) continue;
    const checks = t.checks;
    for (let j = 0; j < checks.length; j++) if (!checks[j]!(context, event)) continue outer;
    return t;
  }
  return null;
}

/** Why an action or event was refused. */
export interface Denial {
  /** Stable code (the HTTP contract's codes). */
  readonly code: DenialCode;
  /** A sentence for a person. */
  readonly detail: string;
  /** What would unblock it. */
  readonly unblock: string;
  /**
   * The guard that refused (`precondition:<name>` for an embedder's precondition), or `null`
   * when no transition exists for this status.
   */
  readonly guard: GuardName | `precondition:${string}` | null;
  /** For `PRECONDITION_FAILED`: the embedder's reason code (e.g. `MODEL_PRICE_BOOK_MISSING`). */
  readonly reason?: string;
}

function firstFailingGuard(
  t: CompiledTransition,
  context: ChartContext,
  event: ChartEvent,
): GuardName | null {
  for (const g of t.guards) {
    if (g === t.blockedBy) return g;
    const index = t.dataGuards.indexOf(g as never);
    if (index >= 0 && !t.checks[index]!(context, event)) return g;
  }
  return null;
}

/** Explain why `event` is refused in state `key` (call after {@link decide} returned `null`). */
export function explain(key: string, event: ChartEvent, context: ChartContext): Denial {
  const status = statusOfState(key);
  const list = candidates(key, event.type);
  const first = list?.[0];
  if (first !== undefined) {
    const guard = firstFailingGuard(first, context, event);
    if (guard !== null) {
      const why = GUARD_EXPLANATIONS[guard];
      return {
        code: why.code,
        detail: why.detail(event.type, context, event.env),
        unblock: why.unblock,
        guard,
      };
    }
  }
  if (status === 'deleted') {
    return {
      code: 'ILLEGAL_TRANSITION',
      detail: `cannot ${event.type}: the agent is deleted`,
      unblock: 'Nothing: deleted is final.',
      guard: null,
    };
  }
  if (STATUS_KINDS[status] === 'transient' || context.operationId !== null) {
    return {
      code: 'OPERATION_IN_PROGRESS',
      detail: `cannot ${event.type}: already ${status}`,
      unblock: 'Wait for the operation in flight to settle.',
      // Named only when it really fails (an agent in a transient status has its operation).
      guard: context.operationId !== null ? 'noOperationInFlight' : null,
    };
  }
  return {
    code: 'ILLEGAL_TRANSITION',
    detail: `cannot ${event.type} an agent that is ${status}`,
    unblock: `From ${status}, allowed: ${allowedActions(key, context, event.env).join(', ') || 'nothing'}.`,
    guard: null,
  };
}

/** One action as a dashboard sees it: allowed (maybe needing a reason or the typed name) or refused. */
export type ActionAvailability =
  | {
      readonly action: Action;
      readonly allowed: true;
      /** The action needs a reason (policy). */
      readonly needsReason: boolean;
      /** The action needs `confirm` equal to the agent's name (policy). */
      readonly needsConfirmation: boolean;
      /** The status the agent will show right after the action is accepted. */
      readonly next: Status;
    }
  | { readonly action: Action; readonly allowed: false; readonly denial: Denial };

/**
 * Every action with `allowed: true` or its structured denial, for an agent in state `key`.
 * A reason or confirmation the policy asks for does not make an action unavailable: the
 * person is asked for it (`needsReason`, `needsConfirmation`).
 */
export function availableActions(key: string, context: ChartContext, env: GuardEnv): ActionAvailability[] {
  return ACTIONS.map((action) => {
    const needsReason = env.requireReason.includes(action);
    const needsConfirmation = env.requireConfirm.includes(action);
    const event: ChartEvent = {
      type: action,
      reason: needsReason ? 'reason' : undefined,
      confirm: needsConfirmation ? context.name : undefined,
      env,
    };
    const t = decide(key, event, context);
    if (t !== null)
      return { action, allowed: true, needsReason, needsConfirmation, next: statusOfState(t.to) };
    return { action, allowed: false, denial: explain(key, event, context) };
  });
}

/** The names of the actions allowed now (what API.md calls `availableActions`). */
export function allowedActions(key: string, context: ChartContext, env: GuardEnv): Action[] {
  const out: Action[] = [];
  for (const action of ACTIONS) {
    const event: ChartEvent = {
      type: action,
      reason: 'reason',
      confirm: context.name,
      env,
    };
    if (decide(key, event, context) !== null) out.push(action);
  }
  return out;
}

/**
 * Every compiled transition that can fire (configuration level), for docs and proofs.
 *
 * A candidate is left out when a state guard blocks it in its configuration, or when an
 * earlier candidate for the same event always fires whenever it could (its data guards are a
 * subset of this one's): e.g. in `degraded` a heartbeat always takes degraded's own transition
 * to `running`, never the runtime region's refresh-only one.
 */
export function allTransitions(): CompiledTransition[] {
  const out: CompiledTransition[] = [];
  for (const key of STATE_KEYS) {
    for (const type of EVENT_TYPES) {
      const open = (table.get(key)?.get(type) ?? []).filter((t) => t.blockedBy === null);
      open.forEach((t, i) => {
        const shadowed = open
          .slice(0, i)
          .some((earlier) => earlier.dataGuards.every((g) => t.dataGuards.includes(g)));
        if (!shadowed) out.push(t);
      });
    }
  }
  return out;
}
