/**
 * The exocorp profile: pause needs a reason; restart, reprovision and rollback need the
 * deployment's slug (its name) typed; resume refuses with "already running" when not paused.
 *
 * @module
 */
import type { VendorProfile } from './vendor-profile.js';

/** exocorp: managed deployments with pause/resume, update, restart, reprovision, rollback, stop, destroy. */
export const exocorpProfile: VendorProfile = {
  name: 'exocorp',
  title: 'exocorp',
  seed: 'exocorp-pause-restart-rollback.txt',
  agentKinds: ['managed'],
  statusNames: {
    pending: 'pending',
    waitlisted: 'waitlisted',
    provisioning: 'provisioning',
    starting: 'starting',
    running: 'running',
    degraded: 'degraded',
    paused: 'paused',
    disabled: 'disabled',
    restarting: 'provisioning',
    redeploying: 'provisioning',
    stopping: 'stopping',
    stopped: 'stopped',
    failed: 'failed',
    billing_suspended: 'billing_suspended',
    deleting: 'destroying',
    deleted: 'destroyed',
  },
  selfHostedStatusNames: {},
  seedStatuses: ['provisioning', 'running', 'paused', 'stopped'],
  actionNames: {
    stop: 'stop',
    restart: 'restart',
    update: 'update',
    rollback: 'rollback',
    reprovision: 'reprovision',
    pause: 'pause',
    resume: 'resume',
    destroy: 'destroy',
  },
  policies: {
    requireReason: ['pause'],
    requireConfirm: ['restart', 'reprovision', 'rollback', 'recreate', 'destroy'],
  },
  statusNotes: {
    pending: 'Silent (the seed has no status list); canonical word.',
    waitlisted: 'Silent; canonical word.',
    starting: 'Silent; canonical word.',
    degraded: 'Silent (the seed speaks of a broken runtime); canonical word.',
    disabled: 'Silent: exocorp has no disable; canonical word.',
    restarting:
      'exocorp restarts, reprovisions and rolls back by running a provision job ("already provisioning"), so a restart shows provisioning.',
    redeploying: 'Update, reprovision and rollback run a provision job: shown as provisioning.',
    stopping: 'Silent; canonical word.',
    failed: 'Silent; canonical word.',
    billing_suspended: 'Silent; canonical word.',
    deleting: 'Silent; `destroying` after its destroy action.',
    deleted: 'Silent; `destroyed` after its destroy action.',
  },
  notes: [
    'Pause needs a reason (recorded in the audit trail); resume takes an optional one and refuses with "already running" when the deployment is not paused.',
    "Restart, reprovision and rollback need the deployment's slug typed; in Berth the slug is the agent's name (confirm).",
    'Restart uses the last successful provision, reprovision the current configuration, rollback a given earlier job (revision).',
    'Destroy is irreversible; it keeps the Berth default typed confirmation.',
  ],
};
