/**
 * What the store kit's tests build: agent records, audit entries linked to a record's head,
 * the next version of a record, tokens, commands and idempotency records.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { GENESIS_HASH, hashAuditEntry } from '../../audit.js';
import type {
  AgentRecord,
  AuditEntry,
  CommandRecord,
  IdempotencyRecord,
  RegistrationTokenRecord,
} from '../../record.js';
import type { StoreCommit } from '../../store.js';
import type { Status } from '../../vocabulary.js';

/** A short unique id with a prefix. */
export const uid = (prefix: string): string => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 20)}`;

/** The kit's base time (ms); tests move forward from it. */
export const T0 = 1_800_000_000_000;

/** A new managed agent record at version 1, not yet stored. */
export function newRecord(overrides: Partial<AgentRecord> = {}): AgentRecord {
  const id = overrides.id ?? uid('agt');
  return {
    id,
    name: `kit-${id.slice(4, 12)}`,
    owner: 'kit-owner',
    kind: 'managed',
    state: 'running',
    status: 'running',
    version: 1,
    spec: { image: 'berth/agent:kit', config: { memory: 256, nested: { list: [1, 'two', null] } } },
    workspaceId: uid('ws'),
    revision: null,
    lastGoodRevision: null,
    operation: null,
    epoch: 0,
    code: null,
    lastHeartbeatAt: null,
    upSince: T0,
    heartbeatAuditedAt: null,
    recovery: null,
    waitlist: null,
    dueAt: null,
    ghost: false,
    createdAt: T0,
    updatedAt: T0,
    deletedAt: null,
    auditSeq: 0,
    auditHead: GENESIS_HASH,
    ...overrides,
  };
}

/** Fields of an audit entry a test may set. */
export type EntryFields = Partial<Omit<AuditEntry, 'hash' | 'prevHash' | 'seq' | 'agentId'>>;

/** An audit entry for `agentId` at `seq` linked to `prevHash`, with a correct hash. */
export function entry(agentId: string, seq: number, prevHash: string, fields: EntryFields = {}): AuditEntry {
  const rest: Omit<AuditEntry, 'hash'> = {
    id: uid('aud'),
    agentId,
    seq,
    at: T0 + seq,
    actor: 'user:kit',
    action: 'stop',
    from: 'running',
    to: 'stopped',
    reason: null,
    operationId: null,
    version: seq,
    denied: false,
    code: null,
    guards: [],
    metadata: null,
    prevHash,
    ...fields,
  };
  return { ...rest, hash: hashAuditEntry(rest) };
}

/** A refusal decided on `record` (its seq and prevHash are the record's head; the store re-stamps them). */
export function denial(record: AgentRecord, fields: EntryFields = {}): AuditEntry {
  return entry(record.id, record.auditSeq, record.auditHead, {
    action: 'start',
    from: record.status,
    to: record.status,
    version: record.version,
    denied: true,
    code: 'ILLEGAL_TRANSITION',
    guards: [{ guard: 'legalTransition', passed: false }],
    ...fields,
  });
}

/** The insert of `record` with its first audit entry (`create`). */
export function insertOf(record: AgentRecord, extra: Partial<StoreCommit> = {}): StoreCommit {
  const e = entry(record.id, 1, GENESIS_HASH, {
    action: 'create',
    from: null,
    to: record.status,
    version: 1,
  });
  return {
    record: { ...record, version: 1, auditSeq: 1, auditHead: e.hash },
    expectedVersion: 0,
    audit: [e],
    ...extra,
  };
}

/** The commit that moves `record` to its next version with one audit entry. */
export function nextOf(
  record: AgentRecord,
  patch: Partial<AgentRecord> = {},
  extra: Partial<StoreCommit> = {},
  fields: EntryFields = {},
): StoreCommit {
  const status: Status = patch.status ?? record.status;
  const e = entry(record.id, record.auditSeq + 1, record.auditHead, {
    from: record.status,
    to: status,
    version: record.version + 1,
    ...fields,
  });
  return {
    record: {
      ...record,
      ...patch,
      version: record.version + 1,
      updatedAt: record.updatedAt + 1,
      auditSeq: e.seq,
      auditHead: e.hash,
    },
    expectedVersion: record.version,
    audit: [e],
    ...extra,
  };
}

/** An unused registration token record. */
export function registrationToken(overrides: Partial<RegistrationTokenRecord> = {}): RegistrationTokenRecord {
  return {
    hash: uid('sha'),
    id: uid('rtk'),
    code: null,
    owner: 'kit-owner',
    createdAt: T0,
    expiresAt: T0 + 3_600_000,
    usedAt: null,
    revokedAt: null,
    ...overrides,
  };
}

/** A pending command. */
export function command(agentId: string, seq: number, overrides: Partial<CommandRecord> = {}): CommandRecord {
  return {
    id: uid('cmd'),
    agentId,
    seq,
    type: 'kit.run',
    payload: { n: seq },
    status: 'pending',
    createdAt: T0 + seq,
    claimedAt: null,
    finishedAt: null,
    output: null,
    error: null,
    ...overrides,
  };
}

/** An in-progress idempotency record. */
export function idempotency(
  scope: string,
  key: string,
  overrides: Partial<IdempotencyRecord> = {},
): IdempotencyRecord {
  return {
    scope,
    key,
    fingerprint: 'fp-1',
    state: 'in_progress',
    response: null,
    createdAt: T0,
    expiresAt: T0 + 86_400_000,
    ...overrides,
  };
}

/** What a settled promise did: `ok`, or the error's `code` (or message). */
export async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : String(error);
  }
}
