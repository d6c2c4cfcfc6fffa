/**
 * Leases on operations, for stores that several instances share: which instance runs an
 * operation's driver call now, for how long, and which operations lost their instance.
 *
 * @module
 */
import type { AgentRecord } from './record.js';

/** What {@link OperationLeases.acquire} got. */
export interface LeaseClaim {
  /** The lease was taken from an instance whose lease ran out (it died, or stalled): a takeover. */
  readonly takeover: boolean;
}

/**
 * Leases on operations (optional on a store: stores one process owns have none, and the manager
 * then runs every operation it commits, as before). Times are the store's clock — PostgreSQL's
 * `now()`, never an instance's — so clock skew between instances never matters.
 */
export interface OperationLeases {
  /** This handle's instance id (the holder of the leases it takes). */
  readonly holder: string;
  /** How long a lease lasts unless renewed (ms). An instance that dies loses its operations within twice this. */
  readonly leaseMs: number;
  /**
   * Take the lease on an operation for {@link OperationLeases.holder}: when nobody holds it, when
   * it is ours already, or when the holder's lease ran out (a takeover). Null when another
   * instance's lease is live.
   */
  acquire(agentId: string, operationId: string): Promise<LeaseClaim | null>;
  /** Extend our lease; false when it is no longer ours (another instance took it over). */
  renew(operationId: string): Promise<boolean>;
  /** Give our lease up (the operation's outcome is committed). */
  release(operationId: string): Promise<void>;
  /**
   * Agents whose operation in flight has no live lease (its instance died, or never got to take
   * one), at most `limit`: the operations another instance should take over.
   */
  orphaned(limit: number): Promise<string[]>;
  /**
   * The sweeper's share of the due records: up to `limit` records whose `dueAt` is at or before
   * `now` (earliest first) that no other instance is sweeping, claimed for this instance for a
   * lease (`FOR UPDATE SKIP LOCKED`): N instances sweep without double work. A claim ends with
   * the record's next commit or when the lease runs out.
   */
  claimDue(now: number, limit: number): Promise<AgentRecord[]>;
  /**
   * Hold the lease of a process-wide job (waitlist promotion, purges) for this instance: its
   * generation (which grows with every change of holder) while the lease is ours — taken when
   * free or run out, renewed when ours — or null while another instance holds it.
   */
  holdJob(job: string): Promise<number | null>;
}
