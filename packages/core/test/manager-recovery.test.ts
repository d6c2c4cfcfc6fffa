/**
 * Recovery, waitlist order, billing admission and audit versions: behaviour the sweeper and
 * the manager's bookkeeping own.
 */
import { verifyAuditChain } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { setup } from './scenario-harness.js';

const policies = {
  heartbeatTimeoutMs: 10_000,
  retryBaseMs: 1_000,
  retryMaxMs: 4_000,
  maxRecoveryAttempts: 2,
};

describe('automatic recovery', () => {
  it('gives a heartbeating agent a fresh window after a recovery restart, then fails it when recovery is used up', async () => {
    const h = setup({ policies });
    const a = await h.running('beater');
    await h.manager.heartbeat(a.id);
    await h.advance(10_000);
    await h.manager.tick();
    await h.settle();
    expect((await h.manager.get(a.id)).status).toBe('degraded');

    // Attempt 1 after the backoff: restart, running again.
    await h.advance(1_000);
    await h.manager.tick();
    await h.settle();
    expect((await h.manager.get(a.id)).status).toBe('running');
    // Coming up counts as a sign of life: a tick a second later does not call it stale.
    await h.advance(1_000);
    await h.manager.tick();
    expect((await h.manager.get(a.id)).status).toBe('running');

    // No heartbeat for a whole window: degraded again, attempt 2, then out of attempts → failed.
    await h.advance(10_000);
    await h.manager.tick();
    await h.settle();
    expect((await h.manager.get(a.id)).status).toBe('degraded');
    await h.advance(2_000);
    await h.manager.tick();
    await h.settle();
    expect((await h.manager.get(a.id)).status).toBe('running');
    await h.advance(10_000);
    await h.manager.tick();
    await h.settle();
    expect((await h.manager.get(a.id)).status).toBe('degraded');
    await h.advance(4_000);
    await h.manager.tick();
    await h.settle();
    expect((await h.manager.get(a.id)).status).toBe('failed');

    const entries = await h.manager.audit(a.id);
    const last = entries.filter((e) => !e.denied).at(-1)!;
    expect(last).toMatchObject({
      action: 'health_degraded',
      from: 'degraded',
      to: 'failed',
      actor: 'system',
    });
    expect(last.reason).toMatch(/gave up after 2 attempts/);
    expect(h.driver.calls.filter((c) => c.op === 'restart' && c.agentId === a.id)).toHaveLength(2);
  });

  it('a heartbeat ends recovery: the attempts start afresh next time', async () => {
    const h = setup({ policies });
    const a = await h.running('healer');
    await h.manager.heartbeat(a.id);
    await h.advance(10_000);
    await h.manager.tick();
    await h.advance(1_000);
    await h.manager.tick();
    await h.settle();
    await h.manager.heartbeat(a.id);
    expect((await h.store.get(a.id))?.recovery).toBeNull();
  });

  it('fails a crash-looping agent once recovery is used up', async () => {
    const h = setup({ policies });
    const a = await h.running('looper');
    for (let attempt = 1; attempt <= 2; attempt++) {
      h.driver.crash(a.id, 1);
      await h.settle();
      expect((await h.manager.get(a.id)).status).toBe('degraded');
      await h.advance(4_000);
      await h.manager.tick();
      await h.settle();
      expect((await h.manager.get(a.id)).status).toBe('running');
    }
    h.driver.crash(a.id, 1);
    await h.settle();
    await h.advance(4_000);
    await h.manager.tick();
    await h.settle();
    expect((await h.manager.get(a.id)).status).toBe('failed');
  });
});

describe('waitlist order', () => {
  it('serves the head of the line first even when a later agent is due earlier', async () => {
    const h = setup({ capacity: 1, policies: { retryBaseMs: 1_000, retryMaxMs: 60_000 } });
    await h.running('first');
    const b = await h.manager.create({ name: 'second' });
    await h.settle();
    // B retries once and goes back in line with a longer backoff.
    await h.advance(1_000);
    await h.manager.tick();
    await h.settle();
    expect((await h.manager.get(b.id)).status).toBe('waitlisted');
    await h.advance(500);
    const c = await h.manager.create({ name: 'third' });
    await h.settle();
    expect((await h.manager.get(c.id)).waitlist?.position).toBe(2);
    h.driver.setCapacity(2);
    await h.advance(1_000); // C's first backoff ran out; B's second has not.
    await h.manager.tick();
    await h.settle();
    expect((await h.manager.get(b.id)).status).toBe('running');
    expect((await h.manager.get(c.id)).status).toBe('waitlisted');
    expect((await h.manager.get(c.id)).waitlist?.position).toBe(1);
  });
});

describe('billing suspension closes admission', () => {
  it('hands out no command and refuses new ones until billing is resolved', async () => {
    const h = setup();
    const a = await h.running('payer');
    const queued = await h.manager.enqueueCommand(a.id, { type: 'echo' });
    await h.manager.setBilling(a.id, true);
    expect(await h.manager.pollCommands(a.id)).toEqual([]);
    await expect(h.manager.enqueueCommand(a.id, { type: 'echo' })).rejects.toMatchObject({
      code: 'AGENT_PAUSED',
    });
    await h.manager.setBilling(a.id, false);
    expect((await h.manager.pollCommands(a.id)).map((c) => c.id)).toEqual([queued.id]);
  });
});

describe('audit entries carry versions', () => {
  it('each accepted entry names the version it produced; a refusal names the unchanged one', async () => {
    const h = setup();
    const a = await h.running('versioned');
    await expect(h.manager.dispatch(a.id, 'pause')).rejects.toMatchObject({ code: 'REASON_REQUIRED' });
    const paused = await h.manager.dispatch(a.id, 'pause', { reason: 'check' });
    const entries = await h.manager.audit(a.id);
    expect(verifyAuditChain(entries).ok).toBe(true);
    const refusal = entries.find((e) => e.denied)!;
    const pause = entries.find((e) => !e.denied && e.action === 'pause')!;
    expect(pause.version).toBe(paused.agent.version);
    expect(refusal.version).toBe(paused.agent.version - 1);
    const accepted = entries.filter((e) => !e.denied && e.action !== 'create');
    for (let i = 1; i < accepted.length; i++)
      expect(accepted[i]!.version).toBeGreaterThan(accepted[i - 1]!.version);
  });

  it('outcome entries name the operation that finished', async () => {
    const h = setup();
    const a = await h.running('traced');
    const entries = (await h.manager.audit(a.id)).filter((e) => !e.denied);
    const deploy = entries.find((e) => e.action === 'deploy')!;
    const provisioned = entries.find((e) => e.action === 'provisioned')!;
    expect(provisioned.operationId).toBe(deploy.operationId);
    expect(provisioned.metadata?.nextOperationId).toEqual(expect.any(String));
    expect(provisioned.metadata?.nextOperationId).not.toBe(deploy.operationId);
  });
});

describe('ghosts', () => {
  it('a redeploy of an agent whose resource vanished gives the new resource fresh credentials', async () => {
    const h = setup();
    const a = await h.running('phantom');
    h.driver.remove(a.id);
    await h.settle();
    expect((await h.manager.get(a.id)).ghost).toBe(true);
    await h.manager.dispatch(a.id, 'redeploy');
    await h.settle();
    const resource = h.driver.resources().find((r) => r.agentId === a.id)!;
    expect(resource.credentials?.agentToken).toEqual(expect.any(String));
    await expect(h.manager.authenticateAgent(a.id, resource.credentials!.agentToken)).resolves.toMatchObject({
      id: a.id,
    });
    expect((await h.manager.get(a.id)).ghost).toBe(false);
  });
});

describe('self-hosted destroy', () => {
  it('completes without a driver: nothing of a self-hosted agent lives in one', async () => {
    const { createLifecycleManager, ManualClock } = await import('@berth/core');
    const manager = createLifecycleManager({ clock: new ManualClock() });
    const { token } = await manager.createRegistrationToken();
    const { agentId, agentToken } = await manager.register({ registrationToken: token, code: 'edge' });
    expect((await manager.get(agentId)).availableActions).toEqual(['disable', 'destroy']);
    await manager.dispatch(agentId, 'destroy', { confirm: 'edge', reason: 'retired' });
    await manager.settle();
    expect((await manager.get(agentId)).status).toBe('deleted');
    await expect(manager.authenticateAgent(agentId, agentToken)).rejects.toMatchObject({
      code: 'AGENT_REVOKED',
    });
    await manager.close();
  });

  it('with a driver, never asks the driver to destroy a self-hosted agent', async () => {
    const h = setup();
    const { token } = await h.manager.createRegistrationToken();
    const { agentId } = await h.manager.register({ registrationToken: token, code: 'edge' });
    await h.manager.dispatch(agentId, 'destroy', { confirm: 'edge' });
    await h.settle();
    expect((await h.manager.get(agentId)).status).toBe('deleted');
    expect(h.driver.calls.filter((c) => c.agentId === agentId)).toHaveLength(0);
  });
});
