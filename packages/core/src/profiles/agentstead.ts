/**
 * The AgentStead profile: uppercase statuses (DEPLOYING, ONLINE, RESTARTING, STOPPED, STARTING,
 * REDEPLOYING, DEGRADED) and the actions deploy, restart, redeploy, stop, start and destroy.
 *
 * @module
 */
import type { VendorProfile } from './vendor-profile.js';

/** AgentStead: managed containers; stop keeps the workspace and the slot, only destroy frees it. */
export const agentsteadProfile: VendorProfile = {
  name: 'agentstead',
  title: 'AgentStead',
  seed: 'agentstead-lifecycle.txt',
  agentKinds: ['managed'],
  statusNames: {
    pending: 'PENDING',
    waitlisted: 'WAITLISTED',
    provisioning: 'DEPLOYING',
    starting: 'STARTING',
    running: 'ONLINE',
    degraded: 'DEGRADED',
    paused: 'PAUSED',
    disabled: 'DISABLED',
    restarting: 'RESTARTING',
    redeploying: 'REDEPLOYING',
    stopping: 'STOPPING',
    stopped: 'STOPPED',
    failed: 'FAILED',
    billing_suspended: 'SUSPENDED',
    deleting: 'DESTROYING',
    deleted: 'DESTROYED',
  },
  selfHostedStatusNames: {},
  seedStatuses: ['DEPLOYING', 'ONLINE', 'RESTARTING', 'STOPPED', 'STARTING', 'REDEPLOYING', 'DEGRADED'],
  actionNames: {
    deploy: 'deploy',
    start: 'start',
    stop: 'stop',
    restart: 'restart',
    redeploy: 'redeploy',
    destroy: 'destroy',
  },
  policies: { requireReason: ['pause'], requireConfirm: ['recreate', 'destroy'] },
  statusNotes: {
    pending:
      'Silent (AgentStead deploys at once); Berth shows PENDING for a created, not yet deployed agent.',
    waitlisted: 'Silent; Berth waits in line when the driver has no room and shows WAITLISTED.',
    starting:
      'AgentStead shows STARTING coming back from stopped; after a first provision Berth also shows STARTING (AgentStead folds that boot into DEPLOYING).',
    paused: 'Silent: AgentStead has no pause; the word follows Berth.',
    disabled: 'Silent: AgentStead has no disable; the word follows Berth.',
    stopping:
      'Silent: the seed goes straight to STOPPED; Berth shows STOPPING while the container shuts down.',
    failed: 'Silent: the seed only mentions a broken container; Berth shows FAILED when an operation fails.',
    billing_suspended: "Silent; SUSPENDED in the platform's uppercase style.",
    deleting: 'Silent; DESTROYING while destroy runs.',
    deleted: 'Silent (the record is deleted); DESTROYED during the grace period the record stays readable.',
  },
  notes: [
    'Restart keeps the container and workspace and re-injects secrets; redeploy rebuilds from the latest image keeping the workspace.',
    'Stop keeps the slot; only destroy frees it (the quota guard).',
    'The seed sets no reason or typed-confirmation rules; the Berth defaults apply (pause needs a reason; recreate and destroy need the typed name).',
  ],
};
