/**
 * What the manager's maintenance calls report: one sweep (`tick`) and one reconciliation.
 *
 * @module
 */

/** What one sweep did. */
export interface TickReport {
  readonly timedOut: number;
  readonly stale: number;
  readonly recovered: number;
  readonly waitlistRetries: number;
  readonly destroyRetries: number;
  readonly purged: number;
}

/** What `reconcile` found and did. */
export interface ReconcileReport {
  readonly ghosts: readonly string[];
  readonly orphansRemoved: readonly string[];
  readonly orphansAdopted: readonly string[];
}
