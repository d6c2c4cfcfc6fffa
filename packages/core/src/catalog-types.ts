/**
 * The manager's catalog methods, typed apart from `manager-types.ts`: backups of agents'
 * workspaces, the services agents report, and registration-token management.
 *
 * @module
 */
import type { BackupStatus } from './backup-record.js';
import type { ServiceStatus } from './service-record.js';

/** A backup as callers see it (the HTTP resource). */
export interface BackupView {
  readonly id: string;
  readonly agentId: string;
  /** The agent's name when the backup was taken. */
  readonly agentName: string;
  readonly label: string | null;
  readonly status: BackupStatus;
  /** Size of the archive once completed. */
  readonly sizeBytes: number | null;
  readonly createdAt: string;
  /** When it completed or failed. */
  readonly finishedAt: string | null;
  /** Why it failed. */
  readonly error: { readonly code: string; readonly message: string } | null;
}

/** What {@link CatalogMethods.createBackup} answers. */
export interface BackupStarted {
  /** The backup, pending. */
  readonly backup: BackupView;
  /** The operation taking it (the agent's one operation in flight until it ends). */
  readonly operation: { readonly id: string; readonly action: 'backup' };
}

/** One service in an agent's report. */
export interface ServiceReport {
  readonly code: string;
  readonly name?: string | undefined;
  readonly status: ServiceStatus;
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

/** A service's status with its reporter's freshness folded in: `stale` once that agent is degraded or gone. */
export type EffectiveServiceStatus = ServiceStatus | 'stale';

/** A service as callers see it (the HTTP resource). */
export interface ServiceView {
  readonly code: string;
  readonly name: string;
  /** The agent that reported it last. */
  readonly agentId: string;
  /** What that agent said. */
  readonly status: ServiceStatus;
  /** `status`, unless the agent is degraded or gone (then `stale`). */
  readonly effectiveStatus: EffectiveServiceStatus;
  readonly details: Readonly<Record<string, unknown>> | null;
  readonly reportedAt: string;
}

/** Where a registration token is in its life. */
export type RegistrationTokenStatus = 'active' | 'used' | 'expired' | 'revoked';

/** A registration token as listed: never the token itself. */
export interface RegistrationTokenView {
  readonly id: string;
  readonly status: RegistrationTokenStatus;
  /** The only code it can register, or null for any. */
  readonly code: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly usedAt: string | null;
}

/** A freshly minted registration token: the plaintext `token` is shown this once. */
export interface IssuedRegistrationToken {
  readonly id: string;
  readonly token: string;
  readonly expiresAt: string;
  readonly code: string | null;
}

/** Who asks, and on whose behalf (another owner's agents and catalog entries are "not found"). */
export interface CatalogCaller {
  /** Who acts (`user:alice`). @default 'system' */
  readonly actor?: string | undefined;
  /** Restrict to this owner. @default the manager's default owner, where one is needed */
  readonly owner?: string | undefined;
}

/** The catalog methods of a lifecycle manager. */
export interface CatalogMethods {
  /**
   * Back up an agent's workspace: a `backup` operation, the agent's one operation in flight
   * until the driver finishes (its status does not change). The catalog entry is pending now
   * and completes or fails with the operation.
   * @throws `VALIDATION_FAILED` when `label` fails its rule.
   * @throws `AGENT_NOT_FOUND` for an unknown id or another owner's agent.
   * @throws `ILLEGAL_TRANSITION` when the driver cannot back up, the agent is self-hosted, has no
   *   workspace yet (pending, waitlisted) or is being destroyed (`allowedActions` lists what is allowed).
   * @throws `OPERATION_IN_PROGRESS` when another operation is in flight.
   * @throws `MANAGER_CLOSED` after `close()`.
   */
  createBackup(
    agentId: string,
    options?: CatalogCaller & { label?: string | undefined },
  ): Promise<BackupStarted>;
  /**
   * An owner's backups, oldest first (destroyed agents' too), or one agent's.
   * @throws `MANAGER_CLOSED` after `close()`.
   */
  listBackups(options?: { owner?: string | undefined; agentId?: string | undefined }): Promise<BackupView[]>;
  /**
   * Delete a finished backup (its archive first, then its catalog entry).
   * @throws `BACKUP_NOT_FOUND` for an unknown id or another owner's backup.
   * @throws `OPERATION_IN_PROGRESS` while the backup is still being taken.
   * @throws `MANAGER_CLOSED` after `close()`.
   */
  deleteBackup(backupId: string, options?: CatalogCaller): Promise<void>;
  /**
   * An agent reports its services: each is upserted by (owner, code); a code another agent
   * reported moves to this one, audited on this agent's trail.
   * @throws `VALIDATION_FAILED` when the report fails its schema.
   * @throws `AGENT_NOT_FOUND` for an unknown id.
   * @throws `MANAGER_CLOSED` after `close()`.
   */
  reportServices(agentId: string, services: readonly ServiceReport[]): Promise<ServiceView[]>;
  /**
   * An owner's services by code (or one agent's), with their effective status.
   * @throws `MANAGER_CLOSED` after `close()`.
   */
  listServices(options?: {
    owner?: string | undefined;
    agentId?: string | undefined;
  }): Promise<ServiceView[]>;
  /**
   * An owner's registration tokens, oldest first, with their status (never the token).
   * @throws `MANAGER_CLOSED` after `close()`.
   */
  listRegistrationTokens(options?: { owner?: string | undefined }): Promise<RegistrationTokenView[]>;
  /**
   * Revoke an unused registration token (an expired one too; revoking twice is fine).
   * @throws `REGISTRATION_TOKEN_NOT_FOUND` for an unknown id or another owner's token.
   * @throws `REGISTRATION_TOKEN_USED` when it already registered an agent.
   * @throws `MANAGER_CLOSED` after `close()`.
   */
  revokeRegistrationToken(tokenId: string, options?: { owner?: string | undefined }): Promise<void>;
}
