/**
 * Vendor profiles: each one is complete (every canonical status has a word, every silent
 * choice is explained), and replays at chart level what its seed document states.
 */
import { describe, expect, it } from 'vitest';
import {
  ACTION_EFFECTS,
  ACTIONS,
  actionFromVendor,
  agentsteadProfile,
  alfeProfile,
  exocorpProfile,
  getProfile,
  isAction,
  opstageProfile,
  PROFILE_NAMES,
  PROFILES,
  profileGuardEnv,
  STATUSES,
  sekuireProfile,
  type VendorProfile,
  vendorAction,
  vendorStatus,
} from '../src/index.js';
import { availableActions } from '../src/_internal/index.js';
import { ChartAgent } from './statechart-harness.js';

/** An agent on the chart with the profile's policies, speaking the profile's status words. */
function agentOn(profile: VendorProfile, name: string, kind: 'managed' | 'self_hosted' = 'managed') {
  const agent = new ChartAgent(name, kind, profileGuardEnv(profile));
  const word = () => vendorStatus(profile, agent.status, kind);
  return { agent, word };
}

/** deploy → provisioned → op_succeeded: a managed agent that is up. */
function bringUp(agent: ChartAgent): void {
  agent.send('deploy');
  agent.send('provisioned');
  agent.send('op_succeeded');
}

describe.each(PROFILE_NAMES.map((name) => [name, PROFILES[name]] as const))('profile %s', (name, profile) => {
  it('is found by name, case-insensitively', () => {
    expect(getProfile(name)).toBe(profile);
    expect(getProfile(` ${name.toUpperCase()} `)).toBe(profile);
    expect(profile.name).toBe(name);
  });

  it('names every canonical status, and explains every word its seed does not give', () => {
    for (const status of STATUSES) {
      const word = profile.statusNames[status];
      expect(word, status).toMatch(/\S/);
      if (!profile.seedStatuses.includes(word)) expect(profile.statusNotes[status], status).toMatch(/\S/);
    }
  });

  it('uses every status word its seed defines', () => {
    const words = new Set([
      ...Object.values(profile.statusNames),
      ...Object.values(profile.selfHostedStatusNames),
    ]);
    for (const word of profile.seedStatuses) expect(words, word).toContain(word);
  });

  it('maps its action words to canonical actions one to one', () => {
    for (const [action, word] of Object.entries(profile.actionNames)) {
      expect(isAction(action)).toBe(true);
      expect(actionFromVendor(profile, word!)).toBe(action);
      expect(vendorAction(profile, action as never)).toBe(word);
    }
    expect(actionFromVendor(profile, 'no-such-action')).toBeUndefined();
    for (const action of [...profile.policies.requireReason, ...profile.policies.requireConfirm])
      expect(ACTIONS).toContain(action);
  });
});

describe('getProfile', () => {
  it('refuses an unknown profile with VALIDATION_FAILED naming the field and the known ones', () => {
    try {
      getProfile('heroku');
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'profile' }] });
      expect((error as Error).message).toContain('agentstead, alfe, exocorp, sekuire, opstage');
    }
  });
});

describe('AgentStead', () => {
  it('shows DEPLOYING → ONLINE → STOPPED → STARTING → ONLINE → REDEPLOYING → ONLINE → RESTARTING', () => {
    const { agent, word } = agentOn(agentsteadProfile, 'support-bot');
    const seen: string[] = [];
    const step = (type: Parameters<ChartAgent['send']>[0]) => {
      agent.send(type);
      seen.push(word());
    };
    for (const type of [
      'deploy',
      'provisioned',
      'op_succeeded',
      'stop',
      'op_succeeded',
      'start',
      'op_succeeded',
    ] as const)
      step(type);
    for (const type of ['redeploy', 'op_succeeded', 'restart', 'op_succeeded', 'health_degraded'] as const)
      step(type);
    expect(seen).toEqual([
      'DEPLOYING',
      'STARTING',
      'ONLINE',
      'STOPPING',
      'STOPPED',
      'STARTING',
      'ONLINE',
      'REDEPLOYING',
      'ONLINE',
      'RESTARTING',
      'ONLINE',
      'DEGRADED',
    ]);
    expect(vendorAction(agentsteadProfile, 'redeploy')).toBe('redeploy');
  });

  it('keeps the slot while stopped and frees it only on destroy', () => {
    const noSlot = profileGuardEnv(agentsteadProfile, { slotAvailable: false });
    const { agent, word } = agentOn(agentsteadProfile, 'support-bot');
    bringUp(agent);
    agent.send('stop');
    agent.send('op_succeeded');
    expect(word()).toBe('STOPPED');
    // The owner is at quota, yet the stopped agent starts again: it still holds its slot.
    agent.env = noSlot;
    expect(agent.send('start')).toBe('starting');
    expect(new ChartAgent('second', 'managed', noSlot).refuse('deploy').code).toBe('QUOTA_EXCEEDED');
    expect(ACTION_EFFECTS.stop.freesSlot).toBe(false);
    expect(ACTION_EFFECTS.destroy.freesSlot).toBe(true);
  });

  it('keeps the workspace across stop, restart and redeploy; destroy cannot be undone', () => {
    for (const action of ['stop', 'restart', 'redeploy', 'start'] as const)
      expect(ACTION_EFFECTS[action].keepsWorkspace).toBe(true);
    expect(ACTION_EFFECTS.redeploy.reinjectsSecrets).toBe(true);
    expect(ACTION_EFFECTS.restart.reinjectsSecrets).toBe(true);
    expect(ACTION_EFFECTS.destroy).toMatchObject({
      keepsWorkspace: false,
      credentials: 'revoked',
      reversible: false,
    });
  });
});

describe('Alfe', () => {
  it('refuses recreate without the typed name and rebuilds with new credentials when it is typed', () => {
    const { agent, word } = agentOn(alfeProfile, 'research-agent');
    bringUp(agent);
    const denial = agent.refuse('recreate');
    expect(denial.code).toBe('CONFIRMATION_REQUIRED');
    expect(agent.refuse('recreate', { confirm: 'Research-Agent' }).code).toBe('CONFIRMATION_REQUIRED');
    agent.send('recreate', { confirm: 'research-agent' });
    expect(word()).toBe('provisioning');
    expect(ACTION_EFFECTS.recreate.credentials).toBe('rotated');
    expect(ACTION_EFFECTS.restart.credentials).toBe('kept');
  });

  it('shows rebooting, failing and failed, and recovers a failed agent by start or recreate', () => {
    const { agent, word } = agentOn(alfeProfile, 'research-agent');
    bringUp(agent);
    agent.send('restart');
    expect(word()).toBe('rebooting');
    agent.send('op_succeeded');
    agent.send('heartbeat_stale');
    expect(word()).toBe('failing');
    agent.send('restart');
    agent.send('op_failed', { errorCode: 'BOOM' });
    expect(word()).toBe('failed');
    const offered = availableActions(agent.key, agent.context, agent.env).filter((a) => a.allowed);
    expect(offered.map((a) => a.action)).toEqual(expect.arrayContaining(['start', 'recreate']));
    agent.send('start');
    expect(word()).toBe('starting');
  });

  it('waitlists when capacity is short and retries automatically', () => {
    const { agent, word } = agentOn(alfeProfile, 'research-agent');
    agent.send('deploy');
    agent.send('op_failed', { errorCode: 'NO_CAPACITY' });
    expect(word()).toBe('waitlisted');
    agent.send('capacity_available');
    expect(word()).toBe('provisioning');
  });

  it('suspends for billing and resumes where it was once billing is resolved', () => {
    const { agent, word } = agentOn(alfeProfile, 'research-agent');
    bringUp(agent);
    agent.send('billing_suspended');
    expect(word()).toBe('billing_suspended');
    expect(agent.refuse('restart').code).toBe('ILLEGAL_TRANSITION');
    agent.send('billing_resolved');
    expect(word()).toBe('running');
    agent.send('stop');
    agent.send('op_succeeded');
    agent.send('billing_suspended');
    agent.send('billing_resolved');
    expect(word()).toBe('stopped');
  });

  it('deletes softly (deleted at once) and shows a self-hosted agent as active', () => {
    const { agent, word } = agentOn(alfeProfile, 'research-agent');
    bringUp(agent);
    agent.send('destroy', { confirm: 'research-agent' });
    expect(agent.status).toBe('deleting');
    expect(word()).toBe('deleted');
    expect(vendorAction(alfeProfile, 'destroy')).toBe('delete');
    const selfHosted = agentOn(alfeProfile, 'my-box', 'self_hosted');
    selfHosted.agent.send('heartbeat');
    expect(selfHosted.word()).toBe('active');
  });
});

describe('exocorp', () => {
  it('refuses pause without a reason (REASON_REQUIRED) and resumes without one', () => {
    const { agent, word } = agentOn(exocorpProfile, 'acme-co');
    bringUp(agent);
    expect(agent.refuse('pause').code).toBe('REASON_REQUIRED');
    agent.send('pause', { reason: 'budget alert under investigation' });
    expect(word()).toBe('paused');
    agent.send('resume');
    expect(word()).toBe('running');
  });

  it('refuses resume when not paused: "already running"', () => {
    const { agent } = agentOn(exocorpProfile, 'acme-co');
    bringUp(agent);
    const denial = agent.refuse('resume');
    expect(denial.code).toBe('ILLEGAL_TRANSITION');
    expect(denial.detail).toContain('already running');
  });

  it('needs the slug typed for restart, reprovision and rollback', () => {
    const { agent, word } = agentOn(exocorpProfile, 'acme-co');
    bringUp(agent);
    for (const action of ['restart', 'reprovision', 'rollback'] as const)
      expect(agent.refuse(action).code).toBe('CONFIRMATION_REQUIRED');
    agent.send('restart', { confirm: 'acme-co' });
    expect(word()).toBe('provisioning');
  });

  it('refuses a restart while a provision is in flight: "already provisioning"', () => {
    const { agent } = agentOn(exocorpProfile, 'acme-co');
    agent.send('deploy');
    const denial = agent.refuse('restart', { confirm: 'acme-co' });
    expect(denial.code).toBe('OPERATION_IN_PROGRESS');
    expect(denial.detail).toContain('already provisioning');
  });

  it('brings a stopped deployment back with restart; update rolls back; destroy is irreversible', () => {
    const { agent, word } = agentOn(exocorpProfile, 'acme-co');
    bringUp(agent);
    agent.send('stop');
    agent.send('op_succeeded');
    expect(word()).toBe('stopped');
    agent.send('restart', { confirm: 'acme-co' });
    agent.send('op_succeeded');
    expect(word()).toBe('running');
    agent.send('update');
    agent.send('op_succeeded');
    agent.send('rollback', { confirm: 'acme-co' });
    expect(word()).toBe('provisioning');
    expect(ACTION_EFFECTS.update).toMatchObject({ reversible: true, reversedBy: 'rollback' });
    expect(ACTION_EFFECTS.pause).toMatchObject({ reversible: true, reversedBy: 'resume' });
    expect(ACTION_EFFECTS.destroy.reversible).toBe(false);
  });
});

describe('Sekuire', () => {
  it('maps its stop to pause and its kill to destroy', () => {
    expect(actionFromVendor(sekuireProfile, 'stop')).toBe('pause');
    expect(actionFromVendor(sekuireProfile, 'kill')).toBe('destroy');
    expect(actionFromVendor(sekuireProfile, 'resume')).toBe('resume');
  });

  it('goes active --stop--> paused --resume--> active, with no reason needed and heartbeats going on', () => {
    const { agent, word } = agentOn(sekuireProfile, 'sk-agent');
    bringUp(agent);
    expect(word()).toBe('active');
    agent.send(actionFromVendor(sekuireProfile, 'stop')!);
    expect(word()).toBe('paused');
    // Heartbeats continue while paused; in-flight work finishes (pause runs no driver operation).
    agent.send('heartbeat');
    expect(word()).toBe('paused');
    expect(ACTION_EFFECTS.pause.operation).toBeNull();
    agent.send(actionFromVendor(sekuireProfile, 'resume')!);
    expect(word()).toBe('active');
  });

  it.each(['active', 'paused'])('kills from %s: terminated, irreversibly', (from) => {
    const { agent, word } = agentOn(sekuireProfile, 'sk-agent');
    bringUp(agent);
    if (from === 'paused') agent.send('pause');
    expect(word()).toBe(from);
    agent.send(actionFromVendor(sekuireProfile, 'kill')!, { reason: 'replaced by v2' });
    expect(word()).toBe('terminated');
    agent.send('op_succeeded');
    expect(word()).toBe('terminated');
    expect(agent.refuse('resume').detail).toContain('deleted');
    expect(availableActions(agent.key, agent.context, agent.env).some((a) => a.allowed)).toBe(false);
  });
});

describe('Opstage', () => {
  it('goes PENDING → ONLINE on registration, OFFLINE when heartbeats go stale, ONLINE on the next one', () => {
    const { agent, word } = agentOn(opstageProfile, 'worker-1', 'self_hosted');
    expect(word()).toBe('PENDING');
    agent.send('heartbeat');
    expect(word()).toBe('ONLINE');
    agent.send('heartbeat_stale');
    expect(word()).toBe('OFFLINE');
    agent.send('heartbeat');
    expect(word()).toBe('ONLINE');
  });

  it('disables keeping the token and enables back to ONLINE', () => {
    const { agent, word } = agentOn(opstageProfile, 'worker-1', 'self_hosted');
    agent.send('heartbeat');
    agent.send(actionFromVendor(opstageProfile, 'disable')!);
    expect(word()).toBe('DISABLED');
    expect(ACTION_EFFECTS.disable.credentials).toBe('kept');
    agent.send('heartbeat');
    expect(word()).toBe('DISABLED');
    agent.send(actionFromVendor(opstageProfile, 'enable')!);
    expect(word()).toBe('ONLINE');
  });

  it('revokes to REVOKED, which is terminal', () => {
    const { agent, word } = agentOn(opstageProfile, 'worker-1', 'self_hosted');
    agent.send('heartbeat');
    agent.send(actionFromVendor(opstageProfile, 'revoke')!, { confirm: 'worker-1' });
    expect(word()).toBe('REVOKED');
    agent.send('op_succeeded');
    expect(word()).toBe('REVOKED');
    for (const type of ['heartbeat', 'enable', 'disable', 'destroy'] as const) agent.refuse(type);
    expect(ACTION_EFFECTS.destroy.credentials).toBe('revoked');
  });
});
