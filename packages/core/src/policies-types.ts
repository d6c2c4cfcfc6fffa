/**
 * The policies a manager runs with: which actions need a reason or a typed confirmation,
 * quotas and timings (the defaults are `DEFAULT_POLICIES`).
 *
 * @module
 */
import type { Action } from './vocabulary.js';

/** Policies: which actions need a reason or a typed confirmation, quotas, timings. */
export interface LifecyclePolicies {
  /** Actions that need a reason. @default ['pause'] */
  readonly requireReason?: readonly Action[];
  /** Actions that need `confirm` equal to the agent's name. @default ['recreate', 'destroy'] */
  readonly requireConfirm?: readonly Action[];
  /** Slots per owner (stopped agents keep theirs; destroy frees one). @default Infinity */
  readonly slotsPerOwner?: number;
  /** A heartbeat older than this makes a running agent degraded. @default 90_000 */
  readonly heartbeatTimeoutMs?: number;
  /** Deadline of each driver operation. @default 600_000 */
  readonly operationTimeoutMs?: number;
  /** Automatic recovery restarts for a degraded managed agent before it is failed. @default 3 */
  readonly maxRecoveryAttempts?: number;
  /** Backoff base for recovery, waitlist and destroy retries (doubles each attempt). @default 1_000 */
  readonly retryBaseMs?: number;
  /** Backoff ceiling. @default 60_000 */
  readonly retryMaxMs?: number;
  /** How long a deleted agent stays readable before it is purged. @default 7 days */
  readonly deletedGraceMs?: number;
  /** Minimum time between two audited heartbeats of one agent. @default 5 minutes */
  readonly heartbeatAuditIntervalMs?: number;
  /** Default lifetime of a registration token. @default 1 hour */
  readonly registrationTokenTtlMs?: number;
  /**
   * Identical refusals (same actor, action, code, reason, status and version) less than this
   * apart fold into one audit entry whose `metadata.repeats` counts them; `0` records each.
   * @default 1 minute
   */
  readonly refusalFoldMs?: number;
}
