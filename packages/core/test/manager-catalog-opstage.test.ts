/**
 * Opstage's promises at manager level: services reported by agents (upserted by code, moving
 * between agents with their identity and an audited move, an effective status folding in the
 * reporter's freshness), registration tokens listed and revoked by id, bound to a code, a
 * re-registration audited with how many tokens it revoked, disabled agents kept out, and
 * heartbeats audited at most once per agent per 5 minutes.
 */
import { getProfile, vendorAuditAction } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { codeOf, setup } from './scenario-harness.js';

const MINUTE = 60_000;

async function registered(h: ReturnType<typeof setup>, code: string, owner = 'acme') {
  const { token } = await h.manager.createRegistrationToken({ owner });
  return h.manager.register({ registrationToken: token, code });
}

describe('services', () => {
  it('upserted by code; a code another agent reported moves to the reporter, audited; stale once the reporter is', async () => {
    const h = setup();
    const a = await registered(h, 'edge-a');
    const b = await registered(h, 'edge-b');
    await h.manager.reportServices(a.agentId, [
      { code: 'db', name: 'Postgres', status: 'up', details: { port: 5432 } },
      { code: 'cache', status: 'degraded' },
    ]);
    let listed = await h.manager.listServices({ owner: 'acme' });
    expect(listed).toMatchObject([
      { code: 'cache', name: 'cache', agentId: a.agentId, status: 'degraded', effectiveStatus: 'degraded' },
      {
        code: 'db',
        name: 'Postgres',
        agentId: a.agentId,
        status: 'up',
        effectiveStatus: 'up',
        details: { port: 5432 },
      },
    ]);
    const versionBefore = (await h.manager.get(b.agentId)).version;
    await h.clock.advance(1000);
    await h.manager.reportServices(b.agentId, [{ code: 'db', status: 'up' }]);
    listed = await h.manager.listServices({ owner: 'acme' });
    expect(listed.find((s) => s.code === 'db')).toMatchObject({ agentId: b.agentId, name: 'Postgres' });
    expect(await h.manager.listServices({ owner: 'acme', agentId: a.agentId })).toMatchObject([
      { code: 'cache' },
    ]);
    const moved = (await h.manager.audit(b.agentId)).at(-1)!;
    expect(moved).toMatchObject({ action: 'service_moved', actor: `agent:${b.agentId}`, denied: false });
    expect(moved.metadata).toEqual({ services: [{ code: 'db', from: a.agentId }] });
    expect((await h.manager.get(b.agentId)).version).toBe(versionBefore + 1);
    // A report that moves nothing writes no audit entry and leaves the record alone.
    await h.manager.reportServices(b.agentId, [{ code: 'db', status: 'down' }]);
    expect((await h.manager.get(b.agentId)).version).toBe(versionBefore + 1);
    // Agent a goes stale (no heartbeat for 90 s): its services are stale, b's are not.
    await h.clock.advance(2 * MINUTE);
    await h.manager.heartbeat(b.agentId);
    await h.manager.tick();
    expect((await h.manager.get(a.agentId)).status).toBe('degraded');
    listed = await h.manager.listServices({ owner: 'acme' });
    expect(listed.find((s) => s.code === 'cache')!.effectiveStatus).toBe('stale');
    expect(listed.find((s) => s.code === 'db')).toMatchObject({ status: 'down', effectiveStatus: 'down' });
    // Gone: destroyed agents' services stay listed, stale.
    await h.manager.dispatch(b.agentId, 'destroy', { confirm: 'edge-b' });
    await h.settle();
    expect(
      (await h.manager.listServices({ owner: 'acme' })).find((s) => s.code === 'db')!.effectiveStatus,
    ).toBe('stale');
    expect(await h.manager.listServices({ owner: 'other' })).toEqual([]);
  });

  it('a bad report is refused whole and changes nothing', async () => {
    const h = setup();
    const a = await registered(h, 'edge-a');
    const bad = [
      { code: 'ok', status: 'up' },
      { code: 'x', status: 'sideways' },
    ] as unknown as Parameters<typeof h.manager.reportServices>[1];
    expect(await codeOf(h.manager.reportServices(a.agentId, bad))).toBe('VALIDATION_FAILED');
    const twice = [
      { code: 'd', status: 'up' },
      { code: 'd', status: 'down' },
    ] as const;
    expect(await codeOf(h.manager.reportServices(a.agentId, [...twice]))).toBe('VALIDATION_FAILED');
    expect(await h.manager.listServices({ owner: 'acme' })).toEqual([]);
    expect(await codeOf(h.manager.reportServices('agt_missing', []))).toBe('AGENT_NOT_FOUND');
  });
});

describe('registration tokens', () => {
  it('listed by id with their status, never the token; revoked when unused, 409 when used', async () => {
    const h = setup();
    const used = await h.manager.createRegistrationToken({ owner: 'acme' });
    const active = await h.manager.createRegistrationToken({ owner: 'acme', code: 'edge-9' });
    const short = await h.manager.createRegistrationToken({ owner: 'acme', expiresInSeconds: 1 });
    await h.manager.register({ registrationToken: used.token, code: 'edge-1' });
    await h.clock.advance(2000);
    const tokens = await h.manager.listRegistrationTokens({ owner: 'acme' });
    expect(tokens.map((t) => [t.id, t.status, t.code])).toEqual([
      [used.id, 'used', null],
      [active.id, 'active', 'edge-9'],
      [short.id, 'expired', null],
    ]);
    expect(JSON.stringify(tokens)).not.toContain(used.token);
    expect(tokens[0]!.usedAt).not.toBeNull();
    expect(await codeOf(h.manager.revokeRegistrationToken(used.id, { owner: 'acme' }))).toBe(
      'REGISTRATION_TOKEN_USED',
    );
    expect(await codeOf(h.manager.revokeRegistrationToken(active.id, { owner: 'other' }))).toBe(
      'REGISTRATION_TOKEN_NOT_FOUND',
    );
    await h.manager.revokeRegistrationToken(active.id, { owner: 'acme' });
    await h.manager.revokeRegistrationToken(active.id, { owner: 'acme' });
    expect((await h.manager.listRegistrationTokens({ owner: 'acme' }))[1]!.status).toBe('revoked');
    expect(await codeOf(h.manager.register({ registrationToken: active.token, code: 'edge-9' }))).toBe(
      'REGISTRATION_TOKEN_INVALID',
    );
  });

  it('a token bound to a code registers only that code, and a refused one is not spent', async () => {
    const h = setup();
    const victim = await registered(h, 'edge-1');
    const bound = await h.manager.createRegistrationToken({ owner: 'acme', code: 'edge-2' });
    // The takeover: a token of the owner used to re-register a visible code.
    const error = await h.manager
      .register({ registrationToken: bound.token, code: 'edge-1' })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'REGISTRATION_TOKEN_INVALID' });
    expect(error.message).toContain("'edge-2'");
    expect(
      (await h.manager.listRegistrationTokens({ owner: 'acme' })).find((t) => t.id === bound.id)!.status,
    ).toBe('active');
    const trail = await h.manager.audit(victim.agentId);
    expect(trail.filter((e) => e.action === 'register')).toHaveLength(1);
    const ok = await h.manager.register({ registrationToken: bound.token, code: 'edge-2' });
    expect(ok.agentId).not.toBe(victim.agentId);
    expect(await codeOf(h.manager.createRegistrationToken({ code: ' ' }))).toBe('VALIDATION_FAILED');
  });

  it('re-registering reuses the agent, revokes its older tokens and says how many; a disabled agent cannot', async () => {
    const h = setup();
    const first = await registered(h, 'edge-1');
    const again = await registered(h, 'edge-1');
    expect(again.agentId).toBe(first.agentId);
    const entry = (await h.manager.audit(first.agentId)).filter((e) => e.action === 'register').at(-1)!;
    expect(entry.metadata).toMatchObject({ code: 'edge-1', tokenRotated: true, revokedTokens: 1 });
    expect(await codeOf(h.manager.authenticateAgent(first.agentId, first.agentToken))).toBe('UNAUTHORIZED');
    await h.manager.dispatch(first.agentId, 'disable', { reason: 'compromised' });
    const { token, id } = await h.manager.createRegistrationToken({ owner: 'acme' });
    expect(await codeOf(h.manager.register({ registrationToken: token, code: 'edge-1' }))).toBe(
      'AGENT_DISABLED',
    );
    expect((await h.manager.listRegistrationTokens({ owner: 'acme' })).find((t) => t.id === id)!.status).toBe(
      'active',
    );
    expect(await codeOf(h.manager.authenticateAgent(first.agentId, again.agentToken))).toBe('AGENT_DISABLED');
    await h.manager.dispatch(first.agentId, 'enable', { reason: 'cleaned' });
    const back = await h.manager.register({ registrationToken: token, code: 'edge-1' });
    expect(back.agentId).toBe(first.agentId);
  });
});

describe('heartbeat audit sampling', () => {
  it('heartbeats are audited at most once per agent per 5 minutes, each agent on its own', async () => {
    const h = setup();
    const a = await registered(h, 'edge-a');
    const b = await registered(h, 'edge-b');
    // 20 minutes of heartbeats every 30 s from both agents.
    for (let i = 0; i < 40; i++) {
      await h.clock.advance(30_000);
      await h.manager.heartbeat(a.agentId);
      await h.manager.heartbeat(b.agentId);
    }
    for (const id of [a.agentId, b.agentId]) {
      const beats = (await h.manager.audit(id)).filter((e) => e.action === 'heartbeat');
      const times = beats.map((e) => e.at);
      for (let i = 1; i < times.length; i++)
        expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(5 * MINUTE);
      // Sampled, not dropped: one about every 5 minutes of the 20.
      expect(beats.length).toBeGreaterThanOrEqual(4);
      expect(beats.length).toBeLessThanOrEqual(5);
    }
  });
});

describe('audit words per profile', () => {
  it("Opstage's trail reads in Opstage's words; other profiles fall back to their action words", async () => {
    const h = setup();
    const first = await registered(h, 'edge-w');
    await registered(h, 'edge-w');
    await h.clock.advance(5 * MINUTE);
    await h.manager.heartbeat(first.agentId);
    await h.clock.advance(2 * MINUTE);
    await h.manager.tick();
    await h.manager.dispatch(first.agentId, 'disable', { reason: 'maintenance' });
    await h.manager.dispatch(first.agentId, 'enable', { reason: 'done' }).catch(() => {});
    await h.manager.dispatch(first.agentId, 'enable', { reason: 'again' }).catch(() => {});
    await h.manager.dispatch(first.agentId, 'destroy', { confirm: 'edge-w' });
    await h.settle();
    const trail = await h.manager.audit(first.agentId);
    const opstage = getProfile('opstage');
    const words = trail.map((e) => vendorAuditAction(opstage, e));
    expect(words.slice(0, 2)).toEqual(['registration_token.consumed', 'agent.heartbeat.received']);
    for (const w of [
      'agent.token.rotated',
      'system.agent.offline',
      'agent.disabled',
      'agent.enabled',
      'enable.denied',
      'agent.revoked',
    ]) {
      expect(words).toContain(w);
    }
    expect(words.filter((w) => w === 'agent.heartbeat.received').length).toBeGreaterThanOrEqual(2);
    const sekuire = getProfile('sekuire');
    expect(vendorAuditAction(sekuire, trail.find((e) => e.action === 'destroy')!)).toBe('kill');
    expect(vendorAuditAction(sekuire, trail.find((e) => e.action === 'heartbeat_stale')!)).toBe(
      'heartbeat_stale',
    );
  });
});
