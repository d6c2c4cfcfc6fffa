/**
 * Scenario tests per seed platform: each describe replays what one vendor's lifecycle document
 * promises, on the real manager with the in-memory driver and a manual clock, with that
 * vendor's policy presets. Nothing sleeps: time moves with `advance`, the sweeper with `tick`.
 */
import { createHash } from 'node:crypto';
import {
  ACTIONS,
  agentsteadProfile,
  alfeProfile,
  DEFAULT_POLICIES,
  exocorpProfile,
  opstageProfile,
  sekuireProfile,
  vendorStatus,
  verifyAuditChain,
} from '@berth/core';
import { describe, expect, it } from 'vitest';
import { codeOf, errorOf, setup } from './scenario-harness.js';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

describe('AgentStead: stop keeps the slot, destroy frees it, redeploy keeps the workspace', () => {
  const policies = { ...agentsteadProfile.policies, slotsPerOwner: 1 };

  it('a stopped agent keeps its slot; only destroy frees it', async () => {
    const { manager, running, settle } = setup({ policies });
    const a = await running('alpha');
    await manager.dispatch(a.id, 'stop', { actor: 'user:ada' });
    await settle();
    expect((await manager.get(a.id)).status).toBe('stopped');

    expect(await codeOf(manager.create({ name: 'beta', owner: 'acme' }))).toBe('QUOTA_EXCEEDED');
    expect(await manager.list({ owner: 'acme' })).toHaveLength(1);
    // Another owner has slots of its own.
    await running('gamma', 'globex');

    await manager.dispatch(a.id, 'destroy', { actor: 'user:ada', confirm: 'alpha' });
    await settle();
    expect((await manager.get(a.id)).status).toBe('deleted');
    const b = await running('beta');
    expect(b.owner).toBe('acme');
  });

  it('redeploy keeps the workspace (and credentials) and builds a new container', async () => {
    const { manager, driver, running, settle } = setup({ policies });
    const a = await running('alpha');
    const [before] = driver.resources();
    const result = await manager.dispatch(a.id, 'redeploy', { actor: 'user:ada' });
    expect(result.agent.status).toBe('redeploying');
    expect(result.operation?.action).toBe('redeploy');
    await settle();
    const [after] = driver.resources();
    expect((await manager.get(a.id)).status).toBe('running');
    expect(after!.workspaceId).toBe(before!.workspaceId);
    expect(after!.workspaceId).toBe(a.workspaceId);
    expect(driver.workspaces().map((w) => w.id)).toEqual([a.workspaceId]);
    expect(after!.resourceId).not.toBe(before!.resourceId);
    expect(after!.credentials).toEqual(before!.credentials);
    expect(driver.resourceCount(a.id)).toBe(2);
    const revisions = await manager.revisions(a.id);
    expect(revisions.map((r) => [r.action, r.outcome])).toEqual([
      ['create', 'succeeded'],
      ['redeploy', 'succeeded'],
    ]);
  });

  it('secrets are re-injected on restart, start and redeploy', async () => {
    let apiKey = 'key-1';
    const { manager, driver, running, settle } = setup({
      policies,
      secrets: (owner) => ({ API_KEY: apiKey, OWNER: owner }),
    });
    const a = await running('alpha');
    expect(driver.resources()[0]!.secrets).toEqual({ API_KEY: 'key-1', OWNER: 'acme' });

    apiKey = 'key-2';
    await manager.dispatch(a.id, 'restart');
    await settle();
    expect(driver.resources()[0]!.secrets.API_KEY).toBe('key-2');
    expect(driver.resources()[0]!.env.API_KEY).toBe('key-2');

    await manager.dispatch(a.id, 'stop');
    await settle();
    apiKey = 'key-3';
    await manager.dispatch(a.id, 'start');
    await settle();
    expect((await manager.get(a.id)).status).toBe('running');
    expect(driver.resources()[0]!.secrets.API_KEY).toBe('key-3');

    apiKey = 'key-4';
    await manager.dispatch(a.id, 'redeploy');
    await settle();
    expect(driver.resources()[0]!.secrets.API_KEY).toBe('key-4');
  });

  it('destroy removes the container and workspace and revokes the credentials', async () => {
    const { manager, driver, store, running, settle } = setup({ policies });
    const a = await running('alpha');
    const token = driver.resources()[0]!.credentials!.agentToken;
    expect((await manager.authenticateAgent(a.id, token)).id).toBe(a.id);

    expect(await codeOf(manager.dispatch(a.id, 'destroy'))).toBe('CONFIRMATION_REQUIRED');
    expect(await codeOf(manager.dispatch(a.id, 'destroy', { confirm: 'ALPHA' }))).toBe(
      'CONFIRMATION_REQUIRED',
    );
    expect(driver.resources()).toHaveLength(1);

    await manager.dispatch(a.id, 'destroy', { actor: 'user:ada', confirm: 'alpha' });
    await settle();
    expect((await manager.get(a.id)).status).toBe('deleted');
    expect(driver.resources()).toEqual([]);
    expect(driver.workspaces()).toEqual([]);
    expect((await store.findAgentToken(sha256(token)))?.revokedAt).not.toBeNull();
    expect(await codeOf(manager.authenticateAgent(a.id, token))).toBe('AGENT_REVOKED');
  });
});

describe('Alfe: recreate, waitlist, billing suspension, failing → recovered or failed, soft delete', () => {
  const policies = alfeProfile.policies;

  it('recreate needs the typed name and rotates the credentials', async () => {
    const { manager, driver, running, settle } = setup({ policies });
    const a = await running('helper');
    const before = driver.resources()[0]!;
    const oldToken = before.credentials!.agentToken;

    expect(await codeOf(manager.dispatch(a.id, 'recreate'))).toBe('CONFIRMATION_REQUIRED');
    const refusal = await errorOf(manager.dispatch(a.id, 'recreate', { confirm: 'helpr' }));
    expect(refusal).toMatchObject({ code: 'CONFIRMATION_REQUIRED' });
    expect(String((refusal as Error).message)).toContain('helper');
    expect(driver.resources()[0]!.resourceId).toBe(before.resourceId);

    await manager.dispatch(a.id, 'recreate', { actor: 'user:ada', confirm: 'helper' });
    await settle();
    expect((await manager.get(a.id)).status).toBe('running');
    const after = driver.resources()[0]!;
    expect(after.resourceId).not.toBe(before.resourceId);
    const newToken = after.credentials!.agentToken;
    expect(newToken).not.toBe(oldToken);
    expect(await codeOf(manager.authenticateAgent(a.id, oldToken))).toBe('UNAUTHORIZED');
    expect((await manager.authenticateAgent(a.id, newToken)).id).toBe(a.id);
    expect(after.env.BERTH_AGENT_TOKEN).toBe(newToken);
  });

  it('waitlists when capacity is full, reports positions, provisions in order as room frees', async () => {
    const { manager, driver, running, settle } = setup({ policies, capacity: 1 });
    const first = await running('first');
    const second = await manager.create({ name: 'second', owner: 'acme' });
    await settle();
    const third = await manager.create({ name: 'third', owner: 'acme' });
    await settle();

    const s = await manager.get(second.id);
    const t = await manager.get(third.id);
    expect(s.status).toBe('waitlisted');
    expect(t.status).toBe('waitlisted');
    expect(vendorStatus(alfeProfile, s.status)).toBe('waitlisted');
    expect(s.waitlist?.position).toBe(1);
    expect(t.waitlist?.position).toBe(2);
    expect(driver.resources().map((r) => r.agentId)).toEqual([first.id]);

    await manager.dispatch(first.id, 'destroy', { confirm: 'first' });
    await settle();
    expect((await manager.get(second.id)).status).toBe('running');
    const t2 = await manager.get(third.id);
    expect(t2.status).toBe('waitlisted');
    expect(t2.waitlist?.position).toBe(1);

    await manager.dispatch(second.id, 'destroy', { confirm: 'second' });
    await settle();
    expect((await manager.get(third.id)).status).toBe('running');
    expect(driver.resources().map((r) => r.agentId)).toEqual([third.id]);
  });

  it('keeps retrying a waitlisted agent with backoff, and provisions it once room appears', async () => {
    const { manager, driver, clock, running, settle, advance } = setup({ policies, capacity: 1 });
    await running('first');
    const second = await manager.create({ name: 'second', owner: 'acme' });
    await settle();
    const w1 = await manager.get(second.id);
    expect(w1.status).toBe('waitlisted');
    const firstWait = Date.parse(w1.waitlist!.nextAttemptAt) - clock.now();
    expect(firstWait).toBe(DEFAULT_POLICIES.retryBaseMs);

    // Not before the next attempt is due.
    await advance(firstWait - 1);
    expect((await manager.tick()).waitlistRetries).toBe(0);
    // Still full: the retry goes back to the line, the next attempt further away.
    await advance(1);
    expect((await manager.tick()).waitlistRetries).toBe(1);
    await settle();
    const w2 = await manager.get(second.id);
    expect(w2.status).toBe('waitlisted');
    expect(Date.parse(w2.waitlist!.nextAttemptAt) - clock.now()).toBeGreaterThan(firstWait);

    driver.setCapacity(2);
    await advance(DEFAULT_POLICIES.retryMaxMs);
    expect((await manager.tick()).waitlistRetries).toBe(1);
    await settle();
    expect((await manager.get(second.id)).status).toBe('running');
  });

  it('billing suspension allows only destroy, and resolution returns to where the agent was', async () => {
    const { manager, running, settle } = setup({ policies });
    const up = await running('up');
    const down = await running('down');
    await manager.dispatch(down.id, 'stop');
    await settle();

    for (const id of [up.id, down.id]) {
      const suspended = await manager.setBilling(id, true, { reason: 'card declined' });
      expect(suspended.status).toBe('billing_suspended');
      // Nothing touches the runtime or admission; only destroy (and the orthogonal access
      // switch, disable, which an operator may still flip) is open.
      expect(suspended.availableActions).toEqual(['disable', 'destroy']);
      for (const action of ['start', 'stop', 'restart', 'pause', 'redeploy', 'recreate', 'update'] as const) {
        expect(await codeOf(manager.dispatch(id, action, { reason: 'try', confirm: 'x' }))).toBe(
          'ILLEGAL_TRANSITION',
        );
      }
    }
    expect((await manager.setBilling(up.id, false)).status).toBe('running');
    expect((await manager.setBilling(down.id, false)).status).toBe('stopped');
    const entries = await manager.audit(up.id);
    const suspension = entries.find((e) => e.action === 'billing_suspended');
    expect(suspension).toMatchObject({ from: 'running', to: 'billing_suspended', reason: 'card declined' });
  });

  it('failing → recovered: a crash makes the agent failing, automatic restart brings it back', async () => {
    const { manager, driver, running, advance } = setup({ policies });
    const a = await running('helper');
    driver.crash(a.id, 137);
    await advance(0);
    const failing = await manager.get(a.id);
    expect(failing.status).toBe('degraded');
    expect(vendorStatus(alfeProfile, failing.status)).toBe('failing');

    // Not before the backoff.
    expect((await manager.tick()).recovered).toBe(0);
    await advance(DEFAULT_POLICIES.retryBaseMs);
    expect((await manager.tick()).recovered).toBe(1);
    await advance(0);
    expect((await manager.get(a.id)).status).toBe('running');
    expect(driver.resources()[0]!.state).toBe('running');
    const restart = (await manager.audit(a.id)).find((e) => e.action === 'restart');
    expect(restart).toMatchObject({ actor: 'system', reason: 'automatic recovery', from: 'degraded' });
  });

  it('failing → failed: recovery gives up after maxRecoveryAttempts, recreate brings it back', async () => {
    const { manager, driver, running, advance } = setup({ policies });
    const a = await running('helper');
    driver.crash(a.id);
    await advance(0);
    for (let i = 0; i < DEFAULT_POLICIES.maxRecoveryAttempts; i++) driver.failNext('restart');

    const seen: string[] = [];
    for (let i = 0; i < DEFAULT_POLICIES.maxRecoveryAttempts; i++) {
      await advance(DEFAULT_POLICIES.retryMaxMs);
      expect((await manager.tick()).recovered).toBe(1);
      await advance(0);
      seen.push((await manager.get(a.id)).status);
    }
    expect(seen).toEqual(['degraded', 'degraded', 'failed']);
    expect(driver.calls.filter((c) => c.op === 'restart')).toHaveLength(DEFAULT_POLICIES.maxRecoveryAttempts);
    await advance(DEFAULT_POLICIES.retryMaxMs);
    expect((await manager.tick()).recovered).toBe(0);

    await manager.dispatch(a.id, 'recreate', { confirm: 'helper' });
    await advance(0);
    expect((await manager.get(a.id)).status).toBe('running');
  });

  it('soft delete: deleted stays readable for the grace period, then it is purged', async () => {
    const { manager, running, settle, advance } = setup({ policies });
    const a = await running('helper');
    await manager.dispatch(a.id, 'destroy', { confirm: 'helper', reason: 'done' });
    await settle();
    const deleted = await manager.get(a.id);
    expect(deleted.status).toBe('deleted');
    expect(Date.parse(deleted.purgeAt!) - Date.parse(deleted.deletedAt!)).toBe(
      DEFAULT_POLICIES.deletedGraceMs,
    );

    await advance(DEFAULT_POLICIES.deletedGraceMs - 1);
    expect((await manager.tick()).purged).toBe(0);
    expect((await manager.get(a.id)).status).toBe('deleted');

    await advance(1);
    expect((await manager.tick()).purged).toBe(1);
    expect(await codeOf(manager.get(a.id))).toBe('AGENT_NOT_FOUND');
    expect(await manager.list()).toEqual([]);
    // The history outlives the record.
    const history = await manager.audit(a.id);
    expect(history.at(-1)?.to).toBe('deleted');
    expect(verifyAuditChain(history).ok).toBe(true);
  });
});

describe('exocorp: pause with a reason, restart/rollback/reprovision, destroy is final', () => {
  const policies = exocorpProfile.policies;
  const slug = 'acme-co';

  it('pause needs a reason, recorded in the audit trail; resume when not paused is "already running"', async () => {
    const { manager, running } = setup({ policies });
    const a = await running(slug);
    expect(await codeOf(manager.dispatch(a.id, 'pause'))).toBe('REASON_REQUIRED');
    expect(await codeOf(manager.dispatch(a.id, 'pause', { reason: '   ' }))).toBe('REASON_REQUIRED');

    const resumeRefusal = await errorOf(manager.dispatch(a.id, 'resume'));
    expect(resumeRefusal).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    expect((resumeRefusal as Error).message).toContain('already running');

    const paused = await manager.dispatch(a.id, 'pause', { actor: 'user:ceo', reason: 'budget alert' });
    expect(paused.agent.status).toBe('paused');
    expect(paused.operation).toBeNull();
    const entry = (await manager.audit(a.id)).find((e) => e.action === 'pause' && !e.denied);
    expect(entry).toMatchObject({ actor: 'user:ceo', from: 'running', to: 'paused', reason: 'budget alert' });

    const resumed = await manager.dispatch(a.id, 'resume', { actor: 'user:ceo' });
    expect(resumed.agent.status).toBe('running');
  });

  it('restart or reprovision while provisioning is refused: "already provisioning"', async () => {
    const { manager, advance } = setup({ policies, latency: { provision: 5_000 } });
    const a = await manager.create({ name: slug, owner: 'acme' });
    expect(a.status).toBe('provisioning');
    for (const action of ['restart', 'reprovision'] as const) {
      const refusal = await errorOf(manager.dispatch(a.id, action, { confirm: slug }));
      expect(refusal).toMatchObject({ code: 'OPERATION_IN_PROGRESS' });
      expect((refusal as Error).message).toContain('already provisioning');
    }
    await advance(5_000);
    expect((await manager.get(a.id)).status).toBe('running');
  });

  it('update records a revision; rollback runs the chosen revision', async () => {
    const { manager, driver, running, settle } = setup({ policies });
    const a = await running(slug);
    const [v1] = await manager.revisions(a.id);

    await manager.dispatch(a.id, 'update', { image: 'exo/runtime:2.0' });
    await settle();
    await manager.dispatch(a.id, 'update', { image: 'exo/runtime:3.0' });
    await settle();
    const revisions = await manager.revisions(a.id);
    expect(revisions.map((r) => [r.number, r.action, r.image, r.outcome])).toEqual([
      [1, 'create', 'berth/agent:latest', 'succeeded'],
      [2, 'update', 'exo/runtime:2.0', 'succeeded'],
      [3, 'update', 'exo/runtime:3.0', 'succeeded'],
    ]);
    expect(driver.resources()[0]!.image).toBe('exo/runtime:3.0');
    expect((await manager.get(a.id)).revision).toBe(revisions[2]!.id);

    // Rollback needs the typed slug under exocorp's policy, and names a revision.
    expect(await codeOf(manager.dispatch(a.id, 'rollback', { revision: revisions[1]!.id }))).toBe(
      'CONFIRMATION_REQUIRED',
    );
    expect(await codeOf(manager.dispatch(a.id, 'rollback', { revision: 'rev_nope', confirm: slug }))).toBe(
      'REVISION_NOT_FOUND',
    );
    const v2 = revisions[1]!;
    await manager.dispatch(a.id, 'rollback', { revision: v2.id, confirm: slug });
    await settle();
    const after = await manager.get(a.id);
    expect(after.status).toBe('running');
    expect(after.image).toBe('exo/runtime:2.0');
    const rollback = (await manager.revisions(a.id)).at(-1)!;
    expect(rollback).toMatchObject({ action: 'rollback', sourceRevision: v2.id, outcome: 'succeeded' });
    expect(after.revision).toBe(rollback.id);
    // The resource runs exactly what revision 2 was built from (pinned to its resolved image).
    expect(driver.resources()[0]!.image).toBe(v2.resolvedImage ?? v2.image);
    expect(driver.resources()[0]!.revisionId).toBe(rollback.id);
    expect(v1!.id).not.toBe(v2.id);
  });

  it('restart after a failed update uses the last good revision; reprovision builds the current config', async () => {
    const { manager, driver, targets, running, settle } = setup({ policies });
    const a = await running(slug);
    const [good] = await manager.revisions(a.id);

    driver.failNext('redeploy');
    await manager.dispatch(a.id, 'update', { image: 'exo/runtime:bad', config: { model: 'm2' } });
    await settle();
    expect((await manager.get(a.id)).status).toBe('failed');
    const failedRev = (await manager.revisions(a.id)).at(-1)!;
    expect(failedRev).toMatchObject({ action: 'update', image: 'exo/runtime:bad', outcome: 'failed' });

    await manager.dispatch(a.id, 'restart', { confirm: slug });
    await settle();
    const restarted = await manager.get(a.id);
    expect(restarted.status).toBe('running');
    const restartCall = targets.filter((t) => t.op === 'restart').at(-1)!;
    expect(restartCall.target.revision).toMatchObject({ id: good!.id, image: good!.image });
    expect(restarted.revision).toBe(good!.id);
    expect(driver.resources()[0]!.image).toBe(good!.image);

    // Reprovision builds fresh from the current configuration (the update's image and config).
    await manager.dispatch(a.id, 'reprovision', { confirm: slug });
    await settle();
    const rebuilt = await manager.get(a.id);
    expect(rebuilt.status).toBe('running');
    const latest = (await manager.revisions(a.id)).at(-1)!;
    expect(latest).toMatchObject({
      action: 'reprovision',
      image: 'exo/runtime:bad',
      config: { model: 'm2' },
      outcome: 'succeeded',
    });
    expect(driver.resources()[0]).toMatchObject({ image: 'exo/runtime:bad', config: { model: 'm2' } });
  });

  it('destroy is irreversible: every action is refused afterwards', async () => {
    const { manager, driver, running, settle } = setup({ policies });
    const a = await running(slug);
    await manager.dispatch(a.id, 'destroy', { confirm: slug });
    await settle();
    const gone = await manager.get(a.id);
    expect(gone.status).toBe('deleted');
    expect(gone.availableActions).toEqual([]);
    const calls = driver.calls.length;
    for (const action of ACTIONS) {
      // Each action is given the fields it takes (another field would be a 400 of its own).
      const opts = {
        confirm: slug,
        reason: 'again',
        ...(action === 'rollback' ? { revision: 'rev_x' } : {}),
        ...(action === 'update' ? { image: 'exo/runtime:9' } : {}),
      };
      const code = await codeOf(manager.dispatch(a.id, action, opts));
      expect(['ILLEGAL_TRANSITION', 'REVISION_NOT_FOUND'], `${action} after destroy`).toContain(code);
    }
    const still = await manager.get(a.id);
    expect(still.status).toBe('deleted');
    expect(still.version).toBe(gone.version);
    expect(driver.calls.length).toBe(calls);
  });
});

describe('Sekuire: pause drains in-flight work, heartbeats continue, kill is final', () => {
  const policies = sekuireProfile.policies;

  it('pause lets in-flight commands finish while no new command is handed out', async () => {
    const { manager, running } = setup({ policies });
    const a = await running('worker');
    const first = await manager.enqueueCommand(a.id, { type: 'task', payload: { n: 1 } });
    const second = await manager.enqueueCommand(a.id, { type: 'task', payload: { n: 2 } });
    const handed = await manager.pollCommands(a.id, { limit: 1 });
    expect(handed.map((c) => c.id)).toEqual([first.id]);

    // Sekuire's "stop": no reason needed under its policy.
    const paused = await manager.dispatch(a.id, 'pause', { actor: 'cli' });
    expect(paused.agent.status).toBe('paused');
    expect(vendorStatus(sekuireProfile, 'paused')).toBe('paused');

    expect(await manager.pollCommands(a.id)).toEqual([]);
    expect(await codeOf(manager.enqueueCommand(a.id, { type: 'task' }))).toBe('AGENT_PAUSED');
    const done = await manager.completeCommand(a.id, first.id, { ok: true, output: 'finished' });
    expect(done).toMatchObject({ status: 'succeeded', output: 'finished' });

    // Heartbeats continue while paused, and do not unpause.
    const before = await manager.get(a.id);
    const beat = await manager.heartbeat(a.id);
    expect(beat.status).toBe('paused');
    expect(beat.lastHeartbeatAt).not.toBeNull();
    expect(beat.version).toBeGreaterThan(before.version);

    await manager.dispatch(a.id, 'resume');
    const next = await manager.pollCommands(a.id);
    expect(next.map((c) => c.id)).toEqual([second.id]);
    expect(await manager.pollCommands(a.id)).toEqual([]);
    const statuses = (await manager.commands(a.id)).map((c) => c.status);
    expect(statuses).toEqual(['succeeded', 'running']);
  });

  it('kill from running and from paused ends in deleted, with the reason in the audit trail', async () => {
    const { manager, running, settle } = setup({ policies });
    const active = await running('active-one');
    const paused = await running('paused-one');
    await manager.dispatch(paused.id, 'pause', { reason: 'maintenance window' });

    for (const [agent, reason] of [
      [active, 'Decommissioned - replaced by v2'],
      [paused, 'Security incident'],
    ] as const) {
      await manager.dispatch(agent.id, 'destroy', { actor: 'cli', reason });
      await settle();
      const view = await manager.get(agent.id);
      expect(view.status).toBe('deleted');
      expect(vendorStatus(sekuireProfile, view.status)).toBe('terminated');
      const entry = (await manager.audit(agent.id)).find((e) => e.action === 'destroy');
      expect(entry).toMatchObject({ actor: 'cli', reason, to: 'deleting' });
      expect(await codeOf(manager.dispatch(agent.id, 'resume'))).toBe('ILLEGAL_TRANSITION');
      expect(verifyAuditChain(await manager.audit(agent.id)).ok).toBe(true);
    }
    const pausedHistory = await manager.audit(paused.id);
    expect(pausedHistory.find((e) => e.action === 'destroy')?.from).toBe('paused');
  });
});

describe('Opstage: registration tokens, rotation, OFFLINE by sweep, disable and revoke', () => {
  const policies = opstageProfile.policies;

  it('a registration token works once; an expired one never', async () => {
    const { manager, advance } = setup({ policies });
    const { token } = await manager.createRegistrationToken({ owner: 'acme' });
    const first = await manager.register({ registrationToken: token, code: 'host-1' });
    expect(first.agentToken).toMatch(/^bat_/);
    expect(await codeOf(manager.register({ registrationToken: token, code: 'host-2' }))).toBe(
      'REGISTRATION_TOKEN_INVALID',
    );
    expect(await codeOf(manager.register({ registrationToken: 'brg_made_up', code: 'host-3' }))).toBe(
      'REGISTRATION_TOKEN_INVALID',
    );

    const short = await manager.createRegistrationToken({ owner: 'acme', expiresInSeconds: 60 });
    await advance(60_000);
    expect(await codeOf(manager.register({ registrationToken: short.token, code: 'host-4' }))).toBe(
      'REGISTRATION_TOKEN_INVALID',
    );
    expect(await manager.list({ owner: 'acme' })).toHaveLength(1);
    const agent = await manager.get(first.agentId);
    expect(agent).toMatchObject({ kind: 'self_hosted', status: 'running' });
    expect(vendorStatus(opstageProfile, agent.status)).toBe('ONLINE');
  });

  it('re-registering a code reuses the agent, revokes the older token and works with the new one', async () => {
    const { manager } = setup({ policies });
    const t1 = await manager.createRegistrationToken({ owner: 'acme' });
    const first = await manager.register({ registrationToken: t1.token, code: 'host-1', name: 'Host one' });
    const t2 = await manager.createRegistrationToken({ owner: 'acme' });
    const again = await manager.register({ registrationToken: t2.token, code: 'host-1' });

    expect(again.agentId).toBe(first.agentId);
    expect(again.agentToken).not.toBe(first.agentToken);
    expect(await codeOf(manager.authenticateAgent(first.agentId, first.agentToken))).toBe('UNAUTHORIZED');
    expect((await manager.authenticateAgent(again.agentId, again.agentToken)).name).toBe('Host one');
    const rotated = (await manager.audit(first.agentId)).filter((e) => e.action === 'register');
    expect(rotated.map((e) => e.metadata?.tokenRotated ?? false)).toEqual([false, true]);
    expect(await manager.list({ owner: 'acme' })).toHaveLength(1);
  });

  it('no heartbeat for the timeout → OFFLINE by sweep; the next heartbeat → ONLINE', async () => {
    const { manager, advance } = setup({ policies });
    const { token } = await manager.createRegistrationToken({ owner: 'acme' });
    const { agentId } = await manager.register({ registrationToken: token, code: 'host-1' });

    await advance(DEFAULT_POLICIES.heartbeatTimeoutMs - 1);
    expect((await manager.tick()).stale).toBe(0);
    expect((await manager.get(agentId)).status).toBe('running');

    await advance(1);
    expect((await manager.tick()).stale).toBe(1);
    const offline = await manager.get(agentId);
    expect(offline.status).toBe('degraded');
    expect(vendorStatus(opstageProfile, offline.status)).toBe('OFFLINE');
    const sweep = (await manager.audit(agentId)).at(-1)!;
    expect(sweep).toMatchObject({
      action: 'heartbeat_stale',
      actor: 'system',
      from: 'running',
      to: 'degraded',
    });

    const back = await manager.heartbeat(agentId);
    expect(vendorStatus(opstageProfile, back.status)).toBe('ONLINE');
    // A self-hosted agent is never restarted by the manager.
    await advance(DEFAULT_POLICIES.retryMaxMs);
    expect((await manager.tick()).recovered).toBe(0);
  });

  it('disable refuses the token with AGENT_DISABLED; enable makes the same token work again', async () => {
    const { manager } = setup({ policies });
    const { token } = await manager.createRegistrationToken({ owner: 'acme' });
    const { agentId, agentToken } = await manager.register({ registrationToken: token, code: 'host-1' });

    const disabled = await manager.dispatch(agentId, 'disable', { actor: 'user:ops' });
    expect(vendorStatus(opstageProfile, disabled.agent.status)).toBe('DISABLED');
    expect(await codeOf(manager.authenticateAgent(agentId, agentToken))).toBe('AGENT_DISABLED');

    await manager.dispatch(agentId, 'enable', { actor: 'user:ops' });
    const view = await manager.authenticateAgent(agentId, agentToken);
    expect(view.status).toBe('running');
  });

  it('revoke (destroy) answers AGENT_REVOKED from then on', async () => {
    const { manager } = setup({ policies });
    const { token } = await manager.createRegistrationToken({ owner: 'acme' });
    const { agentId, agentToken } = await manager.register({ registrationToken: token, code: 'host-1' });
    await manager.dispatch(agentId, 'destroy', { actor: 'user:ops', confirm: 'host-1', reason: 'leaked' });
    await manager.settle();
    const revoked = await manager.get(agentId);
    expect(vendorStatus(opstageProfile, revoked.status)).toBe('REVOKED');
    expect(await codeOf(manager.authenticateAgent(agentId, agentToken))).toBe('AGENT_REVOKED');
    expect(await codeOf(manager.heartbeat(agentId))).toBe('ILLEGAL_TRANSITION');
  });

  it('heartbeats are audited at most once per agent per 5 minutes', async () => {
    const { manager, advance } = setup({ policies });
    const { token } = await manager.createRegistrationToken({ owner: 'acme' });
    const { agentId } = await manager.register({ registrationToken: token, code: 'host-1' });
    const start = (await manager.get(agentId)).createdAt;

    // Every 30 s for 16 minutes: 32 heartbeats.
    for (let i = 0; i < 32; i++) {
      await advance(30_000);
      const beat = await manager.heartbeat(agentId);
      expect(beat.status).toBe('running');
    }
    const beats = (await manager.audit(agentId)).filter((e) => e.action === 'heartbeat');
    const windows = beats.map((e) => Math.floor((e.at - Date.parse(start)) / (5 * 60_000)));
    expect(new Set(windows).size).toBe(windows.length);
    // The registration's own heartbeat (t=0), then t=5:00, 10:00 and 15:00.
    expect(beats.map((e) => (e.at - Date.parse(start)) / 1000)).toEqual([0, 300, 600, 900]);
    expect((await manager.get(agentId)).lastHeartbeatAt).toBe(
      new Date(Date.parse(start) + 32 * 30_000).toISOString(),
    );
  });
});
