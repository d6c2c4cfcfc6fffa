/**
 * The lifecycle statechart: one XState v5 machine, the single definition of every status,
 * action and guard in Berth. Everything else — the compiled decision table, the docs, the
 * diagram, `availableActions`, the HTTP routes' allowed actions and the property tests — is
 * derived from it.
 *
 * Shape: the top level is `agent` (a parallel state), then `deleting` and the final `deleted`.
 * `agent` has four orthogonal regions:
 * - `runtime`: what the driver is doing (pending … running … stopped, failed);
 * - `admission`: `open` or `paused` (no new work is handed out);
 * - `access`: `enabled` or `disabled` (agent API calls refused);
 * - `billing`: `good` or `suspended`.
 *
 * Parallel regions, rather than history states, keep "where the agent was" while it is paused,
 * disabled or suspended: the runtime region keeps its state and keeps receiving operation
 * outcomes, so lifting the overlay returns the agent exactly where it is — including an
 * operation that finished meanwhile. The effective status is derived by precedence
 * (see `effectiveStatus`).
 *
 * @module
 */
import { and, setup, stateIn } from 'xstate';
import {
  type ChartContext,
  type ChartEvent,
  DATA_GUARDS,
  type DataGuardName,
  type GuardName,
  STATE_GUARDS,
  type StateGuardName,
} from './guards.js';

const guardLists = new WeakMap<object, readonly GuardName[]>();

/**
 * A conjunction of named guards, evaluated in order. The compiled table reads the names back
 * (so the first failing guard explains a refusal); XState evaluates the same `and`.
 */
function all(...names: GuardName[]) {
  const guard = and(names);
  guardLists.set(guard, names);
  return guard;
}

/** The guard names behind a transition's guard, as written in the machine. */
export function guardNamesOf(guard: unknown): readonly GuardName[] {
  if (guard === undefined) return [];
  if (typeof guard === 'string') return [guard as GuardName];
  const names =
    typeof guard === 'object' || typeof guard === 'function' ? guardLists.get(guard as object) : undefined;
  if (!names) throw new Error('berth: every guard in the lifecycle machine must be a name or all(...names)');
  return names;
}

/** Guards every operator action on the runtime passes, in the order refusals are explained. */
const OPERATE = [
  'isManaged',
  'isInGoodStanding',
  'isEnabled',
  'isAdmitting',
  'noOperationInFlight',
  'driverSupports',
  'reasonProvided',
  'confirmationMatches',
] as const satisfies readonly GuardName[];

const operate = () => all(...OPERATE);
const current = 'isCurrentOperation' as const;

const dataGuards = Object.fromEntries(
  Object.entries(DATA_GUARDS).map(([name, check]) => [
    name,
    ({ context, event }: { context: ChartContext; event: ChartEvent }) => check(context, event),
  ]),
) as Record<DataGuardName, (args: { context: ChartContext; event: ChartEvent }) => boolean>;

const stateGuards = Object.fromEntries(
  Object.entries(STATE_GUARDS).map(([name, id]) => [name, stateIn(id)]),
) as Record<StateGuardName, ReturnType<typeof stateIn>>;

/**
 * The Berth lifecycle machine. Its context holds only what guards read ({@link ChartContext});
 * every transition runs the named action `accept`, which is how a pure `transition()` call can
 * tell an accepted event from an ignored one.
 */
export const lifecycleMachine = setup({
  types: {
    context: {} as ChartContext,
    events: {} as ChartEvent,
    input: {} as ChartContext,
  },
  guards: { ...dataGuards, ...stateGuards },
  actions: {
    accept: () => {},
  },
}).createMachine({
  id: 'berth',
  context: ({ input }) => input,
  initial: 'agent',
  states: {
    agent: {
      type: 'parallel',
      on: {
        destroy: {
          guard: all('reasonProvided', 'confirmationMatches'),
          target: '#berth.deleting',
          actions: 'accept',
        },
      },
      states: {
        runtime: {
          initial: 'pending',
          on: {
            // A heartbeat always refreshes lastHeartbeatAt; some states also move on it.
            heartbeat: { actions: 'accept' },
          },
          states: {
            pending: {
              on: {
                deploy: {
                  guard: all(...OPERATE, 'slotAvailable'),
                  target: 'provisioning',
                  actions: 'accept',
                },
                heartbeat: { guard: 'isSelfHosted', target: 'settled.up.running', actions: 'accept' },
              },
            },
            waitlisted: {
              on: {
                capacity_available: { target: 'provisioning', actions: 'accept' },
              },
            },
            provisioning: {
              on: {
                provisioned: { guard: current, target: 'starting', actions: 'accept' },
                op_failed: [
                  { guard: all(current, 'isCapacityFailure'), target: 'waitlisted', actions: 'accept' },
                  { guard: current, target: 'settled.failed', actions: 'accept' },
                ],
              },
            },
            starting: {
              on: {
                op_succeeded: { guard: current, target: 'settled.up.running', actions: 'accept' },
                op_failed: { guard: current, target: 'settled.failed', actions: 'accept' },
              },
            },
            settled: {
              initial: 'stopped',
              on: {
                // A health report on a settled agent (e.g. its resource vanished while stopped) is
                // recorded without a status change; `running` handles it by becoming degraded.
                health_degraded: { actions: 'accept' },
                restart: { guard: operate(), target: 'restarting', actions: 'accept' },
                redeploy: { guard: operate(), target: 'redeploying', actions: 'accept' },
                update: { guard: operate(), target: 'redeploying', actions: 'accept' },
                rollback: { guard: operate(), target: 'redeploying', actions: 'accept' },
                reprovision: { guard: operate(), target: 'redeploying', actions: 'accept' },
                recreate: { guard: operate(), target: 'provisioning', actions: 'accept' },
              },
              states: {
                up: {
                  initial: 'running',
                  on: {
                    stop: { guard: operate(), target: '#berth.agent.runtime.stopping', actions: 'accept' },
                  },
                  states: {
                    running: {
                      on: {
                        heartbeat_stale: { target: 'degraded', actions: 'accept' },
                        health_degraded: { target: 'degraded', actions: 'accept' },
                      },
                    },
                    degraded: {
                      on: {
                        // Still unhealthy with recovery used up: give up (Alfe's failing → failed).
                        health_degraded: {
                          guard: 'recoveryExhausted',
                          target: '#berth.agent.runtime.settled.failed',
                          actions: 'accept',
                        },
                        heartbeat: { target: 'running', actions: 'accept' },
                        health_recovered: { target: 'running', actions: 'accept' },
                      },
                    },
                  },
                },
                stopped: {
                  on: {
                    start: { guard: operate(), target: '#berth.agent.runtime.starting', actions: 'accept' },
                  },
                },
                failed: {
                  on: {
                    start: { guard: operate(), target: '#berth.agent.runtime.starting', actions: 'accept' },
                    stop: { guard: operate(), target: '#berth.agent.runtime.stopping', actions: 'accept' },
                  },
                },
              },
            },
            restarting: {
              on: {
                op_succeeded: { guard: current, target: 'settled.up.running', actions: 'accept' },
                op_failed: [
                  {
                    guard: all(current, 'canRetryRecovery'),
                    target: 'settled.up.degraded',
                    actions: 'accept',
                  },
                  { guard: current, target: 'settled.failed', actions: 'accept' },
                ],
              },
            },
            redeploying: {
              on: {
                op_succeeded: { guard: current, target: 'settled.up.running', actions: 'accept' },
                op_failed: { guard: current, target: 'settled.failed', actions: 'accept' },
              },
            },
            stopping: {
              on: {
                op_succeeded: { guard: current, target: 'settled.stopped', actions: 'accept' },
                op_failed: { guard: current, target: 'settled.failed', actions: 'accept' },
              },
            },
          },
        },
        admission: {
          initial: 'open',
          on: {
            resume: { guard: all('isPaused', 'reasonProvided'), target: '.open', actions: 'accept' },
          },
          states: {
            open: {
              on: {
                pause: {
                  guard: all('isManaged', 'isUp', 'isInGoodStanding', 'isEnabled', 'reasonProvided'),
                  target: 'paused',
                  actions: 'accept',
                },
              },
            },
            paused: {},
          },
        },
        access: {
          initial: 'enabled',
          on: {
            enable: { guard: all('isDisabled', 'reasonProvided'), target: '.enabled', actions: 'accept' },
          },
          states: {
            enabled: {
              on: {
                disable: { guard: 'reasonProvided', target: 'disabled', actions: 'accept' },
              },
            },
            disabled: {},
          },
        },
        billing: {
          initial: 'good',
          states: {
            good: {
              on: { billing_suspended: { target: 'suspended', actions: 'accept' } },
            },
            suspended: {
              on: { billing_resolved: { target: 'good', actions: 'accept' } },
            },
          },
        },
      },
    },
    deleting: {
      on: {
        op_succeeded: { guard: current, target: 'deleted', actions: 'accept' },
        // A failed destroy stays deleting; the manager retries it with backoff.
        op_failed: { guard: current, actions: 'accept' },
      },
    },
    deleted: { type: 'final' },
  },
});

/** The type of the lifecycle machine. */
export type LifecycleMachine = typeof lifecycleMachine;
