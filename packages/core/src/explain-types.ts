/**
 * Why an agent is in its status: what `manager.explain(id)` and `GET /agents/:id/explain` answer.
 *
 * @module
 */
import type { Status } from './vocabulary.js';

/**
 * What a cause is about:
 * - `transition`: an accepted action or event moved the agent (who, from, to, why);
 * - `guard`: a refused action and the guard or precondition that refused it;
 * - `heartbeat`: how old the last sign of life is, against the timeout;
 * - `driver_error`: an operation failed, the runtime exited, or the driver lost the resource;
 * - `recovery`: automatic recovery attempts and when the next one is due;
 * - `operation`: the driver operation in flight;
 * - `policy`: a policy that keeps the agent where it is (waitlist, recovery limit, grace period).
 */
export type ExplanationKind =
  | 'transition'
  | 'guard'
  | 'heartbeat'
  | 'driver_error'
  | 'recovery'
  | 'operation'
  | 'policy';

/** One reason the agent is (or stays) in its status. */
export interface ExplanationCause {
  /** When it happened, or `now` for what holds at the moment of asking (ISO-8601). */
  readonly at: string;
  readonly kind: ExplanationKind;
  /** One sentence for an operator, e.g. `heartbeat 95 s old > 90 s`. */
  readonly detail: string;
}

/** Why an agent is in its status now. */
export interface AgentExplanation {
  readonly status: Status;
  /** When the agent entered this status (or began the trouble that keeps it there). */
  readonly since: string;
  /** The status, since when, and the causes in one line. */
  readonly summary: string;
  /** Oldest first: what put the agent here, then what keeps it here. */
  readonly causes: readonly ExplanationCause[];
}
