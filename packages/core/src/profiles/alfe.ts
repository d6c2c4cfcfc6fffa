/**
 * The Alfe profile: twelve lowercase statuses (rebooting for restarting, failing for degraded,
 * billing_suspended, waitlisted, soft-deleted `deleted`) and recreate confirmed by the typed name.
 *
 * @module
 */
import type { VendorProfile } from './vendor-profile.js';

/** Alfe: managed hosts (and self-hosted agents shown as `active`); recreate = new host + new credentials. */
export const alfeProfile: VendorProfile = {
  name: 'alfe',
  title: 'Alfe',
  seed: 'alfe-lifecycle.txt',
  agentKinds: ['managed', 'self_hosted'],
  statusNames: {
    pending: 'pending',
    waitlisted: 'waitlisted',
    provisioning: 'provisioning',
    starting: 'starting',
    running: 'running',
    degraded: 'failing',
    paused: 'paused',
    disabled: 'disabled',
    restarting: 'rebooting',
    redeploying: 'redeploying',
    stopping: 'stopping',
    stopped: 'stopped',
    failed: 'failed',
    billing_suspended: 'billing_suspended',
    deleting: 'deleted',
    deleted: 'deleted',
  },
  selfHostedStatusNames: { running: 'active' },
  seedStatuses: [
    'pending',
    'provisioning',
    'starting',
    'running',
    'stopping',
    'stopped',
    'rebooting',
    'failing',
    'failed',
    'billing_suspended',
    'waitlisted',
    'deleted',
    'active',
  ],
  actionNames: {
    start: 'start',
    stop: 'stop',
    restart: 'restart',
    recreate: 'recreate',
    destroy: 'delete',
  },
  policies: { requireReason: ['pause'], requireConfirm: ['recreate', 'destroy'] },
  statusNotes: {
    degraded: 'Alfe calls an agent that is up but not connected `failing` while it tries to recover it.',
    restarting: 'Alfe calls a restart `rebooting`; identity and credentials are kept.',
    paused:
      'Silent: Alfe only pauses for billing (that is billing_suspended); an operator pause shows `paused`.',
    disabled: 'Silent: Alfe has no disable; the word follows Berth.',
    redeploying: 'Silent: Alfe has no redeploy (its rebuild is recreate, shown as provisioning).',
    deleting: 'Alfe deletes softly: the agent is marked deleted at once while it stops.',
  },
  notes: [
    'Recreate rebuilds on a fresh host with new credentials and needs the agent name typed (requireConfirm).',
    'Billing suspension returns the agent to where it was once billing is resolved (the billing region of the chart).',
    'When capacity is short the agent is waitlisted and provisioned automatically later.',
    'A self-hosted agent shows `active` while it is up.',
  ],
};
