/**
 * The action-effect manifest: what each operator action does to an agent's runtime, workspace,
 * credentials and slot, whether it can be undone, and what it costs in downtime — as data a
 * dashboard can show next to each button and the docs render as a table.
 *
 * The semantics are Berth's (DESIGN.md): credentials are issued at provision, kept by restart,
 * stop, start and redeploy, rotated by recreate and revoked by destroy; the workspace is kept by
 * everything but destroy; only destroy frees a slot. Each entry names the seed document(s) that
 * state the behaviour it models (`source`). The statechart decides *whether* an action is
 * allowed; this manifest says *what it does* once it is.
 *
 * @module
 */
import type { DriverCapabilities } from './driver.js';
import type { DriverOperation } from './record.js';
import { ACTIONS, type Action } from './vocabulary.js';

/**
 * What an action does to the agent's credentials:
 * - `issued`: new credentials are created (first provision);
 * - `kept`: the credentials the agent holds keep working;
 * - `rotated`: new credentials replace the old ones, which stop working;
 * - `revoked`: the credentials are removed and nothing replaces them.
 */
export type CredentialsEffect = 'issued' | 'kept' | 'rotated' | 'revoked';

/** What an action does, once the statechart has accepted it. */
export interface ActionEffect {
  /** The canonical action. */
  readonly action: Action;
  /** One sentence: what happens. */
  readonly summary: string;
  /**
   * The driver operation the action runs, or `null` for an instant action that only changes
   * the record (pause, resume, disable, enable): those answer at once (HTTP 200), the others
   * start an operation and answer 202.
   */
  readonly operation: DriverOperation | null;
  /** True when the action only changes the record and no driver is called. */
  readonly instant: boolean;
  /** The workspace (files, repos, installed packages) survives the action. */
  readonly keepsWorkspace: boolean;
  /** What happens to the agent's credentials. */
  readonly credentials: CredentialsEffect;
  /** Account-level secrets are injected again (they live at the account, not the agent). */
  readonly reinjectsSecrets: boolean;
  /** The action needs a free slot in the owner's quota (only deploy takes one). */
  readonly needsSlot: boolean;
  /** The action gives the owner's slot back (only destroy does). */
  readonly freesSlot: boolean;
  /** The agent can be brought back to how it was before. */
  readonly reversible: boolean;
  /** The action that undoes it, when there is one. */
  readonly reversedBy: Action | null;
  /** How long the agent does not serve, roughly (a short phrase for people, not a promise). */
  readonly typicalDowntime: string;
  /** The seed document(s) that state this behaviour, and what they say, in our words. */
  readonly source: string;
}

/** Berth's reading of DESIGN.md, cited where a seed is silent. */
const DESIGN = 'Berth DESIGN.md';

/**
 * The action-effect manifest: one entry per canonical action, in {@link ACTIONS} order.
 *
 * @example
 * ```ts
 * import { ACTION_EFFECTS } from '@berth/core';
 *
 * ACTION_EFFECTS.recreate.credentials; // 'rotated'
 * ACTION_EFFECTS.stop.freesSlot; // false: a stopped agent keeps its slot
 * ```
 */
export const ACTION_EFFECTS: Readonly<Record<Action, ActionEffect>> = {
  deploy: {
    action: 'deploy',
    summary: 'Provisions the runtime for a new agent, issues its credentials and starts it.',
    operation: 'provision',
    instant: false,
    keepsWorkspace: true,
    credentials: 'issued',
    reinjectsSecrets: true,
    needsSlot: true,
    freesSlot: false,
    reversible: true,
    reversedBy: 'destroy',
    typicalDowntime: 'not serving yet; about 90 s until online',
    source:
      'AgentStead: deploy provisions the container, sets up routing and returns credentials, in about 90 s; ' +
      'Alfe: provisioning creates the host and issues credentials.',
  },
  start: {
    action: 'start',
    summary: 'Powers a stopped (or failed) agent back on; secrets are injected again.',
    operation: 'start',
    instant: false,
    keepsWorkspace: true,
    credentials: 'kept',
    reinjectsSecrets: true,
    needsSlot: false,
    freesSlot: false,
    reversible: true,
    reversedBy: 'stop',
    typicalDowntime: 'already down; about 30–60 s until online',
    source:
      'AgentStead: start brings a stopped agent back to ONLINE with secrets re-injected; ' +
      'Alfe: start powers a stopped agent on or recovers a stuck one.',
  },
  stop: {
    action: 'stop',
    summary: 'Shuts the runtime down gracefully; workspace, credentials and slot are kept.',
    operation: 'stop',
    instant: false,
    keepsWorkspace: true,
    credentials: 'kept',
    reinjectsSecrets: false,
    needsSlot: false,
    freesSlot: false,
    reversible: true,
    reversedBy: 'start',
    typicalDowntime: 'until started again',
    source:
      'AgentStead: stop keeps the workspace and does not free the slot; ' +
      'exocorp: stop halts the runtime, state is preserved, reversible; ' +
      'Alfe: a stopped agent keeps its identity.',
  },
  restart: {
    action: 'restart',
    summary: 'Restarts the processes in place from the last good revision; secrets are injected again.',
    operation: 'restart',
    instant: false,
    keepsWorkspace: true,
    credentials: 'kept',
    reinjectsSecrets: true,
    needsSlot: false,
    freesSlot: false,
    reversible: true,
    reversedBy: null,
    typicalDowntime: 'about 10–20 s',
    source:
      'AgentStead: restart keeps the container and workspace, re-injects secrets, takes 10–20 s; ' +
      'Alfe: restart keeps identity and credentials; ' +
      'exocorp: restart uses the last successful provision.',
  },
  redeploy: {
    action: 'redeploy',
    summary: 'Rebuilds the runtime from the latest image, keeping the workspace and credentials.',
    operation: 'redeploy',
    instant: false,
    keepsWorkspace: true,
    credentials: 'kept',
    reinjectsSecrets: true,
    needsSlot: false,
    freesSlot: false,
    reversible: true,
    reversedBy: 'rollback',
    typicalDowntime: 'about 90 s, like a first deploy',
    source:
      'AgentStead: redeploy recreates the container from the latest image, the workspace survives, ' +
      'secrets and settings are re-injected, about 90 s; ' +
      `${DESIGN}: credentials kept across redeploy.`,
  },
  recreate: {
    action: 'recreate',
    summary: 'Clean-slate rebuild on a fresh host with new credentials; the old credentials stop working.',
    operation: 'recreate',
    instant: false,
    keepsWorkspace: true,
    credentials: 'rotated',
    reinjectsSecrets: true,
    needsSlot: false,
    freesSlot: false,
    reversible: false,
    reversedBy: null,
    typicalDowntime: 'minutes: a new host is built, like a first deploy',
    source:
      'Alfe: recreate rebuilds on a new host with new credentials and is confirmed by typing the name; ' +
      `${DESIGN}: the workspace is kept by everything but destroy.`,
  },
  update: {
    action: 'update',
    summary: 'Rebuilds the runtime on a newer image or release, keeping the workspace.',
    operation: 'redeploy',
    instant: false,
    keepsWorkspace: true,
    credentials: 'kept',
    reinjectsSecrets: true,
    needsSlot: false,
    freesSlot: false,
    reversible: true,
    reversedBy: 'rollback',
    typicalDowntime: 'like a redeploy (about 90 s)',
    source: 'exocorp: update applies a newer release and is reversible by rollback.',
  },
  rollback: {
    action: 'rollback',
    summary: 'Rebuilds the runtime from a given earlier revision (a past provision job).',
    operation: 'redeploy',
    instant: false,
    keepsWorkspace: true,
    credentials: 'kept',
    reinjectsSecrets: true,
    needsSlot: false,
    freesSlot: false,
    reversible: true,
    reversedBy: 'update',
    typicalDowntime: 'like a redeploy (about 90 s)',
    source:
      'exocorp: rollback reprovisions from a specific past job that you name, reversible by rolling forward.',
  },
  reprovision: {
    action: 'reprovision',
    summary: 'Rebuilds the runtime fresh from the current configuration.',
    operation: 'redeploy',
    instant: false,
    keepsWorkspace: true,
    credentials: 'kept',
    reinjectsSecrets: true,
    needsSlot: false,
    freesSlot: false,
    reversible: true,
    reversedBy: 'rollback',
    typicalDowntime: 'slower than restart; like a redeploy',
    source: 'exocorp: reprovision rebuilds from the current configuration; slower than restart; reversible.',
  },
  pause: {
    action: 'pause',
    summary: 'Closes admission: work in flight finishes, no new work is handed out; compute keeps running.',
    operation: null,
    instant: true,
    keepsWorkspace: true,
    credentials: 'kept',
    reinjectsSecrets: false,
    needsSlot: false,
    freesSlot: false,
    reversible: true,
    reversedBy: 'resume',
    typicalDowntime: 'no new work until resumed; nothing restarts',
    source:
      'exocorp: pause keeps state, needs a reason, is reversible by resume; ' +
      'Sekuire: pause (its `stop`) lets in-flight tasks finish while heartbeats go on.',
  },
  resume: {
    action: 'resume',
    summary: 'Opens admission again: the agent takes new work.',
    operation: null,
    instant: true,
    keepsWorkspace: true,
    credentials: 'kept',
    reinjectsSecrets: false,
    needsSlot: false,
    freesSlot: false,
    reversible: true,
    reversedBy: 'pause',
    typicalDowntime: 'none',
    source:
      'exocorp: resume brings a paused agent back, reason optional, and refuses when not paused ("already running"); ' +
      'Sekuire: resume makes a paused agent active again.',
  },
  disable: {
    action: 'disable',
    summary: "Switches the agent's API access off; its credentials are kept, not revoked.",
    operation: null,
    instant: true,
    keepsWorkspace: true,
    credentials: 'kept',
    reinjectsSecrets: false,
    needsSlot: false,
    freesSlot: false,
    reversible: true,
    reversedBy: 'enable',
    typicalDowntime: 'agent API calls refused until enabled',
    source: 'Opstage: disable keeps the agent token; enable restores access with the same token.',
  },
  enable: {
    action: 'enable',
    summary: "Switches the agent's API access back on; the same credentials work again.",
    operation: null,
    instant: true,
    keepsWorkspace: true,
    credentials: 'kept',
    reinjectsSecrets: false,
    needsSlot: false,
    freesSlot: false,
    reversible: true,
    reversedBy: 'disable',
    typicalDowntime: 'none',
    source: "Opstage: enable restores access; the agent's existing token resumes working.",
  },
  destroy: {
    action: 'destroy',
    summary:
      'Removes the runtime, the workspace and the credentials and frees the slot; the record stays readable for a grace period.',
    operation: 'destroy',
    instant: false,
    keepsWorkspace: false,
    credentials: 'revoked',
    reinjectsSecrets: false,
    needsSlot: false,
    freesSlot: true,
    reversible: false,
    reversedBy: null,
    typicalDowntime: 'permanent',
    source:
      'AgentStead: destroy removes container, workspace and credentials, frees the slot, cannot be undone; ' +
      'exocorp: destroy is permanent; Sekuire: kill is irreversible; ' +
      'Opstage: revoke revokes every token; Alfe: delete is a soft delete with a grace period.',
  },
};

/**
 * The driver operations a driver may lack, with the capability flag that declares each.
 * `provision`, `start`, `stop` and `destroy` are required by the driver contract.
 */
const OPTIONAL_OPERATIONS = ['restart', 'redeploy', 'recreate'] as const satisfies readonly (DriverOperation &
  keyof DriverCapabilities)[];

/**
 * The actions a driver cannot perform, from its declared capabilities: an action is
 * unsupported when the operation it runs is optional and the driver lacks it. This is what
 * the manager passes as `GuardEnv.unsupported`.
 *
 * @param capabilities - What the driver declares (see `driverCapabilities`).
 * @returns The unsupported actions, in {@link ACTIONS} order.
 * @example
 * ```ts
 * unsupportedActions({ restart: false, redeploy: true, recreate: true, watch: false, list: false });
 * // ['restart']
 * ```
 */
export function unsupportedActions(capabilities: DriverCapabilities): Action[] {
  return ACTIONS.filter((action) => {
    const op = ACTION_EFFECTS[action].operation;
    return OPTIONAL_OPERATIONS.some((optional) => optional === op && !capabilities[optional]);
  });
}
