/**
 * Vendor profiles: how one hosting platform names Berth's canonical statuses and actions, and
 * which policies it presets. A profile changes words and policy presets only — never the
 * statechart: every platform runs the same chart.
 *
 * @module
 */
import { type GuardEnv, PERMISSIVE_ENV } from '../guards.js';
import type { LifecyclePolicies } from '../manager-types.js';
import type { ProfileName } from '../schemas.js';
import type { Action, AgentKind, Status } from '../vocabulary.js';

/** The policies a profile presets: the reason and typed-confirmation subset of the manager's policies. */
export type VendorPolicies = Required<Pick<LifecyclePolicies, 'requireReason' | 'requireConfirm'>>;

/** A platform's vocabulary and presets over the canonical chart. */
export interface VendorProfile {
  /** Short, lowercase name (`?profile=` in the HTTP API). */
  readonly name: ProfileName;
  /** The platform's name as it writes it. */
  readonly title: string;
  /** The seed document the profile models (in the shared seeds folder). */
  readonly seed: string;
  /** What kind of agents the platform runs: driver-run, self-hosted (register and heartbeat), or both. */
  readonly agentKinds: readonly AgentKind[];
  /** The platform's word for every canonical status (total: every status maps to some word). */
  readonly statusNames: Readonly<Record<Status, string>>;
  /** Words that differ for self-hosted agents (e.g. Alfe shows `active`). */
  readonly selfHostedStatusNames: Readonly<Partial<Record<Status, string>>>;
  /** The status words the seed document itself defines. */
  readonly seedStatuses: readonly string[];
  /** The platform's word for the actions it has (actions it lacks are absent). */
  readonly actionNames: Readonly<Partial<Record<Action, string>>>;
  /** Which actions need a reason or a typed confirmation on this platform (complete lists). */
  readonly policies: VendorPolicies;
  /** Why a status maps to the word it does, wherever the seed is silent or the mapping is a choice. */
  readonly statusNotes: Readonly<Partial<Record<Status, string>>>;
  /** Other modelling choices worth knowing. */
  readonly notes: readonly string[];
  /**
   * The platform's words for audit entries, by `auditWordKey` (`register`, `register.rotated`,
   * `heartbeat`, `heartbeat_stale`, `disable`, `<action>.denied`, …). Entries without a word
   * use the platform's action word, or the canonical action.
   */
  readonly auditWords?: Readonly<Record<string, string>>;
}

/**
 * The platform's word for a canonical status.
 *
 * @param profile - The vendor profile.
 * @param status - The canonical effective status.
 * @param kind - The agent's kind; some platforms name a self-hosted agent's statuses differently.
 * @example
 * ```ts
 * vendorStatus(getProfile('opstage'), 'degraded'); // 'OFFLINE'
 * vendorStatus(getProfile('alfe'), 'running', 'self_hosted'); // 'active'
 * ```
 */
export function vendorStatus(profile: VendorProfile, status: Status, kind: AgentKind = 'managed'): string {
  if (kind === 'self_hosted') {
    const word = profile.selfHostedStatusNames[status];
    if (word !== undefined) return word;
  }
  return profile.statusNames[status];
}

/**
 * The platform's word for a canonical action, or the canonical name when the platform has none.
 *
 * @example
 * ```ts
 * vendorAction(getProfile('sekuire'), 'pause'); // 'stop'
 * ```
 */
export function vendorAction(profile: VendorProfile, action: Action): string {
  return profile.actionNames[action] ?? action;
}

/**
 * The canonical action behind a platform's word (case-insensitive), or `undefined` when the
 * platform has no action by that name.
 *
 * @example
 * ```ts
 * actionFromVendor(getProfile('sekuire'), 'kill'); // 'destroy'
 * actionFromVendor(getProfile('sekuire'), 'stop'); // 'pause' (Sekuire's stop keeps the runtime)
 * ```
 */
export function actionFromVendor(profile: VendorProfile, word: string): Action | undefined {
  const wanted = word.trim().toLowerCase();
  for (const [action, name] of Object.entries(profile.actionNames) as [Action, string][])
    if (name.toLowerCase() === wanted) return action;
  return undefined;
}

/**
 * A guard environment with the profile's policies, for deciding at chart level
 * (`decide`, `availableActions`) the way a manager configured with this profile would.
 *
 * @param profile - The vendor profile.
 * @param overrides - Other environment facts (slot, driver capabilities, …).
 */
export function profileGuardEnv(profile: VendorProfile, overrides: Partial<GuardEnv> = {}): GuardEnv {
  return {
    ...PERMISSIVE_ENV,
    requireReason: profile.policies.requireReason,
    requireConfirm: profile.policies.requireConfirm,
    ...overrides,
  };
}
