/**
 * `@berth/core/internal`: the statechart's engine room — the compiled decision table
 * (`decide`, `explain`, state keys, configurations) and the guards' building blocks — for
 * Berth's own tests, benchmarks and kits. It is not part of the public API: no semver promise,
 * anything here may change in a patch. Embedders use the manager (`createLifecycleManager`,
 * `LifecycleManager.availableActions`), the machine (`lifecycleMachine`) and the contract
 * (`lifecycleContract`) from `@berth/core` instead.
 *
 * @internal
 * @module
 */
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
} from '../chart.js';
export {
  type ChartContext,
  type ChartEvent,
  DATA_GUARDS,
  type DataGuardName,
  type GuardEnv,
  isStateGuard,
  PERMISSIVE_ENV,
  STATE_GUARDS,
  type StateGuardName,
} from '../guards.js';
export { type LifecycleMachine, lifecycleMachine } from '../machine.js';
