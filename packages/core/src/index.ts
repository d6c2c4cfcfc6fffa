/**
 * `@berth/core`: the unified lifecycle statechart for hosted AI agents, the runtime manager
 * that runs it over stored records, the stores, the audit chain and the driver contract.
 *
 * @module
 */
export * from './vocabulary.js';
export * from './guards.js';
export { lifecycleMachine, type LifecycleMachine } from './machine.js';
export {
  type ActionAvailability,
  allowedActions,
  allTransitions,
  availableActions,
  type CompiledTransition,
  type Configuration,
  compiledChart,
  configurationKey,
  configurationOf,
  type Denial,
  decide,
  EVENT_TYPES,
  explain,
  INITIAL_STATE,
  isStateKey,
  STATE_KEYS,
  statusOfConfiguration,
  statusOfState,
} from './chart.js';
export * from './effects.js';
export * from './contract.js';
export * from './profiles/index.js';
export * from './errors.js';
export type * from './record.js';
export * from './driver.js';
export type * from './store.js';
export type * from './manager-types.js';
export type * from './idempotency-types.js';
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
