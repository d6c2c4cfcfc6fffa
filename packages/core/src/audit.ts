/**
 * The audit chain: every entry carries the hash of the one before it, so editing, removing or
 * reordering history is detectable. {@link verifyAuditChain} finds the first entry that does not
 * fit.
 *
 * Refusals are recorded too (`denied: true`) and extend the chain like any entry (each its own
 * seq), so guard verdicts are tamper-evident as well. Trails written before that rule, where a
 * refusal pointed at the head it was decided on without extending the chain, still verify.
 *
 * @module
 */
import { hash } from 'node:crypto';
import type { AuditEntry } from './record.js';

/** The `prevHash` of an agent's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** The hash of an entry: SHA-256 over its fields (everything but `hash`) in a fixed order. */
export function hashAuditEntry(entry: Omit<AuditEntry, 'hash'>): string {
  return hash('sha256', canonicalAuditEntry(entry), 'hex');
}

const guardsJson = new WeakMap<object, string>();
const str = (v: string | null) => (v === null ? 'null' : JSON.stringify(v));

/**
 * The canonical form hashed: byte for byte `JSON.stringify([...fields])`, built without the
 * generic serializer (a frozen guard-verdict list, shared by every entry of one transition, is
 * serialized once).
 */
function canonicalAuditEntry(e: Omit<AuditEntry, 'hash'>): string {
  let guards = guardsJson.get(e.guards);
  if (guards === undefined) {
    guards = JSON.stringify(e.guards);
    if (Object.isFrozen(e.guards)) guardsJson.set(e.guards, guards);
  }
  return `[${str(e.id)},${str(e.agentId)},${JSON.stringify(e.seq)},${JSON.stringify(e.at)},${str(e.actor)},${str(e.action)},${str(e.from)},${str(e.to)},${str(e.reason)},${str(e.operationId)},${JSON.stringify(e.version)},${e.denied},${str(e.code)},${guards},${e.metadata === null ? 'null' : JSON.stringify(e.metadata)},${str(e.prevHash)}]`;
}

/** What `LifecycleManager.verifyAudit` found. */
export interface AuditVerification {
  /** True when every entry's hash is right and each links to the one before. */
  readonly ok: boolean;
  /** How many entries the trail holds. */
  readonly entries: number;
  /** The hash of the last entry (the chain head), or null for an empty trail. */
  readonly head: string | null;
  /** The `seq` of the first entry that does not fit, or null. */
  readonly brokenAt: number | null;
  /** What is wrong with that entry, or null. */
  readonly problem: string | null;
}

/** Result of {@link verifyAuditChain}. */
export type AuditChainVerdict =
  | { readonly ok: true; readonly length: number }
  | { readonly ok: false; readonly index: number; readonly problem: string };

/**
 * Check an agent's audit entries (as returned by the store, in order): every entry's hash is
 * right, entries have seq 1, 2, 3 … and each links to the previous one (refusals included; a
 * legacy refusal that shares an earlier head's seq must point at that head).
 *
 * @returns `{ ok: true }` or the index of the first entry that does not fit.
 */
export function verifyAuditChain(entries: readonly AuditEntry[]): AuditChainVerdict {
  // Heads seen so far by seq: a refusal decided concurrently may point at an earlier head.
  const heads: string[] = [GENESIS_HASH];
  let agentId: string | null = null;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    agentId ??= e.agentId;
    if (e.agentId !== agentId) return { ok: false, index: i, problem: 'entry of another agent' };
    const { hash, ...rest } = e;
    if (hashAuditEntry(rest) !== hash)
      return { ok: false, index: i, problem: 'hash does not match the entry' };
    const seq = heads.length - 1;
    if (e.denied && e.seq <= seq) {
      if (e.seq > seq || heads[e.seq] !== e.prevHash) {
        return { ok: false, index: i, problem: `refusal does not point at the head of seq ${e.seq}` };
      }
      continue;
    }
    if (e.seq !== seq + 1) return { ok: false, index: i, problem: `seq ${e.seq} follows ${seq}` };
    if (e.prevHash !== heads[seq])
      return { ok: false, index: i, problem: 'does not link to the previous entry' };
    heads.push(hash);
  }
  return { ok: true, length: heads.length - 1 };
}
