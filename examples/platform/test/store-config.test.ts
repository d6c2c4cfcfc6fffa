/**
 * `BERTH_STORE` and the slow-client timeouts: every accepted spelling, every refusal naming the
 * variable, and openStore's answer per kind (SQLite relative to the working directory; postgres://
 * opens a PostgreSQL store, tested against a real server in postgres-store.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/index.js';
import { openStore, parseStoreSpec } from '../src/store.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-store-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`no ConfigError for ${JSON.stringify(env)}`);
}

describe('BERTH_STORE', () => {
  it('reads sqlite:<path>, postgres:// URLs and memory', () => {
    expect(loadConfig({ BERTH_STORE: 'sqlite:/var/lib/berth/state.sqlite' }).store).toEqual({
      kind: 'sqlite',
      path: '/var/lib/berth/state.sqlite',
    });
    expect(loadConfig({ BERTH_STORE: 'sqlite:data/b.sqlite' }).store).toEqual({
      kind: 'sqlite',
      path: 'data/b.sqlite',
    });
    expect(loadConfig({ BERTH_STORE: 'memory' }).store).toEqual({ kind: 'memory' });
    expect(loadConfig({ BERTH_STORE: 'postgres://u:p@127.0.0.1:5432/berth' }).store).toEqual({
      kind: 'postgres',
      url: 'postgres://u:p@127.0.0.1:5432/berth',
    });
    expect(parseStoreSpec('postgresql://127.0.0.1/berth').kind).toBe('postgres');
  });

  it('refuses anything else, naming the variable, and never echoes the value (a URL may hold a password)', () => {
    for (const value of ['', 'sqlite:', 'mysql://u:hunter2@db/berth', 'Memory', 'file.sqlite']) {
      const error = configError({ BERTH_STORE: value });
      expect(error.variable).toBe('BERTH_STORE');
      expect(error.message).toMatch(/^BERTH_STORE: /);
      expect(error.message).toMatch(/sqlite:/);
      expect(error.message).not.toContain('hunter2');
    }
  });

  it('opens SQLite relative to the working directory, and the file is locked while open', async () => {
    const opened = await openStore({ kind: 'sqlite', path: 'nested/b.sqlite' }, dir);
    try {
      expect(opened.description).toBe(`SQLite ${join(dir, 'nested/b.sqlite')}`);
      expect(await opened.store.get('nobody')).toBeNull();
      await expect(openStore({ kind: 'sqlite', path: 'nested/b.sqlite' }, dir)).rejects.toMatchObject({
        code: 'STORE_LOCKED',
      });
    } finally {
      await opened.close();
    }
    const again = await openStore({ kind: 'sqlite', path: join(dir, 'nested/b.sqlite') });
    await again.close();
  });

  it('opens memory', async () => {
    const memory = await openStore({ kind: 'memory' });
    expect(memory.description).toMatch(/^memory/);
    await memory.close();
  });
});

describe('slow-client timeouts', () => {
  it('reads seconds, and refuses a headers timeout longer than the request timeout', () => {
    const config = loadConfig({ BERTH_HEADERS_TIMEOUT_SECONDS: '5', BERTH_REQUEST_TIMEOUT_SECONDS: '20' });
    expect([config.headersTimeoutSeconds, config.requestTimeoutSeconds]).toEqual([5, 20]);
    expect(configError({ BERTH_HEADERS_TIMEOUT_SECONDS: '0' }).variable).toBe(
      'BERTH_HEADERS_TIMEOUT_SECONDS',
    );
    expect(configError({ BERTH_REQUEST_TIMEOUT_SECONDS: '1h' }).variable).toBe(
      'BERTH_REQUEST_TIMEOUT_SECONDS',
    );
    const error = configError({ BERTH_HEADERS_TIMEOUT_SECONDS: '40' });
    expect(error.variable).toBe('BERTH_HEADERS_TIMEOUT_SECONDS');
    expect(error.message).toMatch(/BERTH_REQUEST_TIMEOUT_SECONDS \(30\)/);
  });
});

describe('BERTH_DOCKER_LABELS', () => {
  it('reads key=value pairs, and refuses what is not one or takes a berth.* key', () => {
    expect(loadConfig({ BERTH_DOCKER_LABELS: 'team=blue, run=42' }).dockerLabels).toEqual({
      team: 'blue',
      run: '42',
    });
    expect(loadConfig({}).dockerLabels).toBeUndefined();
    for (const value of ['', 'team', 'team=', 'Team=blue', 'berth.managed=false']) {
      const error = configError({ BERTH_DOCKER_LABELS: value });
      expect(error.variable).toBe('BERTH_DOCKER_LABELS');
      expect(error.message).toMatch(/key=value/);
    }
  });
});
