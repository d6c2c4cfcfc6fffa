/**
 * Policies: the defaults, the resolved set a manager runs with, the retry backoff, and the
 * guard environments (with and without a free slot) the chart decides in.
 *
 * @module
 */
import { INITIAL_STATE } from '../chart.js';
import type { DriverCapabilities } from '../driver.js';
import { ACTION_EFFECTS, unsupportedActions } from '../effects.js';
import type { GuardEnv } from '../guards.js';
import type { LifecyclePolicies } from '../manager-types.js';
import type { AgentRecord } from '../record.js';
import type { LifecycleStore } from '../store.js';
import { ACTIONS, type Action } from '../vocabulary.js';

/** One minute in ms. */
export const MINUTE = 60_000;
/** One day in ms. */
export const DAY = 24 * 60 * MINUTE;

/** Policies with every default filled in. */
export type ResolvedPolicies = Required<LifecyclePolicies>;

/** The defaults of {@link LifecyclePolicies}. */
export const DEFAULT_POLICIES: ResolvedPolicies = Object.freeze({
  requireReason: ['pause'] as readonly Action[],
  requireConfirm: ['recreate', 'destroy'] as readonly Action[],
  slotsPerOwner: Number.POSITIVE_INFINITY,
  heartbeatTimeoutMs: 90_000,
  operationTimeoutMs: 10 * MINUTE,
  maxRecoveryAttempts: 3,
  retryBaseMs: 1_000,
  retryMaxMs: MINUTE,
  deletedGraceMs: 7 * DAY,
  heartbeatAuditIntervalMs: 5 * MINUTE,
  registrationTokenTtlMs: 60 * MINUTE,
  refusalFoldMs: MINUTE,
});

/** Recovery attempts older than this many backoff ceilings are forgotten. */
export const RECOVERY_WINDOW_FACTOR = 10;

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The defaults overridden by what the embedder set (undefined fields keep their default). */
export function resolvePolicies(policies: LifecyclePolicies = {}): ResolvedPolicies {
  return { ...DEFAULT_POLICIES, ...stripUndefined(policies) };
}

/** The delay before retry number `attempt` (1, 2, …): doubling from the base up to the ceiling. */
export function backoff(policies: ResolvedPolicies, attempt: number): number {
  return Math.min(policies.retryMaxMs, policies.retryBaseMs * 2 ** Math.max(0, attempt - 1));
}

/** The two guard environments of a manager: a slot is free, or none is. */
export interface GuardEnvs {
  readonly withSlot: GuardEnv;
  readonly withoutSlot: GuardEnv;
}

/** Build the guard environments from the policies and what the driver can do. */
export function guardEnvs(
  policies: ResolvedPolicies,
  caps: DriverCapabilities | null,
  driverName: string,
): GuardEnvs {
  // Without a driver, every action that runs a driver operation is unavailable (destroy of a
  // self-hosted agent needs none); with one, what its capabilities lack.
  const unsupported: Action[] = caps
    ? unsupportedActions(caps)
    : ACTIONS.filter((a) => a !== 'destroy' && ACTION_EFFECTS[a].operation !== null);
  const withSlot: GuardEnv = Object.freeze({
    requireReason: policies.requireReason,
    requireConfirm: policies.requireConfirm,
    unsupported,
    slotAvailable: true,
    maxRecoveryAttempts: policies.maxRecoveryAttempts,
    driverName,
  });
  return { withSlot, withoutSlot: Object.freeze({ ...withSlot, slotAvailable: false }) };
}

/** The environment a record's next decision is made in (quota counted only where it matters). */
export async function envFor(
  ctx: { readonly store: LifecycleStore; readonly policies: ResolvedPolicies; readonly envs: GuardEnvs },
  r: AgentRecord,
): Promise<GuardEnv> {
  const { store, policies, envs } = ctx;
  if (!Number.isFinite(policies.slotsPerOwner) || r.kind !== 'managed' || r.state !== INITIAL_STATE) {
    return envs.withSlot;
  }
  return (await store.countSlots(r.owner)) < policies.slotsPerOwner ? envs.withSlot : envs.withoutSlot;
}
