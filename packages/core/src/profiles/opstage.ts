/**
 * The Opstage profile: PENDING, ONLINE, OFFLINE (heartbeats stale), DISABLED (token kept) and
 * REVOKED (terminal) for self-hosted agents that register and heartbeat.
 *
 * @module
 */
import type { VendorProfile } from './vendor-profile.js';

/** Opstage: self-hosted agents register with a one-time token, heartbeat, and are disabled or revoked. */
export const opstageProfile: VendorProfile = {
  name: 'opstage',
  title: 'Opstage',
  seed: 'opstage-agent-lifecycle.txt',
  agentKinds: ['self_hosted'],
  statusNames: {
    pending: 'PENDING',
    waitlisted: 'PENDING',
    provisioning: 'PENDING',
    starting: 'PENDING',
    running: 'ONLINE',
    degraded: 'OFFLINE',
    paused: 'PAUSED',
    disabled: 'DISABLED',
    restarting: 'OFFLINE',
    redeploying: 'OFFLINE',
    stopping: 'OFFLINE',
    stopped: 'OFFLINE',
    failed: 'OFFLINE',
    billing_suspended: 'SUSPENDED',
    deleting: 'REVOKED',
    deleted: 'REVOKED',
  },
  selfHostedStatusNames: {},
  seedStatuses: ['PENDING', 'ONLINE', 'OFFLINE', 'DISABLED', 'REVOKED'],
  actionNames: {
    disable: 'disable',
    enable: 'enable',
    destroy: 'revoke',
  },
  policies: { requireReason: ['pause'], requireConfirm: ['recreate', 'destroy'] },
  statusNotes: {
    waitlisted: 'Managed-only status; an agent that has not come online yet is PENDING in Opstage terms.',
    provisioning: 'Managed-only status; not yet online, so PENDING.',
    starting: 'Managed-only status; not yet online, so PENDING.',
    degraded: 'Opstage marks an agent OFFLINE when its heartbeat is older than the freshness window.',
    paused: 'Silent: Opstage has no pause (and Berth cannot pause a self-hosted agent); PAUSED in its style.',
    restarting: 'Managed-only status; the agent is not heartbeating, so OFFLINE.',
    redeploying: 'Managed-only status; the agent is not heartbeating, so OFFLINE.',
    stopping: 'Managed-only status; the agent is not heartbeating, so OFFLINE.',
    stopped: 'Managed-only status; the agent is not heartbeating, so OFFLINE.',
    failed: 'Managed-only status; the agent is not heartbeating, so OFFLINE.',
    billing_suspended:
      'Silent; SUSPENDED, not DISABLED, so an operator does not expect Enable to lift a billing hold.',
    deleting: 'Revoke revokes every token at once: REVOKED from the moment destroy is accepted.',
    deleted: 'REVOKED is terminal; coming back needs a fresh registration (a new agent).',
  },
  auditWords: {
    register: 'registration_token.consumed',
    'register.rotated': 'agent.token.rotated',
    heartbeat: 'agent.heartbeat.received',
    heartbeat_stale: 'system.agent.offline',
    disable: 'agent.disabled',
    enable: 'agent.enabled',
    destroy: 'agent.revoked',
    service_moved: 'service.moved',
  },
  notes: [
    'Registration is the first heartbeat: a PENDING self-hosted agent becomes ONLINE on it.',
    'Disable keeps the agent token; enable restores access with the same token (credentials kept).',
    'Revoke is Berth destroy; a revoked agent cannot come back without a fresh registration.',
    'A first registration is audited as `registration_token.consumed`; a re-registration as `agent.token.rotated` (its metadata says how many tokens it revoked: `revokedTokens`).',
    'Heartbeats are audited at most once per agent per 5 minutes (`agent.heartbeat.received`, sampled).',
    "`service.moved` is our word: Opstage keeps a service's identity when another agent reports its code, but names no audit action for it.",
  ],
};
