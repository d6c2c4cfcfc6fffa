/**
 * `@berth/core`: the unified lifecycle statechart for hosted AI agents, the runtime manager
 * that runs it over stored records, the stores, the audit chain and the driver contract.
 *
 * The entry is curated: the vocabulary, the machine and its contract, effects and vendor
 * profiles, errors, the record, driver and store contracts, the manager, the memory store,
 * clocks and the audit chain (with the helpers a store needs to keep it). The zod schemas are
 * re-exported here for convenience and live at `@berth/core/schemas`; the HTTP handler is
 * `@berth/core/http`, the conformance kits `@berth/core/testing`. The compiled decision table
 * and the guards' building blocks (what only Berth's own tests and benchmarks use) are
 * `@berth/core/internal`, outside the public API.
 *
 * @module
 */
export * from './vocabulary.js';
export {
  type DenialCode,
  GUARD_EXPLANATIONS,
  type GuardEnv,
  type GuardExplanation,
  type GuardName,
} from './guards.js';
export { lifecycleMachine, type LifecycleMachine } from './machine.js';
export type { ActionAvailability, Denial } from './chart.js';
export * from './effects.js';
export * from './contract.js';
export * from './profiles/index.js';
export * from './errors.js';
export type * from './record.js';
export type * from './backup-record.js';
export type * from './service-record.js';
export * from './driver.js';
export type * from './store.js';
export type * from './manager-types.js';
export type * from './catalog-types.js';
export type * from './follow-types.js';
export type * from './lease-types.js';
export type * from './idempotency-types.js';
export type * from './credentials.js';
export type * from './spec-types.js';
export type * from './explain-types.js';
export type * from './preconditions-types.js';
export * from './schemas.js';
export {
  createLifecycleManager,
  DEFAULT_POLICIES,
  isTransitionDenied,
  type ResolvedPolicies,
} from './manager/index.js';
export { createMemoryStore, type MemoryStore, type MemoryStoreOptions } from './stores/memory-store.js';
export { flushMicrotasks, ManualClock, systemClock } from './clock.js';
export {
  type AuditChainVerdict,
  type AuditVerification,
  GENESIS_HASH,
  hashAuditEntry,
  verifyAuditChain,
} from './audit.js';
export {
  type AuditHead,
  EMPTY_AUDIT_HEAD,
  foldDenial,
  linkAuditEntries,
  linkDenial,
} from './stores/audit-head.js';
