/**
 * `berth audit <id> --verify` against the example platform on an ephemeral port: exit 0 and
 * "intact" for an untouched trail, exit 9 naming the seq once an entry is edited in the store;
 * and `berth audit` follows the server's pages to the end of a long trail.
 */
import { createMemoryStore, type MemoryStore } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Platform, startPlatform } from '../../../examples/platform/src/index.js';
import { EXIT } from '../src/index.js';
import { runBerth } from './support/run-cli.js';

const cli = runBerth;

describe('berth audit --verify', () => {
  let platform: Platform;
  let store: MemoryStore;
  let env: Record<string, string>;
  beforeAll(async () => {
    store = createMemoryStore();
    platform = await startPlatform(loadConfig({ PORT: '0', BERTH_STORE: 'memory' }), {
      driver: createMemoryDriver({ latency: 0 }),
      store,
      log: () => {},
    });
    env = { BERTH_URL: platform.apiUrl };
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('exits 0 for an intact trail and 9, naming the seq, for a tampered one', async () => {
    const agent = await platform.manager.create({ name: 'audited' });
    await platform.manager.waitFor(agent.id, 'running', { timeout: 10_000 });
    await platform.manager.dispatch(agent.id, 'pause', { reason: 'audit test' });
    const entries = await platform.manager.audit(agent.id);

    const ok = await cli(['audit', agent.id, '--verify'], env);
    expect(ok.code).toBe(EXIT.OK);
    expect(ok.stdout).toContain(
      `Audit trail intact: ${entries.length} entries, head ${entries.at(-1)!.hash}`,
    );
    const okJson = await cli(['audit', agent.id, '--verify', '--json'], env);
    expect(JSON.parse(okJson.stdout)).toMatchObject({ ok: true, entries: entries.length, brokenAt: null });

    store.unsafeReplaceAudit(
      agent.id,
      entries.map((e) => (e.seq === 2 ? { ...e, actor: 'user:mallory' } : e)),
    );
    const broken = await cli(['audit', agent.id, '--verify'], env);
    expect(broken.code).toBe(EXIT.AUDIT_BROKEN);
    expect(broken.code).toBe(9);
    expect(broken.stdout).toMatch(/Audit trail BROKEN at seq 2: hash does not match/);
    const brokenJson = await cli(['audit', agent.id, '--verify', '--json'], env);
    expect(brokenJson.code).toBe(9);
    expect(JSON.parse(brokenJson.stdout)).toMatchObject({ ok: false, brokenAt: 2 });
  });

  it('prints every entry of a trail longer than one page, with hash and prevHash in --json', async () => {
    const agent = await platform.manager.create({ name: 'chatty' });
    await platform.manager.waitFor(agent.id, 'running', { timeout: 10_000 });
    // Refusals with distinct reasons do not fold: 1,100 entries, more than one page of 1,000.
    for (let i = 0; i < 1_100; i++)
      await platform.manager.dispatch(agent.id, 'start', { reason: `r${i}` }).catch(() => {});
    const all = await platform.manager.audit(agent.id);
    expect(all.length).toBeGreaterThan(1_000);
    const run = await cli(['audit', agent.id, '--json'], env);
    expect(run.code).toBe(EXIT.OK);
    const printed = JSON.parse(run.stdout).entries as { seq: number; hash: string; prevHash: string }[];
    expect(printed.map((e) => e.seq)).toEqual(all.map((e) => e.seq));
    expect(printed.at(-1)).toMatchObject({ hash: all.at(-1)!.hash, prevHash: all.at(-1)!.prevHash });
  });

  it('rejects --verify on another verb as a usage error', async () => {
    const run = await cli(['revisions', 'agt_x', '--verify'], env);
    expect(run.code).toBe(EXIT.USAGE);
  });
});
