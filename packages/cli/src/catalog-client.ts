/**
 * The catalog part of the typed client: backups, services and registration tokens (the routes
 * beside the agents). `createBerthClient` mixes it in; the shapes are API.md's.
 *
 * @module
 */
import type { RequestOptions } from './client.js';

/** A backup in the catalog. */
export interface BackupView {
  readonly id: string;
  readonly agentId: string;
  readonly agentName: string;
  readonly label: string | null;
  readonly status: 'pending' | 'completed' | 'failed';
  readonly sizeBytes: number | null;
  readonly createdAt: string;
  readonly finishedAt?: string | null;
  readonly error?: { readonly code: string; readonly message: string } | null;
}

/** `POST /agents/:id/backups`. */
export interface BackupStarted {
  readonly backup: BackupView;
  readonly operation: { readonly id: string; readonly action: 'backup' };
}

/** A service an agent reported. */
export interface ServiceView {
  readonly code: string;
  readonly name: string;
  readonly agentId: string;
  readonly status: 'up' | 'down' | 'degraded' | 'unknown';
  /** `stale` once the reporting agent is degraded or gone. */
  readonly effectiveStatus: 'up' | 'down' | 'degraded' | 'unknown' | 'stale';
  readonly reportedAt: string;
  readonly details?: Readonly<Record<string, unknown>> | null;
}

/** A registration token as listed (never the token). */
export interface RegistrationTokenInfo {
  readonly id: string;
  readonly status: 'active' | 'used' | 'expired' | 'revoked';
  readonly code: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly usedAt: string | null;
}

/** The catalog methods of the client. */
export interface CatalogClient {
  /** `POST /agents/:id/backups` */
  createBackup(
    id: string,
    body?: { label?: string | undefined },
    options?: RequestOptions,
  ): Promise<BackupStarted>;
  /** `GET /backups`, or `GET /agents/:id/backups` with an agent id */
  listBackups(agentId?: string, options?: RequestOptions): Promise<BackupView[]>;
  /** `DELETE /backups/:id` */
  deleteBackup(backupId: string, options?: RequestOptions): Promise<void>;
  /** `GET /services`, or `GET /agents/:id/services` with an agent id */
  listServices(agentId?: string, options?: RequestOptions): Promise<ServiceView[]>;
  /** `GET /registration-tokens` */
  listRegistrationTokens(options?: RequestOptions): Promise<RegistrationTokenInfo[]>;
  /** `DELETE /registration-tokens/:id` */
  revokeRegistrationToken(tokenId: string, options?: RequestOptions): Promise<void>;
}

/** How the client sends one JSON request. */
type Json = <T>(method: string, path: string, body?: unknown, request?: RequestOptions) => Promise<T>;

const enc = encodeURIComponent;

/** The catalog methods over the client's `json`. */
export function catalogClient(json: Json): CatalogClient {
  return {
    createBackup(id, body = {}, request) {
      return json<BackupStarted>('POST', `/agents/${enc(id)}/backups`, body, request);
    },
    async listBackups(agentId, request) {
      const path = agentId === undefined ? '/backups' : `/agents/${enc(agentId)}/backups`;
      return (await json<{ backups: BackupView[] }>('GET', path, undefined, request)).backups;
    },
    async deleteBackup(backupId, request) {
      await json<void>('DELETE', `/backups/${enc(backupId)}`, undefined, request);
    },
    async listServices(agentId, request) {
      const path = agentId === undefined ? '/services' : `/agents/${enc(agentId)}/services`;
      return (await json<{ services: ServiceView[] }>('GET', path, undefined, request)).services;
    },
    async listRegistrationTokens(request) {
      return (
        await json<{ tokens: RegistrationTokenInfo[] }>('GET', '/registration-tokens', undefined, request)
      ).tokens;
    },
    async revokeRegistrationToken(tokenId, request) {
      await json<void>('DELETE', `/registration-tokens/${enc(tokenId)}`, undefined, request);
    },
  };
}

/** The catalog methods of `client`, every answer read through `safely` (see `displaySafeClient`). */
export function safeCatalogClient(
  client: CatalogClient,
  safely: <T>(call: () => Promise<T>) => Promise<T>,
): CatalogClient {
  return {
    createBackup: (id, body, options) => safely(() => client.createBackup(id, body, options)),
    listBackups: (agentId, options) => safely(() => client.listBackups(agentId, options)),
    deleteBackup: (backupId, options) => safely(() => client.deleteBackup(backupId, options)),
    listServices: (agentId, options) => safely(() => client.listServices(agentId, options)),
    listRegistrationTokens: (options) => safely(() => client.listRegistrationTokens(options)),
    revokeRegistrationToken: (tokenId, options) =>
      safely(() => client.revokeRegistrationToken(tokenId, options)),
  };
}
