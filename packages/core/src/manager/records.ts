/**
 * Records and ids: fresh ids and tokens, digests, instants as text, what a record's state key
 * says about its runtime, the blank record of a new agent, and one audit entry.
 *
 * @module
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { GENESIS_HASH, hashAuditEntry } from '../audit.js';
import { configurationOf, INITIAL_STATE, statusOfState } from '../chart.js';
import type { ChartContext } from '../guards.js';
import type { AgentRecord, AuditEntry } from '../record.js';

/** SHA-256 of a secret, hex: the only form tokens are stored in. */
export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
/** A fresh id: `agt_…`, `op_…`, `rev_…`, `ws_…`, `cmd_…`. */
export const newId = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
/** A fresh secret token: `bat_…` (agent), `brg_…` (registration). */
export const newToken = (prefix: string) => `${prefix}_${randomBytes(24).toString('base64url')}`;
// Views format the same few instants again and again (created, updated at the same millisecond).
const isoCache = new Map<number, string>();
/** An instant as ISO-8601 text (null stays null). */
export const iso = (ms: number | null) => {
  if (ms === null) return null;
  let text = isoCache.get(ms);
  if (text === undefined) {
    if (isoCache.size >= 1024) isoCache.clear();
    text = new Date(ms).toISOString();
    isoCache.set(ms, text);
  }
  return text;
};

/** The runtime region of a state key (`running`, `provisioning`, …), or null for final states. */
export function runtimeOf(key: string): string | null {
  const config = configurationOf(key);
  return typeof config === 'string' ? null : config.runtime;
}

/** True when no overlay (admission, access, billing) holds the agent back. */
export function overlaysClear(key: string): boolean {
  const config = configurationOf(key);
  return (
    typeof config !== 'string' &&
    config.admission === 'open' &&
    config.access === 'enabled' &&
    config.billing === 'good'
  );
}

/** The last time the agent showed it was alive: its last heartbeat, or when it last came up. */
export function lastSignOfLife(r: Pick<AgentRecord, 'lastHeartbeatAt' | 'upSince'>): number {
  return Math.max(r.lastHeartbeatAt ?? 0, r.upSince ?? 0);
}

/** What the chart's guards see of a record. */
export const contextOf = (r: AgentRecord): ChartContext => ({
  name: r.name,
  kind: r.kind,
  operationId: r.operation?.id ?? null,
  recoveryAttempts: r.recovery?.attempts ?? 0,
});

/** The fields of an audit entry a caller chooses (the rest follow from the record). */
export type AuditFields = Pick<
  AuditEntry,
  'actor' | 'action' | 'from' | 'to' | 'reason' | 'operationId' | 'guards' | 'metadata'
> & {
  denied?: boolean;
  code?: string | null;
  at: number;
  seq: number;
  prevHash: string;
  /** The record version after this entry. @default the next version (this one, for refusals) */
  version?: number;
};

/** One audit entry of `r`, hashed. */
export function auditEntry(r: AgentRecord, fields: AuditFields): AuditEntry {
  // One literal with every field (hash last): `{ ...base, hash }` would give each entry its own
  // hidden class (V8 does not share the map of a spread-then-extended clone): ~330 B per entry.
  const entry = {
    id: `aud_${r.id.slice(4)}_${fields.seq}${fields.denied ? `_d${randomUUID().slice(0, 8)}` : ''}`,
    agentId: r.id,
    seq: fields.seq,
    at: fields.at,
    actor: fields.actor,
    action: fields.action,
    from: fields.from,
    to: fields.to,
    reason: fields.reason,
    operationId: fields.operationId,
    version: fields.version ?? (fields.denied ? r.version : r.version + 1),
    denied: fields.denied ?? false,
    code: fields.code ?? null,
    guards: fields.guards,
    metadata: fields.metadata,
    prevHash: fields.prevHash,
    hash: '',
  };
  entry.hash = hashAuditEntry(entry);
  return entry;
}

/** What a new agent's blank record is made of. */
export interface BlankFields {
  id: string;
  name: string;
  owner: string;
  kind: AgentRecord['kind'];
  code: string | null;
  spec: AgentRecord['spec'];
  now: number;
}

/** A record as it is before its first commit: pending, version 0, nothing run yet. */
export function blankRecord(fields: BlankFields): AgentRecord {
  return {
    id: fields.id,
    name: fields.name,
    owner: fields.owner,
    kind: fields.kind,
    state: INITIAL_STATE,
    status: statusOfState(INITIAL_STATE),
    version: 0,
    spec: fields.spec,
    workspaceId: newId('ws'),
    revision: null,
    lastGoodRevision: null,
    operation: null,
    epoch: 0,
    code: fields.code,
    lastHeartbeatAt: null,
    upSince: null,
    heartbeatAuditedAt: null,
    recovery: null,
    waitlist: null,
    dueAt: null,
    ghost: false,
    createdAt: fields.now,
    updatedAt: fields.now,
    deletedAt: null,
    auditSeq: 0,
    auditHead: GENESIS_HASH,
  };
}

/**
 * A new agent at version 0 with the first entry of its chain (seq 1 on the genesis hash): the
 * record carries that entry as its head, ready for its first commit.
 */
export function newAgent(
  base: AgentRecord,
  first: Pick<AuditFields, 'actor' | 'action' | 'reason' | 'metadata' | 'version'> & { at: number },
): { record: AgentRecord; entry: AuditEntry } {
  const entry = auditEntry(base, {
    actor: first.actor,
    action: first.action,
    from: null,
    to: base.status,
    reason: first.reason,
    operationId: null,
    guards: [],
    metadata: first.metadata,
    at: first.at,
    seq: 1,
    ...(first.version === undefined ? {} : { version: first.version }),
    prevHash: GENESIS_HASH,
  });
  return { record: { ...base, auditSeq: 1, auditHead: entry.hash }, entry };
}
