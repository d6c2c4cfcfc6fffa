/**
 * The Sekuire profile: runtime statuses active, paused and terminated; its `stop` is Berth's
 * pause (in-flight work finishes, heartbeats go on) and its `kill` is Berth's destroy.
 *
 * @module
 */
import type { VendorProfile } from './vendor-profile.js';

/** Sekuire: a registry CLI that pauses (`stop`), resumes and terminates (`kill`) agents. */
export const sekuireProfile: VendorProfile = {
  name: 'sekuire',
  title: 'Sekuire',
  seed: 'sekuire-cli-lifecycle.txt',
  agentKinds: ['managed'],
  statusNames: {
    pending: 'pending',
    waitlisted: 'waitlisted',
    provisioning: 'provisioning',
    starting: 'starting',
    running: 'active',
    degraded: 'active',
    paused: 'paused',
    disabled: 'disabled',
    restarting: 'restarting',
    redeploying: 'redeploying',
    stopping: 'stopping',
    stopped: 'stopped',
    failed: 'failed',
    billing_suspended: 'billing_suspended',
    deleting: 'terminated',
    deleted: 'terminated',
  },
  selfHostedStatusNames: {},
  seedStatuses: ['active', 'paused', 'terminated'],
  actionNames: {
    pause: 'stop',
    resume: 'resume',
    destroy: 'kill',
  },
  policies: { requireReason: [], requireConfirm: ['recreate'] },
  statusNotes: {
    pending: "Silent: Sekuire's runtime status only knows active, paused and terminated; canonical word.",
    waitlisted: 'Silent; canonical word.',
    provisioning: 'Silent; canonical word.',
    starting: 'Silent; canonical word.',
    degraded:
      'Sekuire shows heartbeat freshness next to the runtime status, not in it: an agent with stale heartbeats is still active.',
    disabled: 'Silent; canonical word.',
    restarting: 'Silent; canonical word.',
    redeploying: 'Silent; canonical word.',
    stopping: "Silent (Sekuire's stop is a pause); canonical word.",
    stopped: "Silent (Sekuire's stop is a pause, shown as paused); canonical word.",
    failed: 'Silent; canonical word.',
    billing_suspended: 'Silent; canonical word.',
    deleting: 'kill marks the agent terminated at once; running instances shut down after.',
  },
  notes: [
    "Sekuire's `stop` is Berth's pause: in-flight tasks finish, no new ones are accepted, heartbeats continue. Its `kill` is Berth's destroy and is irreversible.",
    'Reasons are optional on stop (pause) and kill (destroy) and go to the audit trail; kill asks for no typed confirmation.',
    'Berth only pauses managed agents: model a Sekuire agent as managed (a driver that reports its runtime) to pause it; a self-hosted Berth agent can only be disabled, enabled and destroyed.',
  ],
};
