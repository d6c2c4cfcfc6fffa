/**
 * The seeds' new promises over HTTP, through a real listening server: AgentStead's backups
 * (create, catalog, destroy keeps them, restore into a new agent, delete), Opstage's services
 * (report, move, effective status), registration-token management (ids, list, revoke, code
 * binding, disabled agents kept out) and audit words (`?profile=opstage` → `vendorAction`).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, isProblem, runningAgent, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ router: { registerRateLimit: false } });
});
afterAll(async () => {
  await h.close();
});

const bearer = (token: string) => `Bearer ${token}`;

async function settled(backupId: string, owner = 'acme') {
  for (let i = 0; i < 200; i++) {
    const list = await h.call('GET', '/backups', { owner });
    const b = list.body.backups.find((x: { id: string }) => x.id === backupId);
    if (b && b.status !== 'pending') return b;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`backup ${backupId} never settled`);
}

async function register(code: string, owner = 'acme', bind?: string) {
  const t = await h.call('POST', '/registration-tokens', { owner, json: bind ? { code: bind } : {} });
  expect(t.status).toBe(201);
  const r = await h.call('POST', '/agents/register', {
    auth: null,
    json: { registrationToken: t.body.token, code },
  });
  return { token: t.body, status: r.status, body: r.body };
}

describe('AgentStead: backups', () => {
  test('POST /agents/:id/backups → 202 pending; catalog; destroy keeps it; restoreFrom; DELETE', async () => {
    const agent = await runningAgent(h, 'acme', 'stead-1');
    h.driver.writeFile(agent.id, 'home/notes.txt', 'hello');
    const created = await h.call('POST', `/agents/${agent.id}/backups`, { json: { label: 'first' } });
    expect(created.status).toBe(202);
    expect(created.body.backup).toMatchObject({ agentId: agent.id, label: 'first', status: 'pending' });
    expect(typeof created.body.backup.createdAt).toBe('string');
    expect(created.body.operation).toMatchObject({ action: 'backup' });
    const id = created.body.backup.id as string;
    const done = await settled(id);
    expect(done).toMatchObject({
      id,
      agentId: agent.id,
      agentName: 'stead-1',
      label: 'first',
      status: 'completed',
    });
    expect(done.sizeBytes).toBeGreaterThan(0);
    const mine = await h.call('GET', `/agents/${agent.id}/backups`);
    expect(mine.body.backups.map((b: { id: string }) => b.id)).toEqual([id]);
    expect((await h.call('GET', '/backups', { owner: 'other' })).body.backups).toEqual([]);
    expect((await h.call('GET', `/agents/${agent.id}/backups`, { owner: 'other' })).status).toBe(404);

    const destroyed = await h.call('DELETE', `/agents/${agent.id}`, { json: { confirm: 'stead-1' } });
    expect(destroyed.status).toBe(202);
    await h.manager.waitFor(agent.id, 'deleted', { timeout: 10_000 });
    expect((await h.call('GET', '/backups')).body.backups.map((b: { id: string }) => b.id)).toContain(id);

    const restored = await h.call('POST', '/agents', { json: { name: 'stead-2', restoreFrom: id } });
    expect(restored.status).toBe(201);
    await h.manager.waitFor(restored.body.id, 'running', { timeout: 10_000 });
    expect(h.driver.files(restored.body.id)).toEqual({ 'home/notes.txt': 'hello' });
    const foreign = await h.call('POST', '/agents', {
      owner: 'other',
      json: { name: 'thief', restoreFrom: id },
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('BACKUP_NOT_FOUND');

    expect((await h.call('DELETE', `/backups/${id}`, { owner: 'other' })).status).toBe(404);
    const deleted = await h.call('DELETE', `/backups/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    const again = await h.call('DELETE', `/backups/${id}`);
    expect(again.status).toBe(404);
    expect(isProblem(again)).toBe(true);
    expect(again.body.code).toBe('BACKUP_NOT_FOUND');
  });

  test('one operation at a time: a second backup or an action while one runs is 409; bad labels are 400', async () => {
    const agent = await runningAgent(h, 'acme', 'stead-3');
    h.driver.hangNext('backup');
    const first = await h.call('POST', `/agents/${agent.id}/backups`, { json: {} });
    expect(first.status).toBe(202);
    const second = await h.call('POST', `/agents/${agent.id}/backups`, { json: {} });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'OPERATION_IN_PROGRESS' });
    const stop = await h.call('POST', `/agents/${agent.id}/actions/stop`, { json: {} });
    expect(stop.status).toBe(409);
    expect(stop.body.code).toBe('OPERATION_IN_PROGRESS');
    const pendingDelete = await h.call('DELETE', `/backups/${first.body.backup.id}`);
    expect(pendingDelete.status).toBe(409);
    const bad = await h.call('POST', `/agents/${agent.id}/backups`, { json: { label: 'x', extra: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toContain('extra');
    const early = await h.call('POST', '/agents', {
      json: { name: 'early', restoreFrom: first.body.backup.id },
    });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('BACKUP_NOT_READY');
    const destroyed = await h.call('DELETE', `/agents/${agent.id}`, { json: { confirm: 'stead-3' } });
    expect(destroyed.status).toBe(202);
    expect((await settled(first.body.backup.id)).status).toBe('failed');
  });
});

describe('Opstage: services, registration tokens, audit words', () => {
  test('services: report (Bearer), move between agents, effective status, per owner', async () => {
    const a = await register('svc-a');
    const b = await register('svc-b');
    const report = (who: { agentId: string; agentToken: string }, services: unknown) =>
      h.call('POST', `/agents/${who.agentId}/services/report`, {
        auth: bearer(who.agentToken),
        json: { services },
      });
    expect(
      (await report(a.body, [{ code: 'web', name: 'Web', status: 'up', details: { port: 80 } }])).status,
    ).toBe(204);
    expect((await report(b.body, [{ code: 'web', status: 'degraded' }])).status).toBe(204);
    const all = await h.call('GET', '/services');
    const web = all.body.services.find((s: { code: string }) => s.code === 'web');
    expect(web).toMatchObject({
      code: 'web',
      name: 'Web',
      agentId: b.body.agentId,
      status: 'degraded',
      effectiveStatus: 'degraded',
    });
    expect(typeof web.reportedAt).toBe('string');
    expect((await h.call('GET', `/agents/${a.body.agentId}/services`)).body.services).toEqual([]);
    expect((await h.call('GET', `/agents/${b.body.agentId}/services`)).body.services).toHaveLength(1);
    expect((await h.call('GET', '/services', { owner: 'other' })).body.services).toEqual([]);
    const audit = await h.call('GET', `/agents/${b.body.agentId}/audit?profile=opstage`);
    expect(audit.body.entries.at(-1)).toMatchObject({
      action: 'service_moved',
      vendorAction: 'service.moved',
    });
    // Wrong token, bad body: refused, nothing changed.
    const stolen = await h.call('POST', `/agents/${b.body.agentId}/services/report`, {
      auth: bearer(a.body.agentToken),
      json: { services: [{ code: 'web', status: 'down' }] },
    });
    expect(stolen.status).toBe(401);
    const bad = await report(b.body, [{ code: 'web', status: 'sideways' }]);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('services.0.status');
    const after = (await h.call('GET', '/services')).body.services.find(
      (s: { code: string }) => s.code === 'web',
    );
    expect(after.status).toBe('degraded');
    // Destroyed: the service stays, stale.
    await h.call('DELETE', `/agents/${b.body.agentId}`, { json: { confirm: 'svc-b' } });
    await h.manager.waitFor(b.body.agentId, 'deleted', { timeout: 10_000 });
    const stale = (await h.call('GET', '/services')).body.services.find(
      (s: { code: string }) => s.code === 'web',
    );
    expect(stale.effectiveStatus).toBe('stale');
  });

  test('registration tokens: id, list without the token, revoke, 409 for a used one, code binding', async () => {
    const minted = await h.call('POST', '/registration-tokens', {
      owner: 'tok',
      json: { code: 'edge-1', expiresInSeconds: 600 },
    });
    expect(minted.status).toBe(201);
    expect(minted.body).toMatchObject({ id: expect.stringMatching(/^rtk_/), code: 'edge-1' });
    expect(typeof minted.body.token).toBe('string');
    const other = await h.call('POST', '/registration-tokens', { owner: 'tok', json: {} });
    const list = await h.call('GET', '/registration-tokens', { owner: 'tok' });
    expect(list.status).toBe(200);
    expect(
      list.body.tokens.map((t: { id: string; status: string; code: string | null }) => [
        t.id,
        t.status,
        t.code,
      ]),
    ).toEqual([
      [minted.body.id, 'active', 'edge-1'],
      [other.body.id, 'active', null],
    ]);
    expect(list.text).not.toContain(minted.body.token);
    expect((await h.call('GET', '/registration-tokens', { owner: 'someone' })).body.tokens).toEqual([]);
    // Bound: another code is refused and the token stays usable.
    const wrong = await h.call('POST', '/agents/register', {
      auth: null,
      json: { registrationToken: minted.body.token, code: 'edge-2' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('REGISTRATION_TOKEN_INVALID');
    const right = await h.call('POST', '/agents/register', {
      auth: null,
      json: { registrationToken: minted.body.token, code: 'edge-1' },
    });
    expect(right.status).toBe(201);
    const used = await h.call('DELETE', `/registration-tokens/${minted.body.id}`, { owner: 'tok' });
    expect(used.status).toBe(409);
    expect(used.body.code).toBe('REGISTRATION_TOKEN_USED');
    expect(
      (await h.call('DELETE', `/registration-tokens/${other.body.id}`, { owner: 'someone' })).status,
    ).toBe(404);
    expect((await h.call('DELETE', `/registration-tokens/${other.body.id}`, { owner: 'tok' })).status).toBe(
      204,
    );
    const revoked = await h.call('POST', '/agents/register', {
      auth: null,
      json: { registrationToken: other.body.token, code: 'edge-3' },
    });
    expect(revoked.status).toBe(401);
    const statuses = (await h.call('GET', '/registration-tokens', { owner: 'tok' })).body.tokens.map(
      (t: { status: string }) => t.status,
    );
    expect(statuses).toEqual(['used', 'revoked']);
  });

  test('re-registration is agent.token.rotated with revokedTokens; a disabled agent gets 403 AGENT_DISABLED', async () => {
    const first = await register('edge-r', 'ops');
    const second = await register('edge-r', 'ops');
    expect(second.body.agentId).toBe(first.body.agentId);
    const id = first.body.agentId as string;
    const audit = await h.call('GET', `/agents/${id}/audit?profile=opstage`, { owner: 'ops' });
    const words = audit.body.entries.map((e: { vendorAction: string }) => e.vendorAction);
    expect(words).toContain('registration_token.consumed');
    expect(words).toContain('agent.token.rotated');
    const plain = await h.call('GET', `/agents/${id}/audit`, { owner: 'ops' });
    expect(plain.body.entries.every((e: object) => !('vendorAction' in e))).toBe(true);
    const rotated = (await h.manager.audit(id)).filter((e) => e.action === 'register').at(-1)!;
    expect(rotated.metadata).toMatchObject({ revokedTokens: 1 });
    const disabled = await h.call('POST', `/agents/${id}/actions/disable`, {
      owner: 'ops',
      json: { reason: 'stolen laptop' },
    });
    expect(disabled.status).toBe(200);
    const back = await register('edge-r', 'ops');
    expect(back.status).toBe(403);
    expect(back.body.code).toBe('AGENT_DISABLED');
    const after = await h.call('GET', `/agents/${id}/audit?profile=opstage`, { owner: 'ops' });
    expect(after.body.entries.at(-1).vendorAction).toBe('agent.disabled');
    expect((await h.call('GET', `/agents/${id}/audit?profile=nope`, { owner: 'ops' })).status).toBe(400);
  });
});
