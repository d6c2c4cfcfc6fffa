/**
 * Shared helpers for the statechart proofs (not a test file): the XState side of the
 * comparison, read independently of the compiled table, and a tiny chart-level agent that
 * plays what a manager does (operation ids, recovery counters) so scenarios read like the seeds.
 */
import { type AnyMachineSnapshot, initialTransition, transition } from 'xstate';
import {
  type Denial,
  type DenialCode,
  type GuardEnv,
  type LifecycleEventType,
  lifecycleMachine,
  type Status,
} from '../src/index.js';
import {
  type ChartContext,
  type ChartEvent,
  decide,
  explain,
  INITIAL_STATE,
  PERMISSIVE_ENV,
  statusOfState,
} from '../src/_internal/index.js';

/** Every code a refusal may carry. */
export const DENIAL_CODES: readonly DenialCode[] = [
  'ILLEGAL_TRANSITION',
  'OPERATION_IN_PROGRESS',
  'REASON_REQUIRED',
  'CONFIRMATION_REQUIRED',
  'QUOTA_EXCEEDED',
  'AGENT_PAUSED',
  'STALE_OPERATION',
];

/** The XState snapshot a new agent starts in. */
export function xstateInitial(context: ChartContext): AnyMachineSnapshot {
  return initialTransition(lifecycleMachine, context)[0] as AnyMachineSnapshot;
}

/** The same state value with another context (the manager recomputes the context per decision). */
export function withContext(snapshot: AnyMachineSnapshot, context: ChartContext): AnyMachineSnapshot {
  return lifecycleMachine.resolveState({
    value: snapshot.value,
    context,
  }) as unknown as AnyMachineSnapshot;
}

/** XState's pure step: the next snapshot and whether a transition was taken (the `accept` action ran). */
export function xstateStep(
  snapshot: AnyMachineSnapshot,
  event: ChartEvent,
): { next: AnyMachineSnapshot; accepted: boolean } {
  const [next, actions] = transition(lifecycleMachine, snapshot as never, event as never);
  return {
    next: next as AnyMachineSnapshot,
    accepted: actions.some((a: { type: string }) => a.type === 'accept'),
  };
}

function leafOf(value: unknown): string {
  let v = value;
  while (typeof v === 'object' && v !== null) {
    const keys = Object.keys(v);
    if (keys.length !== 1) throw new Error(`not a single-leaf value: ${JSON.stringify(value)}`);
    v = (v as Record<string, unknown>)[keys[0]!];
  }
  return String(v);
}

/**
 * The configuration key of an XState snapshot, read from its state value (same naming as the
 * table: runtime leaf, then `+paused`, `+disabled`, `+billing_suspended`).
 */
export function keyOfSnapshot(snapshot: AnyMachineSnapshot): string {
  const value = snapshot.value as string | { agent: Record<string, unknown> };
  if (typeof value === 'string') return value;
  const { runtime, admission, access, billing } = value.agent;
  let key = leafOf(runtime);
  if (admission === 'paused') key += '+paused';
  if (access === 'disabled') key += '+disabled';
  if (billing === 'suspended') key += '+billing_suspended';
  return key;
}

/** The effective status of an XState snapshot by the documented precedence, using `matches` only. */
export function statusOfSnapshot(snapshot: AnyMachineSnapshot): Status {
  if (snapshot.matches('deleted')) return 'deleted';
  if (snapshot.matches('deleting')) return 'deleting';
  if (snapshot.matches({ agent: { billing: 'suspended' } })) return 'billing_suspended';
  if (snapshot.matches({ agent: { access: 'disabled' } })) return 'disabled';
  if (snapshot.matches({ agent: { admission: 'paused' } })) return 'paused';
  const runtime = (snapshot.value as { agent: { runtime: unknown } }).agent.runtime;
  return leafOf(runtime) as Status;
}

/** Refused: the denial that explains it. */
export class Refused extends Error {
  constructor(readonly denial: Denial) {
    super(`${denial.code}: ${denial.detail}`);
  }
}

/** What a scenario step may carry. */
export interface StepInput {
  readonly reason?: string;
  readonly confirm?: string;
  readonly errorCode?: string;
}

const OUTCOMES: ReadonlySet<LifecycleEventType> = new Set(['provisioned', 'op_succeeded', 'op_failed']);
const TRANSIENT: ReadonlySet<string> = new Set([
  'provisioning',
  'starting',
  'restarting',
  'redeploying',
  'stopping',
  'deleting',
]);

/** The runtime state of a configuration key (`deleting` and `deleted` stand for themselves). */
function runtimeOf(key: string): string {
  return key.split('+')[0]!;
}

/**
 * A chart-level agent: the table decides, XState is checked in lockstep, and the helper plays
 * the manager's part — an operation id while a transient status runs, outcome events fenced to
 * it, and the recovery counter.
 */
export class ChartAgent {
  key = INITIAL_STATE;
  private snapshot: AnyMachineSnapshot;
  private ops = 0;
  context: ChartContext;

  constructor(
    readonly name: string,
    readonly kind: ChartContext['kind'] = 'managed',
    public env: GuardEnv = PERMISSIVE_ENV,
  ) {
    this.context = { name, kind, operationId: null, recoveryAttempts: 0 };
    this.snapshot = xstateInitial(this.context);
  }

  /** The effective status. */
  get status(): Status {
    return statusOfState(this.key);
  }

  /** Send an event; returns the new status or throws {@link Refused}. */
  send(type: LifecycleEventType, input: StepInput = {}): Status {
    const event: ChartEvent = {
      type,
      ...input,
      operationId: OUTCOMES.has(type) ? (this.context.operationId ?? undefined) : undefined,
      env: this.env,
    };
    const t = decide(this.key, event, this.context);
    const x = xstateStep(withContext(this.snapshot, this.context), event);
    if ((t !== null) !== x.accepted || (t !== null && t.to !== keyOfSnapshot(x.next)))
      throw new Error(`table and XState disagree on ${type} from ${this.key}`);
    if (t === null) throw new Refused(explain(this.key, event, this.context));
    const before = runtimeOf(this.key);
    this.key = t.to;
    this.snapshot = x.next;
    // Play the manager: an event that enters a transient status starts an operation with a fresh
    // id (superseding any in flight); an outcome that moves on to another transient status
    // (provisioned) keeps it; settling clears it.
    const after = runtimeOf(this.key);
    let operationId = this.context.operationId;
    if (after !== before) {
      if (!TRANSIENT.has(after)) operationId = null;
      else if (!OUTCOMES.has(type)) operationId = `op-${++this.ops}`;
    }
    this.context = {
      ...this.context,
      operationId,
      recoveryAttempts: after === 'running' ? 0 : this.context.recoveryAttempts,
    };
    return this.status;
  }

  /** Send an event that must be refused; returns the denial. */
  refuse(type: LifecycleEventType, input: StepInput = {}): Denial {
    const before = this.key;
    try {
      this.send(type, input);
    } catch (error) {
      if (error instanceof Refused) {
        if (this.key !== before) throw new Error('a refusal changed the state');
        return error.denial;
      }
      throw error;
    }
    throw new Error(`${type} was accepted from ${before}; expected a refusal`);
  }
}
