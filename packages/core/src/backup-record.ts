/**
 * What Berth stores about a backup of an agent's workspace: one catalog entry per backup. The
 * catalog outlives the agent (destroy and purge keep it), so a backup can be restored into a
 * new agent after the one it came from is gone.
 *
 * @module
 */

/** Where a backup is: being taken, usable, or failed (a failed one holds nothing). */
export type BackupStatus = 'pending' | 'completed' | 'failed';

/** One backup of an agent's workspace. */
export interface BackupRecord {
  /** `bkp_…`. */
  readonly id: string;
  /** The agent it was taken from (it may be gone since). */
  readonly agentId: string;
  /** The agent's name when the backup was taken. */
  readonly agentName: string;
  readonly owner: string;
  /** The operator's label, if any. */
  readonly label: string | null;
  readonly status: BackupStatus;
  /** Size of the archive once completed. */
  readonly sizeBytes: number | null;
  /** The driver's handle for the archive (a file name, an object key), once completed. */
  readonly location: string | null;
  /** The operation that takes it (also the driver's idempotency key). */
  readonly operationId: string;
  /** Why it failed, for a failed backup. */
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly createdAt: number;
  /** When it completed or failed. */
  readonly finishedAt: number | null;
}
