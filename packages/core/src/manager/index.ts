/**
 * The lifecycle manager: pure decisions over stored records.
 *
 * A dispatch loads the record, decides the transition with the compiled table, commits the new
 * record together with its audit entries in ONE compare-and-set write, then runs the driver
 * operation (with an operation id and an AbortSignal) and feeds its outcome back as an event.
 * No actor lives in memory per agent; a second manager over the same store picks up where the
 * first stopped.
 *
 * @module
 */
export { createLifecycleManager } from './create-manager.js';
export { isTransitionDenied } from './refusals.js';
export { DEFAULT_POLICIES, type ResolvedPolicies } from './policies.js';
