/**
 * Following one agent's audit trail as it grows, from whichever process commits to it.
 *
 * @module
 */
import type { AuditEntry } from './record.js';

/** Options of {@link ManagerFollow.follow}. */
export interface FollowOptions {
  /** Deliver entries with `seq` greater than this. @default the agent's head when following starts */
  readonly afterSeq?: number;
  /** Only another owner's agent: `AGENT_NOT_FOUND`. */
  readonly owner?: string;
}

/** The part of the manager that follows audit trails. */
export interface ManagerFollow {
  /**
   * Deliver each audit entry appended to the agent's trail after `afterSeq`, in `seq` order with
   * no gaps, whichever instance wrote it — when the store is shared (it has a change feed, as
   * `@berth/store-postgres` does). Entries are read from the store by a cursor; this manager's own
   * commits and the store's wake-ups only say when to read.
   *
   * @returns The function that stops following, or `null` when the store is not shared (then
   *   this manager's `transition` and `audit` events see every change already).
   * @throws `AGENT_NOT_FOUND` for an unknown id or another owner's agent.
   * @throws `MANAGER_CLOSED` after `close()`.
   */
  follow(
    agentId: string,
    listener: (entry: AuditEntry) => void,
    options?: FollowOptions,
  ): Promise<(() => void) | null>;
}
