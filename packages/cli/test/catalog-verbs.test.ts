/**
 * `berth backups`, `berth services` and `berth token list|revoke` against the example platform
 * listening on an ephemeral port: exit codes, what is printed, and what the platform then holds.
 */
import { createMemoryDriver, type MemoryDriver } from '@berth/driver-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Platform, startPlatform } from '../../../examples/platform/src/index.js';
import { EXIT } from '../src/index.js';
import { runBerth } from './support/run-cli.js';

const berth = runBerth;

describe('berth backups, services and token list|revoke', () => {
  let platform: Platform;
  let driver: MemoryDriver;
  let env: Record<string, string>;

  beforeAll(async () => {
    driver = createMemoryDriver({ latency: 20 });
    platform = await startPlatform(loadConfig({ PORT: '0', BERTH_STORE: 'memory' }), {
      driver,
      log: () => {},
    });
    env = { BERTH_URL: platform.apiUrl };
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('backs an agent up (--wait), lists the catalog, restores into a new agent, deletes', async () => {
    const { id } = await platform.manager.create({ name: 'cli-keep' });
    await platform.manager.waitFor(id, 'running', { timeout: 10_000 });
    driver.writeFile(id, 'memory.md', 'kept by the CLI');

    const created = await berth(['backups', 'create', id, '--label', 'nightly', '--wait', '--json'], env);
    expect(created.code).toBe(EXIT.OK);
    const { backup } = JSON.parse(created.stdout) as {
      backup: { id: string; status: string; label: string };
    };
    expect(backup).toMatchObject({ status: 'completed', label: 'nightly' });

    const listed = await berth(['backups'], env);
    expect(listed.code).toBe(EXIT.OK);
    expect(listed.stdout).toMatch(/^ID\s+AGENT\s+AGENT ID\s+LABEL\s+STATUS\s+SIZE\s+CREATED/);
    expect(listed.stdout).toMatch(new RegExp(`${backup.id}\\s+cli-keep\\s+${id}\\s+nightly\\s+completed`));
    expect((await berth(['backups', 'list', id, '--json'], env)).stdout).toContain(backup.id);

    const restored = await berth(['backups', 'restore', backup.id, '--name', 'cli-copy', '--json'], env);
    expect(restored.code).toBe(EXIT.OK);
    const copy = JSON.parse(restored.stdout) as { id: string; name: string };
    expect(copy.name).toBe('cli-copy');
    await platform.manager.waitFor(copy.id, 'running', { timeout: 10_000 });
    expect(driver.files(copy.id)).toEqual({ 'memory.md': 'kept by the CLI' });

    const noName = await berth(['backups', 'restore', backup.id], env);
    expect(noName.code).toBe(EXIT.USAGE);
    expect(noName.stderr).toContain('--name');

    const deleted = await berth(['backups', 'delete', backup.id], env);
    expect(deleted.code).toBe(EXIT.OK);
    expect(await platform.manager.listBackups({ owner: 'default' })).toEqual([]);
    const again = await berth(['backups', 'delete', backup.id], env);
    expect(again.code).toBe(EXIT.NOT_FOUND);
    expect(again.stderr).toContain('BACKUP_NOT_FOUND');
  });

  it('a backup while another operation runs exits 3 and changes nothing', async () => {
    const { id } = await platform.manager.create({ name: 'cli-busy' });
    await platform.manager.waitFor(id, 'running', { timeout: 10_000 });
    driver.hangNext('backup');
    expect((await berth(['backups', 'create', id], env)).code).toBe(EXIT.OK);
    const second = await berth(['backups', 'create', id], env);
    expect(second.code).toBe(EXIT.REFUSED);
    expect(second.stderr).toContain('OPERATION_IN_PROGRESS');
    expect((await platform.manager.listBackups({ owner: 'default', agentId: id })).length).toBe(1);
    expect((await berth(['backups', 'frobnicate'], env)).code).toBe(EXIT.USAGE);
  });

  it('lists services with their effective status', async () => {
    const { token } = await platform.manager.createRegistrationToken();
    const { agentId } = await platform.manager.register({ registrationToken: token, code: 'cli-host' });
    await platform.manager.reportServices(agentId, [{ code: 'api', name: 'Public API', status: 'up' }]);
    const all = await berth(['services'], env);
    expect(all.code).toBe(EXIT.OK);
    expect(all.stdout).toMatch(/^CODE\s+NAME\s+EFFECTIVE\s+REPORTED\s+AGENT\s+AT/);
    expect(all.stdout).toMatch(new RegExp(`api\\s+Public API\\s+up\\s+up\\s+${agentId}`));
    const mine = await berth(['services', agentId, '--json'], env);
    expect(JSON.parse(mine.stdout).services).toMatchObject([{ code: 'api', effectiveStatus: 'up' }]);
  });

  it('token create --code, list (never the token), revoke; a used token cannot be revoked', async () => {
    const minted = await berth(['token', 'create', '--code', 'edge-cli', '--json'], env);
    expect(minted.code).toBe(EXIT.OK);
    const token = JSON.parse(minted.stdout) as { id: string; token: string; code: string };
    expect(token.code).toBe('edge-cli');
    const listed = await berth(['token', 'list'], env);
    expect(listed.code).toBe(EXIT.OK);
    expect(listed.stdout).toMatch(new RegExp(`${token.id}\\s+active\\s+edge-cli`));
    expect(listed.stdout).not.toContain(token.token);
    const revoked = await berth(['token', 'revoke', token.id], env);
    expect(revoked.code).toBe(EXIT.OK);
    expect((await berth(['token', 'list', '--json'], env)).stdout).toContain('"revoked"');
    const used = await platform.manager.createRegistrationToken();
    await platform.manager.register({ registrationToken: used.token, code: 'cli-used' });
    const refused = await berth(['token', 'revoke', used.id], env);
    expect(refused.code).toBe(EXIT.REFUSED);
    expect(refused.stderr).toContain('REGISTRATION_TOKEN_USED');
    expect((await berth(['token', 'revoke', 'rtk_nope'], env)).code).toBe(EXIT.NOT_FOUND);
  });
});
