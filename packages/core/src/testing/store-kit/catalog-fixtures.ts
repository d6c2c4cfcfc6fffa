/**
 * What the store kit's catalog tests build: backups and services.
 *
 * @module
 */
import type { BackupRecord } from '../../backup-record.js';
import type { ServiceRecord } from '../../service-record.js';
import { T0, uid } from './fixtures.js';

/** A pending backup of `agentId`. */
export function backup(agentId: string, overrides: Partial<BackupRecord> = {}): BackupRecord {
  return {
    id: uid('bkp'),
    agentId,
    agentName: `kit-${agentId.slice(4, 12)}`,
    owner: 'kit-owner',
    label: null,
    status: 'pending',
    sizeBytes: null,
    location: null,
    operationId: uid('op'),
    error: null,
    createdAt: T0,
    finishedAt: null,
    ...overrides,
  };
}

/** The same backup, completed. */
export function completed(b: BackupRecord, sizeBytes = 4096): BackupRecord {
  return {
    ...b,
    status: 'completed',
    sizeBytes,
    location: `${b.id}.tar`,
    finishedAt: b.createdAt + 10,
  };
}

/** A service reported by `agentId`. */
export function service(
  agentId: string,
  code: string,
  overrides: Partial<ServiceRecord> = {},
): ServiceRecord {
  return {
    owner: 'kit-owner',
    code,
    name: code,
    agentId,
    status: 'up',
    details: { port: 8080, tags: ['a', 'b'] },
    reportedAt: T0,
    createdAt: T0,
    ...overrides,
  };
}
