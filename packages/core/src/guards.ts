/**
 * The named guards of the lifecycle statechart: what each one checks, and how a refusal is
 * explained to a person (a stable error code, a sentence, and what would unblock it).
 *
 * Guards come in two sorts:
 * - **state guards** depend only on where the agent is in the chart (is it paused? disabled?);
 *   they are XState `stateIn` guards and the compiled table resolves them ahead of time;
 * - **data guards** look at the agent's context, the event payload and the environment
 *   (policies, driver capabilities, quota); the compiled table evaluates them per decision.
 *
 * @module
 */
import type { Action, AgentKind, LifecycleEventType } from './vocabulary.js';

/** The facts about one agent that data guards read. */
export interface ChartContext {
  /** The agent's name: destructive actions are confirmed by typing it. */
  readonly name: string;
  /** Managed (driver-run) or self-hosted (registers and heartbeats). */
  readonly kind: AgentKind;
  /** The operation in flight, if any. */
  readonly operationId: string | null;
  /** How many automatic recovery restarts have been tried since the agent was last healthy. */
  readonly recoveryAttempts: number;
}

/**
 * Facts from outside the agent record that guards need, computed by the manager for each
 * decision: the policies in force, what the driver can do, and the owner's quota.
 */
export interface GuardEnv {
  /** Actions that need a non-blank reason. */
  readonly requireReason: readonly Action[];
  /** Actions that need `confirm` equal to the agent's name. */
  readonly requireConfirm: readonly Action[];
  /** Actions the driver cannot perform (from its declared capabilities). */
  readonly unsupported: readonly Action[];
  /** Whether the owner has a free slot for one more agent. */
  readonly slotAvailable: boolean;
  /** How many automatic recovery restarts to try before giving up (failed). */
  readonly maxRecoveryAttempts: number;
  /** The driver's name, used in refusal messages. */
  readonly driverName: string;
}

/** An event as the statechart sees it: its type, its payload, and the environment. */
export interface ChartEvent {
  readonly type: LifecycleEventType;
  readonly reason?: string | undefined;
  readonly confirm?: string | undefined;
  /** For operation outcomes: which operation finished (fencing). */
  readonly operationId?: string | undefined;
  /** For `op_failed`: the driver's error code (e.g. `NO_CAPACITY`). */
  readonly errorCode?: string | undefined;
  readonly env: GuardEnv;
}

/** The environment with every policy off: no reason or confirmation needed, all supported. */
export const PERMISSIVE_ENV: GuardEnv = Object.freeze({
  requireReason: [],
  requireConfirm: [],
  unsupported: [],
  slotAvailable: true,
  maxRecoveryAttempts: 3,
  driverName: 'driver',
});

type DataGuard = (context: ChartContext, event: ChartEvent) => boolean;

const hasText = (value: string | undefined): boolean => typeof value === 'string' && value.trim() !== '';

/** Data guards: pure functions of (context, event). The XState machine and the table share them. */
export const DATA_GUARDS = {
  /** The agent is run by a driver. */
  isManaged: (c) => c.kind === 'managed',
  /** The agent runs itself and heartbeats. */
  isSelfHosted: (c) => c.kind === 'self_hosted',
  /** No operation is in flight ("already provisioning"). */
  noOperationInFlight: (c) => c.operationId === null,
  /** A reason is given when the policy asks for one for this action. */
  reasonProvided: (_c, e) => !e.env.requireReason.includes(e.type as Action) || hasText(e.reason),
  /** `confirm` equals the agent's name when the policy asks for a typed confirmation. */
  confirmationMatches: (c, e) => !e.env.requireConfirm.includes(e.type as Action) || e.confirm === c.name,
  /** The driver declares it can do what this action needs. */
  driverSupports: (_c, e) => !e.env.unsupported.includes(e.type as Action),
  /** The owner has a free slot (stopped agents keep theirs; only destroy frees one). */
  slotAvailable: (_c, e) => e.env.slotAvailable,
  /** The outcome belongs to the operation in flight (a superseded one is fenced off). */
  isCurrentOperation: (c, e) => c.operationId !== null && e.operationId === c.operationId,
  /** The driver failed for lack of room: wait in line instead of failing. */
  isCapacityFailure: (_c, e) => e.errorCode === 'NO_CAPACITY',
  /** An automatic recovery restart failed and attempts remain: back to degraded, retry later. */
  canRetryRecovery: (c, e) => c.recoveryAttempts > 0 && c.recoveryAttempts < e.env.maxRecoveryAttempts,
  /** Automatic recovery has used up its attempts: a still-unhealthy agent is failed. */
  recoveryExhausted: (c, e) => c.recoveryAttempts >= e.env.maxRecoveryAttempts,
} satisfies Record<string, DataGuard>;

/** Name of a data guard. */
export type DataGuardName = keyof typeof DATA_GUARDS;

/**
 * State guards: the chart state id each one tests (XState `stateIn`). Resolved ahead of time
 * by the compiled table because they depend only on the configuration.
 */
export const STATE_GUARDS = {
  /** Admission is closed (the agent is paused). */
  isPaused: '#berth.agent.admission.paused',
  /** Admission is open. */
  isAdmitting: '#berth.agent.admission.open',
  /** Access is switched off. */
  isDisabled: '#berth.agent.access.disabled',
  /** Access is on. */
  isEnabled: '#berth.agent.access.enabled',
  /** Billing is in good standing. */
  isInGoodStanding: '#berth.agent.billing.good',
  /** The runtime is up (running or degraded). */
  isUp: '#berth.agent.runtime.settled.up',
} as const;

/** Name of a state guard. */
export type StateGuardName = keyof typeof STATE_GUARDS;

/** Name of any guard in the chart. */
export type GuardName = DataGuardName | StateGuardName;

/** Stable codes a refusal carries (the same codes the HTTP contract uses). */
export type DenialCode =
  | 'ILLEGAL_TRANSITION'
  | 'OPERATION_IN_PROGRESS'
  | 'REASON_REQUIRED'
  | 'CONFIRMATION_REQUIRED'
  | 'QUOTA_EXCEEDED'
  | 'AGENT_PAUSED'
  | 'STALE_OPERATION'
  | 'PRECONDITION_FAILED';

/** How a guard's refusal is told to a person. */
export interface GuardExplanation {
  readonly code: DenialCode;
  /** What is wrong, for this agent and action. */
  readonly detail: (action: string, context: ChartContext, env: GuardEnv) => string;
  /** What would make the action possible. */
  readonly unblock: string;
}

/** One explanation per guard: the single place refusal wording lives. */
export const GUARD_EXPLANATIONS: Readonly<Record<GuardName, GuardExplanation>> = {
  isManaged: {
    code: 'ILLEGAL_TRANSITION',
    detail: (a) =>
      `'${a}' needs a managed agent; a self-hosted agent only allows disable, enable and destroy`,
    unblock: 'Run the agent under a driver (create it with POST /agents) to manage its runtime.',
  },
  isSelfHosted: {
    code: 'ILLEGAL_TRANSITION',
    detail: (a) => `'${a}' only applies to self-hosted agents`,
    unblock: 'Nothing: managed agents come up through their driver.',
  },
  noOperationInFlight: {
    code: 'OPERATION_IN_PROGRESS',
    detail: (a) => `cannot ${a}: an operation is already in flight`,
    unblock: 'Wait for the operation in flight to settle.',
  },
  reasonProvided: {
    code: 'REASON_REQUIRED',
    detail: (a) => `'${a}' needs a reason`,
    unblock: 'Give a reason; it is recorded in the audit trail.',
  },
  confirmationMatches: {
    code: 'CONFIRMATION_REQUIRED',
    detail: (a, c) => `'${a}' must be confirmed by typing the agent's name ("${c.name}")`,
    unblock: "Send confirm equal to the agent's name.",
  },
  driverSupports: {
    code: 'ILLEGAL_TRANSITION',
    detail: (a, _c, env) => `driver '${env.driverName}' cannot ${a}`,
    unblock: 'Use a driver that declares this capability.',
  },
  slotAvailable: {
    code: 'QUOTA_EXCEEDED',
    detail: () => 'the owner has no free slot (stopped agents keep theirs; only destroy frees one)',
    unblock: 'Destroy an agent you no longer need, or raise the quota.',
  },
  isCurrentOperation: {
    code: 'STALE_OPERATION',
    detail: () => 'the outcome belongs to an operation that was superseded',
    unblock: 'Nothing: late outcomes of superseded operations are discarded.',
  },
  isCapacityFailure: {
    code: 'ILLEGAL_TRANSITION',
    detail: () => 'the failure was not for lack of capacity',
    unblock: 'Nothing.',
  },
  canRetryRecovery: {
    code: 'ILLEGAL_TRANSITION',
    detail: () => 'no recovery attempts left',
    unblock: 'Nothing.',
  },
  recoveryExhausted: {
    code: 'ILLEGAL_TRANSITION',
    detail: () => 'automatic recovery still has attempts left',
    unblock: 'Nothing.',
  },
  isPaused: {
    code: 'ILLEGAL_TRANSITION',
    detail: () => 'already running: the agent is not paused, so there is nothing to resume',
    unblock: 'Nothing to do.',
  },
  isAdmitting: {
    code: 'ILLEGAL_TRANSITION',
    detail: (a) => `cannot ${a}: the agent is paused`,
    unblock: 'Resume the agent first.',
  },
  isDisabled: {
    code: 'ILLEGAL_TRANSITION',
    detail: () => 'the agent is not disabled',
    unblock: 'Nothing to do.',
  },
  isEnabled: {
    code: 'ILLEGAL_TRANSITION',
    detail: (a) => `cannot ${a}: the agent is disabled`,
    unblock: 'Enable the agent first.',
  },
  isInGoodStanding: {
    code: 'ILLEGAL_TRANSITION',
    detail: (a) => `cannot ${a}: the agent is suspended for billing`,
    unblock: 'Resolve the billing problem; the agent returns to where it was.',
  },
  isUp: {
    code: 'ILLEGAL_TRANSITION',
    detail: (a) => `cannot ${a}: the agent is not up (running or degraded)`,
    unblock: 'Start the agent first.',
  },
};

/** True when `name` is a state guard. */
export function isStateGuard(name: string): name is StateGuardName {
  return Object.hasOwn(STATE_GUARDS, name);
}
