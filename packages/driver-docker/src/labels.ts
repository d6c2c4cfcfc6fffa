/**
 * Names and ownership labels. A container belongs to Berth only when it carries
 * {@link LABELS.managed}` = "true"` AND the agent id label; its name alone proves nothing.
 *
 * @module
 */
import { DriverError } from '@berth/core';
import { DOCKER_ERRORS } from './errors.js';

/** The label keys the driver writes on every container and volume it creates. */
export const LABELS = {
  /** `"true"` on everything the driver created. */
  managed: 'berth.managed',
  /** The agent the container or volume belongs to. */
  agentId: 'berth.agent-id',
  /** The agent's owner. */
  owner: 'berth.owner',
  /** The operation id (idempotency key) that created the container. */
  operationId: 'berth.operation-id',
  /** The workspace the volume holds. */
  workspaceId: 'berth.workspace-id',
  /** The revision the container runs. */
  revisionId: 'berth.revision-id',
  /** Digest of the container's environment (credentials, secrets, config.env). */
  envHash: 'berth.env-hash',
  /** On a short-lived backup or restore helper container (never an agent's). */
  helper: 'berth.helper',
} as const;

/** Docker's own rule for container and volume names. */
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function checkId(field: 'agentId' | 'workspaceId', value: string): string {
  if (typeof value !== 'string' || !NAME_RE.test(value) || value.length > 200) {
    throw new DriverError(
      DOCKER_ERRORS.INVALID_TARGET,
      `${field} '${String(value)}' cannot name a Docker object (allowed: letters, digits, '_', '.', '-'; it must start with a letter or digit)`,
      { meta: { field } },
    );
  }
  return value;
}

/**
 * The container name of an agent (`<prefix><agentId>`, prefix `berth-` by default).
 * @param agentId - The agent id (letters, digits, `_`, `.`, `-`).
 * @param prefix - Name prefix.
 * @example containerName('agt_1') // 'berth-agt_1'
 */
export function containerName(agentId: string, prefix = 'berth-'): string {
  return `${prefix}${checkId('agentId', agentId)}`;
}

/**
 * The named volume that holds an agent's workspace (`<prefix>ws-<workspaceId>`).
 * @param workspaceId - The workspace id.
 * @param prefix - Name prefix.
 * @example volumeName('ws_1') // 'berth-ws-ws_1'
 */
export function volumeName(workspaceId: string, prefix = 'berth-'): string {
  return `${prefix}ws-${checkId('workspaceId', workspaceId)}`;
}

/**
 * True when `labels` mark a Berth-managed object of `agentId` (or of any agent when omitted).
 * @param labels - The object's labels (`Config.Labels` of a container, `Labels` of a volume).
 * @param agentId - The agent it must belong to.
 */
export function isManaged(labels: Record<string, string> | null | undefined, agentId?: string): boolean {
  const owner = labels?.[LABELS.agentId];
  if (labels?.[LABELS.managed] !== 'true' || typeof owner !== 'string' || owner === '') return false;
  return agentId === undefined || owner === agentId;
}
