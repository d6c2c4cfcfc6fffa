/**
 * `BERTH_STORE=postgres://…` and `BERTH_LEASE_MS`: two platforms over one database answer for
 * each other's agents (no sticky sessions) — a create through one is read and awaited through
 * the other; bad values are configuration errors naming the variable (never echoing the URL).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pgDescribe } from '../../../packages/store-postgres/test/support/pg-env.js';
import { ConfigError, loadConfig, type Platform, startPlatform } from '../src/index.js';

const { describePg, url } = await pgDescribe();

describePg('BERTH_STORE=postgres://…', () => {
  const database = `platform_${randomBytes(5).toString('hex')}`;
  let dbUrl = '';
  const platforms: Platform[] = [];

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const u = new URL(url);
    u.pathname = `/${database}`;
    dbUrl = u.toString();
    for (let i = 0; i < 2; i++) {
      const config = loadConfig({
        PORT: '0',
        BERTH_STORE: dbUrl,
        BERTH_LEASE_MS: '2000',
        BERTH_MEMORY_LATENCY_MS: '0',
      });
      platforms.push(await startPlatform(config, { log: () => {} }));
    }
  });
  afterAll(async () => {
    for (const p of platforms) await p.close();
  });

  it('names the store and its lease in the banner, never a password', () => {
    for (const p of platforms) {
      expect(p.storeDescription).toMatch(
        /^PostgreSQL 127\.0\.0\.1:\d+\/platform_\w+ \(schema berth, leases of 2000 ms\)$/,
      );
    }
  });

  it('an agent created through one instance is read and awaited through the other', async () => {
    const [a, b] = platforms as [Platform, Platform];
    const created = await fetch(`${a.apiUrl}/agents`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'shared' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const seen = await fetch(`${b.apiUrl}/agents/${id}`);
    expect(seen.status).toBe(200);
    const waited = await fetch(`${b.apiUrl}/agents/${id}/wait?status=running&timeout=30`);
    expect(waited.status).toBe(200);
    expect(((await waited.json()) as { status: string }).status).toBe('running');
  });
});

it('a bad BERTH_STORE or BERTH_LEASE_MS is a configuration error naming the variable', () => {
  expect(() => loadConfig({ BERTH_STORE: 'mysql://u:secret@db/x' })).toThrow(ConfigError);
  try {
    loadConfig({ BERTH_STORE: 'mysql://u:secret@db/x' });
  } catch (error) {
    expect((error as ConfigError).variable).toBe('BERTH_STORE');
    expect((error as Error).message).not.toContain('secret');
  }
  expect(() => loadConfig({ BERTH_LEASE_MS: '5' })).toThrow(/BERTH_LEASE_MS/);
  expect(loadConfig({ BERTH_STORE: 'postgres://h/db', BERTH_LEASE_MS: '15000' })).toMatchObject({
    store: { kind: 'postgres', url: 'postgres://h/db' },
    leaseMs: 15_000,
  });
});
