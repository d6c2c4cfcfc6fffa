/**
 * The catalogs survive a `kill -9` of the real platform process over one SQLite file: backups
 * (a destroyed agent's too), services with the agent that reported them last, registration
 * tokens with their status and code, and the audit entries that recorded each (same hashes).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  auditOf,
  call,
  type PlatformProcess,
  spawnPlatform,
  waitForStatus,
} from './support/platform-process.js';
import { tempDir } from './support/temp-dir.js';

const dir = tempDir('berth-crash-catalog-');
const started: PlatformProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.kill9()));
});

async function platform(): Promise<PlatformProcess> {
  const p = await spawnPlatform({
    BERTH_STORE: `sqlite:${join(dir, 'catalog.sqlite')}`,
    BERTH_MEMORY_LATENCY_MS: '0',
    BERTH_REQUIRE_REASON: '',
  });
  started.push(p);
  return p;
}

describe('kill -9 and restart: the catalogs (SQLite, memory driver)', () => {
  it('backups, services and registration tokens come back as they were acknowledged', async () => {
    const one = await platform();
    let url = one.url;
    const created = await call(url, 'POST', '/agents', { name: 'kept' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await waitForStatus(url, id, 'running');
    const backup = await call(url, 'POST', `/agents/${id}/backups`, { label: 'before the crash' });
    expect(backup.status).toBe(202);
    let backups = (await call(url, 'GET', '/backups')).body.backups;
    for (let i = 0; i < 100 && backups[0]?.status === 'pending'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      backups = (await call(url, 'GET', '/backups')).body.backups;
    }
    expect(backups).toMatchObject([
      { id: backup.body.backup.id, status: 'completed', label: 'before the crash' },
    ]);
    expect((await call(url, 'DELETE', `/agents/${id}`, { confirm: 'kept' })).status).toBe(202);
    await waitForStatus(url, id, 'deleted');

    const bound = await call(url, 'POST', '/registration-tokens', { code: 'edge-1' });
    const spare = await call(url, 'POST', '/registration-tokens', {});
    const registered = await call(url, 'POST', '/agents/register', {
      registrationToken: bound.body.token,
      code: 'edge-1',
    });
    expect(registered.status).toBe(201);
    const edge = registered.body.agentId as string;
    const report = await call(
      url,
      'POST',
      `/agents/${edge}/services/report`,
      { services: [{ code: 'db', name: 'Database', status: 'up' }] },
      { authorization: `Bearer ${registered.body.agentToken}` },
    );
    expect(report.status).toBe(204);
    expect((await call(url, 'DELETE', `/registration-tokens/${spare.body.id}`)).status).toBe(204);
    const tokensBefore = (await call(url, 'GET', '/registration-tokens')).body.tokens;
    const servicesBefore = (await call(url, 'GET', '/services')).body.services;
    const trailBefore = await auditOf(url, id);
    await one.kill9();

    const two = await platform();
    url = two.url;
    expect((await call(url, 'GET', '/backups')).body.backups).toEqual(backups);
    expect((await call(url, 'GET', '/registration-tokens')).body.tokens).toEqual(tokensBefore);
    expect(tokensBefore.map((t: { status: string; code: string | null }) => [t.status, t.code])).toEqual([
      ['used', 'edge-1'],
      ['revoked', null],
    ]);
    const servicesAfter = (await call(url, 'GET', '/services')).body.services;
    expect(servicesAfter.map((s: { code: string; agentId: string }) => [s.code, s.agentId])).toEqual(
      servicesBefore.map((s: { code: string; agentId: string }) => [s.code, s.agentId]),
    );
    expect(await auditOf(url, id)).toEqual(trailBefore);
    expect(trailBefore.some((e: { action: string }) => e.action === 'backup')).toBe(true);
    // The revoked token stays worthless after the restart.
    const late = await call(url, 'POST', '/agents/register', {
      registrationToken: spare.body.token,
      code: 'edge-2',
    });
    expect(late.status).toBe(401);
  });
});
