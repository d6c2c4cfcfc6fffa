/**
 * The canonical vocabulary of Berth: statuses, actions and system events.
 *
 * Everything else (the statechart, the docs, the HTTP routes) speaks these words; vendor
 * profiles translate them into a platform's own.
 *
 * @module
 */

/** Every effective status an agent can show, in lifecycle order. `deleted` is final. */
export const STATUSES = [
  'pending',
  'waitlisted',
  'provisioning',
  'starting',
  'running',
  'degraded',
  'paused',
  'disabled',
  'restarting',
  'redeploying',
  'stopping',
  'stopped',
  'failed',
  'billing_suspended',
  'deleting',
  'deleted',
] as const;

/** A canonical, effective agent status (snake_case). */
export type Status = (typeof STATUSES)[number];

/**
 * How long an agent stays in a status:
 * - `persistent`: it stays until something happens (an action, a heartbeat, a sweep);
 * - `transient`: an operation is in flight and its outcome moves the agent on (these statuses
 *   carry a deadline);
 * - `terminal`: nothing moves it again.
 */
export type StatusKind = 'persistent' | 'transient' | 'terminal';

/** The kind of every status. */
export const STATUS_KINDS: Readonly<Record<Status, StatusKind>> = {
  pending: 'persistent',
  waitlisted: 'persistent',
  provisioning: 'transient',
  starting: 'transient',
  running: 'persistent',
  degraded: 'persistent',
  paused: 'persistent',
  disabled: 'persistent',
  restarting: 'transient',
  redeploying: 'transient',
  stopping: 'transient',
  stopped: 'persistent',
  failed: 'persistent',
  billing_suspended: 'persistent',
  deleting: 'transient',
  deleted: 'terminal',
};

/** One-line meaning of every status, used by the docs and the dashboard. */
export const STATUS_DESCRIPTIONS: Readonly<Record<Status, string>> = {
  pending: 'Created; nothing provisioned yet (a self-hosted agent waits for its first heartbeat).',
  waitlisted: 'The driver has no room; Berth retries with backoff, in order.',
  provisioning: 'The driver is creating the runtime and credentials are being issued.',
  starting: 'The runtime exists and is booting.',
  running: 'Up and healthy (for heartbeating agents: the last heartbeat is fresh).',
  degraded: 'Up but unhealthy: heartbeats went stale or the runtime reported trouble; recovery may run.',
  paused: 'Admission closed: in-flight work finishes, no new work is handed out; compute untouched.',
  disabled: 'Access switched off by an operator: agent API calls are refused, credentials kept.',
  restarting: 'Processes restart in place from the last good revision; workspace and credentials kept.',
  redeploying: 'The runtime is rebuilt from a revision (redeploy, update, rollback, reprovision).',
  stopping: 'Shutting down gracefully.',
  stopped: 'Powered off; workspace, credentials and slot are kept.',
  failed: 'An operation failed or recovery gave up; start, restart, redeploy or recreate it.',
  billing_suspended: 'Suspended for a billing problem; it returns to where it was once billing is resolved.',
  deleting: 'Being destroyed.',
  deleted: 'Destroyed. The record stays readable for a grace period, then it is purged.',
};

/** Actions an operator (or the system acting for one) can ask for. */
export const ACTIONS = [
  'deploy',
  'start',
  'stop',
  'restart',
  'redeploy',
  'recreate',
  'update',
  'rollback',
  'reprovision',
  'pause',
  'resume',
  'disable',
  'enable',
  'destroy',
] as const;

/** A canonical operator action. */
export type Action = (typeof ACTIONS)[number];

/** Events only the runtime sends: operation outcomes, heartbeats, health, billing, capacity. */
export const SYSTEM_EVENTS = [
  'provisioned',
  'op_succeeded',
  'op_failed',
  'capacity_available',
  'heartbeat',
  'heartbeat_stale',
  'health_degraded',
  'health_recovered',
  'billing_suspended',
  'billing_resolved',
  'purge',
] as const;

/** A system event. */
export type SystemEvent = (typeof SYSTEM_EVENTS)[number];

/** Anything the statechart reacts to. */
export type LifecycleEventType = Action | SystemEvent;

/** Whether an agent is run by a driver (`managed`) or runs itself and heartbeats (`self_hosted`). */
export type AgentKind = 'managed' | 'self_hosted';

const actionSet: ReadonlySet<string> = new Set(ACTIONS);
const systemSet: ReadonlySet<string> = new Set(SYSTEM_EVENTS);
const statusSet: ReadonlySet<string> = new Set(STATUSES);

/** True when `value` is a canonical action name. */
export function isAction(value: unknown): value is Action {
  return typeof value === 'string' && actionSet.has(value);
}

/** True when `value` is a system event name. */
export function isSystemEvent(value: unknown): value is SystemEvent {
  return typeof value === 'string' && systemSet.has(value);
}

/** True when `value` is a canonical status. */
export function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && statusSet.has(value);
}
