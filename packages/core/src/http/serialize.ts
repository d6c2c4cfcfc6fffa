/**
 * Stored shapes (times in epoch milliseconds) to the HTTP shapes of the contract (ISO-8601).
 *
 * @module
 */
import type { AuditEntry, CommandRecord, Revision } from '../index.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** An audit entry as `GET /agents/:id/audit` serves it. */
export function auditEntryToHttp(entry: AuditEntry) {
  return {
    seq: entry.seq,
    at: iso(entry.at),
    actor: entry.actor,
    action: entry.action,
    from: entry.from,
    to: entry.to,
    reason: entry.reason,
    denied: entry.denied,
    code: entry.code,
    operationId: entry.operationId,
    hash: entry.hash,
    prevHash: entry.prevHash,
  };
}

/** A revision as `GET /agents/:id/revisions` serves it. */
export function revisionToHttp(revision: Revision) {
  return {
    id: revision.id,
    number: revision.number,
    image: revision.image,
    action: revision.action,
    sourceRevision: revision.sourceRevision,
    outcome: revision.outcome,
    createdAt: iso(revision.createdAt),
  };
}

/** A command as the agent API serves it. */
export function commandToHttp(command: CommandRecord) {
  return {
    id: command.id,
    type: command.type,
    payload: command.payload,
    status: command.status,
    createdAt: iso(command.createdAt),
    claimedAt: isoOrNull(command.claimedAt),
  };
}

/** Epoch milliseconds to ISO-8601. */
export { iso as toIso };
