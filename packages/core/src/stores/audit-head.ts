/**
 * Helpers every store uses to keep an agent's audit trail one contiguous hash chain when
 * refusals (appended without touching the record) and commits (built on the record's head)
 * interleave: {@link linkAuditEntries} re-stamps entries onto the actual head, {@link linkDenial}
 * stamps a refusal, {@link foldDenial} folds an identical refusal into the head.
 *
 * @module
 */
import { GENESIS_HASH, hashAuditEntry } from '../audit.js';
import type { AuditEntry } from '../record.js';

/** The last entry of an agent's trail: its seq and hash (`{0, GENESIS_HASH}` for none). */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

/** The head of an empty trail. */
export const EMPTY_AUDIT_HEAD: AuditHead = Object.freeze({ seq: 0, hash: GENESIS_HASH });

function stamp(entry: AuditEntry, seq: number, prevHash: string): AuditEntry {
  const { hash: _old, ...rest } = entry;
  const next = { ...rest, seq, prevHash };
  return Object.freeze({ ...next, hash: hashAuditEntry(next) });
}

/**
 * Entries of a commit, linked onto `head`: returned as they are when they already continue it
 * (the common case: no refusal since the record was read), else re-stamped (seq, prevHash, hash).
 */
export function linkAuditEntries(entries: readonly AuditEntry[], head: AuditHead): readonly AuditEntry[] {
  const first = entries[0];
  if (first === undefined) return entries;
  if (first.seq === head.seq + 1 && first.prevHash === head.hash) return entries;
  const out: AuditEntry[] = [];
  let seq = head.seq;
  let prev = head.hash;
  for (const e of entries) {
    const s = stamp(e, ++seq, prev);
    out.push(s);
    prev = s.hash;
  }
  return out;
}

/** A refusal stamped as the entry after `head`. */
export function linkDenial(entry: AuditEntry, head: AuditHead): AuditEntry {
  return stamp(entry, head.seq + 1, head.hash);
}

/**
 * The head with `entry` folded in, or null when it cannot be: the head must be a refusal of the
 * same actor, action, code, reason, from, to, operation and version, less than `windowMs` older
 * than `entry`. The folded head keeps its seq and prevHash; `metadata.repeats` counts the
 * refusals it stands for and `metadata.lastAt` is the latest one; its hash is re-computed.
 */
export function foldDenial(
  head: AuditEntry | undefined,
  entry: AuditEntry,
  windowMs: number,
): AuditEntry | null {
  if (!head || !head.denied || !(windowMs > 0)) return null;
  if (entry.at - head.at >= windowMs || entry.at < head.at) return null;
  if (
    head.actor !== entry.actor ||
    head.action !== entry.action ||
    head.code !== entry.code ||
    head.reason !== entry.reason ||
    head.from !== entry.from ||
    head.to !== entry.to ||
    head.operationId !== entry.operationId ||
    head.version !== entry.version
  )
    return null;
  const repeats = typeof head.metadata?.repeats === 'number' ? head.metadata.repeats : 1;
  const { hash: _old, ...rest } = head;
  const next = { ...rest, metadata: { ...(head.metadata ?? {}), repeats: repeats + 1, lastAt: entry.at } };
  return Object.freeze({ ...next, hash: hashAuditEntry(next) });
}
