/**
 * Audit words per profile: the name a platform gives an audit entry's action (Opstage's
 * `registration_token.consumed`, `agent.token.rotated`, `system.agent.offline`). An entry's
 * key is its action, refined where one action means two things on the platform (a first
 * registration spends a token; a re-registration rotates the agent's tokens) or was refused.
 *
 * @module
 */
import type { AuditEntry } from '../record.js';
import { isAction } from '../vocabulary.js';
import { type VendorProfile, vendorAction } from './vendor-profile.js';

/**
 * The keys a profile's `auditWords` may name: an audit action (`register`, `heartbeat`,
 * `heartbeat_stale`, `disable`, `backup`, `service_moved`, …), or a refinement:
 * `register.rotated` (a re-registration that revoked the agent's older tokens) and
 * `<action>.denied` (a refused request).
 */
export type AuditWordKey = string;

/** The key of an entry in a profile's `auditWords`. */
export function auditWordKey(entry: Pick<AuditEntry, 'action' | 'denied' | 'metadata'>): AuditWordKey {
  if (entry.denied) return `${entry.action}.denied`;
  if (entry.action === 'register' && entry.metadata?.tokenRotated === true) return 'register.rotated';
  return entry.action;
}

/**
 * The platform's word for an audit entry: its `auditWords` entry for the entry's key; else, for
 * an operator action, the platform's action word (a refused one suffixed `.denied`); else the
 * canonical action.
 *
 * @example
 * ```ts
 * vendorAuditAction(getProfile('opstage'), entry); // 'agent.token.rotated' for a re-registration
 * ```
 */
export function vendorAuditAction(
  profile: VendorProfile,
  entry: Pick<AuditEntry, 'action' | 'denied' | 'metadata'>,
): string {
  const word = profile.auditWords?.[auditWordKey(entry)];
  if (word !== undefined) return word;
  const base = isAction(entry.action) ? vendorAction(profile, entry.action) : entry.action;
  return entry.denied ? `${base}.denied` : base;
}
