/**
 * Kinds of operations and events: which transition starts which driver operation, which
 * operations issue credentials, take secrets, build revisions or can leak a resource, and the
 * (shared) passed-guard verdicts of a transition.
 *
 * @module
 */
import type { CompiledTransition } from '../chart.js';
import type { DriverOperation, GuardVerdict, RecordedOperation } from '../record.js';
import type { LifecycleEventType } from '../vocabulary.js';
import { runtimeOf } from './records.js';

/** Events that report an operation's outcome. */
export const OUTCOME_EVENTS: ReadonlySet<LifecycleEventType> = new Set([
  'provisioned',
  'op_succeeded',
  'op_failed',
]);
/** Operations that issue fresh credentials. */
export const CREDENTIAL_OPS: ReadonlySet<RecordedOperation> = new Set(['provision', 'recreate']);
/** Operations the owner's secrets are injected into. */
export const SECRET_OPS: ReadonlySet<RecordedOperation> = new Set([
  'provision',
  'start',
  'restart',
  'redeploy',
  'recreate',
]);
/** Operations that build a revision. */
export const BUILD_OPS: ReadonlySet<RecordedOperation> = new Set(['provision', 'recreate', 'redeploy']);
/** Operations that leave a resource behind if superseded after they built it. */
export const LEAKY_OPS: ReadonlySet<RecordedOperation> = new Set([
  'provision',
  'recreate',
  'start',
  'restart',
  'redeploy',
]);
/** Actions that make a new revision. */
export const NEW_REVISION_ACTIONS: ReadonlySet<string> = new Set([
  'recreate',
  'redeploy',
  'update',
  'rollback',
  'reprovision',
]);

/** The driver operation a transition starts, if any. */
export function operationFor(t: CompiledTransition, type: LifecycleEventType): DriverOperation | null {
  if (t.targetless) return null;
  if (t.to === 'deleting') return t.from === 'deleting' ? null : 'destroy';
  const before = runtimeOf(t.from);
  const after = runtimeOf(t.to);
  if (after === null || after === before) return null;
  switch (after) {
    case 'provisioning':
      return type === 'recreate' ? 'recreate' : 'provision';
    case 'starting':
      return 'start';
    case 'restarting':
      return 'restart';
    case 'redeploying':
      return 'redeploy';
    case 'stopping':
      return 'stop';
    default:
      return null;
  }
}

const verdictCache = new WeakMap<CompiledTransition, readonly GuardVerdict[]>();
/** The verdicts of a transition's guards, all passed (shared, frozen). */
export function passedVerdicts(t: CompiledTransition): readonly GuardVerdict[] {
  let v = verdictCache.get(t);
  if (!v) {
    v = Object.freeze(t.guards.map((guard) => Object.freeze({ guard, passed: true })));
    verdictCache.set(t, v);
  }
  return v;
}
