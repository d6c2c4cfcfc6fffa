/**
 * What Berth stores about a service an agent reports: one row per (owner, code). The row keeps
 * its identity when another agent of the owner reports the same code (the service moved), and
 * outlives the agent that last reported it (its effective status is then `stale`).
 *
 * @module
 */

/** What the reporting agent says of a service. */
export type ServiceStatus = 'up' | 'down' | 'degraded' | 'unknown';

/** One service, as last reported. */
export interface ServiceRecord {
  readonly owner: string;
  /** The service's identity within the owner (unique per owner). */
  readonly code: string;
  /** A display name (the code when never given). */
  readonly name: string;
  /** The agent that reported it last. */
  readonly agentId: string;
  readonly status: ServiceStatus;
  /** Whatever the agent attached to its report. */
  readonly details: Readonly<Record<string, unknown>> | null;
  /** When it was last reported. */
  readonly reportedAt: number;
  /** When it was first reported (by any agent). */
  readonly createdAt: number;
}
