/**
 * The vendor profiles Berth ships, one per seed platform, and lookups over them.
 *
 * @module
 */
import { ValidationError } from '../errors.js';
import { agentsteadProfile } from './agentstead.js';
import { alfeProfile } from './alfe.js';
import { exocorpProfile } from './exocorp.js';
import { opstageProfile } from './opstage.js';
import { sekuireProfile } from './sekuire.js';
import { PROFILE_NAMES, type ProfileName } from '../schemas.js';
import type { VendorProfile } from './vendor-profile.js';

export { type AuditWordKey, auditWordKey, vendorAuditAction } from './audit-words.js';
export { agentsteadProfile } from './agentstead.js';
export { alfeProfile } from './alfe.js';
export { exocorpProfile } from './exocorp.js';
export { opstageProfile } from './opstage.js';
export { sekuireProfile } from './sekuire.js';
export {
  actionFromVendor,
  profileGuardEnv,
  type VendorPolicies,
  type VendorProfile,
  vendorAction,
  vendorStatus,
} from './vendor-profile.js';

/** Every shipped profile by name. */
export const PROFILES: Readonly<Record<ProfileName, VendorProfile>> = {
  agentstead: agentsteadProfile,
  alfe: alfeProfile,
  exocorp: exocorpProfile,
  sekuire: sekuireProfile,
  opstage: opstageProfile,
};

/** True when `name` names a shipped profile. */
export function isProfileName(name: unknown): name is ProfileName {
  return typeof name === 'string' && (PROFILE_NAMES as readonly string[]).includes(name);
}

/**
 * The profile called `name`.
 *
 * @param name - One of {@link PROFILE_NAMES} (case-insensitive).
 * @throws ValidationError (`VALIDATION_FAILED`, field `profile`) naming the known profiles when
 * there is no such profile.
 * @example
 * ```ts
 * vendorStatus(getProfile('agentstead'), 'running'); // 'ONLINE'
 * ```
 */
export function getProfile(name: string): VendorProfile {
  const key = name.trim().toLowerCase();
  if (!isProfileName(key)) {
    const message = `unknown profile '${name}'; known profiles: ${PROFILE_NAMES.join(', ')}`;
    throw new ValidationError(message, [{ path: 'profile', message }]);
  }
  return PROFILES[key];
}
