/**
 * Three manager PROCESSES over one PostgreSQL schema, each serving the HTTP API: conflicting
 * actions raced through different instances (exactly one accepted per version), one registration
 * token registered through all three at once (one agent), command polls through all three (each
 * command handed out once), and `kill -9` of the instance running a provision (another takes it
 * over within twice the lease and finishes it: one `provisioned` entry).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { freshSchema, pgDescribe } from './support/pg-env.js';
import { eventually, type Instance, startInstance } from './support/instances.js';

const { describePg, url } = await pgDescribe();
const LEASE_MS = 1_000;

describePg('three instances over one database', () => {
  const schema = freshSchema('multi');
  let nodes: Instance[] = [];
  let store: PostgresStore;

  const start = (extra: Record<string, string> = {}) =>
    startInstance({
      BERTH_PG_URL: url,
      BERTH_PG_SCHEMA: schema,
      BERTH_LEASE_MS: String(LEASE_MS),
      BERTH_PROVISION_MS: '0',
      ...extra,
    });

  beforeAll(async () => {
    store = await createPostgresStore({ connection: url, schema, poolSize: 2 });
    nodes = await Promise.all([start(), start(), start()]);
  }, 120_000);
  afterAll(async () => {
    for (const n of nodes) await n.kill9();
    await store?.close();
  });

  const running = async (via: Instance, name: string) => {
    const created = await via.call('POST', '/agents', { name });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const up = await via.call('GET', `/agents/${id}/wait?status=running&timeout=30`);
    expect(up.status).toBe(200);
    return id;
  };

  it('conflicting actions raced through three instances: exactly one accepted per version', async () => {
    const id = await running(nodes[0]!, 'contested');
    // Each instance's memory driver knows only what it built, so some operations fail: the
    // agent wanders through the chart. What matters is that each version is decided once.
    const SAFE = new Set(['start', 'stop', 'restart', 'redeploy', 'pause', 'resume']);
    let rounds = 0;
    for (let round = 0; round < 8; round++) {
      const view = await eventually(async () => {
        const a = (await nodes[round % 3]!.call('GET', `/agents/${id}`)).body as {
          version: number;
          operation: unknown;
          availableActions: string[];
        };
        return a.operation === null ? a : undefined;
      }, 'no operation in flight');
      const allowed = view.availableActions.filter((a) => SAFE.has(a));
      if (allowed.length === 0) break;
      // Three actions decided on one version (If-Match), each through its own instance.
      const results = await Promise.all(
        nodes.map((n, i) =>
          n.call(
            'POST',
            `/agents/${id}/actions/${allowed[(i + round) % allowed.length]}`,
            { reason: 'race' },
            'ops',
            {
              'if-match': `"${view.version}"`,
            },
          ),
        ),
      );
      const accepted = results.filter((r) => r.status === 200 || r.status === 202);
      expect(accepted, JSON.stringify(results.map((r) => [r.status, r.body?.code]))).toHaveLength(1);
      for (const r of results)
        if (r.status >= 300) expect([409, 412], JSON.stringify(r.body)).toContain(r.status);
      rounds++;
    }
    expect(rounds).toBeGreaterThanOrEqual(3);
    // The trail: accepted entries' versions never go back (one commit per version), no gaps.
    const trail = await store.audit(id);
    const versions = trail.filter((e) => !e.denied).map((e) => e.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(trail.map((e) => e.seq)).toEqual(trail.map((_, i) => i + 1));
  });

  it('one registration token registered through three instances at once: one agent', async () => {
    const token = await nodes[0]!.call('POST', '/registration-tokens', {});
    expect(token.status, JSON.stringify(token.body)).toBe(201);
    const results = await Promise.all(
      nodes.map((n) =>
        n.call('POST', '/agents/register', { registrationToken: token.body.token, code: 'edge-1' }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results) if (r.status !== 201) expect(r.status).toBe(401);
    const agents = (await store.list()).filter((a) => a.code === 'edge-1');
    expect(agents).toHaveLength(1);
  });

  it('command polls through three instances: each command handed out exactly once', async () => {
    const token = await nodes[0]!.call('POST', '/registration-tokens', {});
    const reg = await nodes[1]!.call('POST', '/agents/register', {
      registrationToken: token.body.token,
      code: 'worker-1',
    });
    expect(reg.status).toBe(201);
    const { agentId, agentToken } = reg.body as { agentId: string; agentToken: string };
    const total = 60;
    for (let i = 0; i < total; i++) {
      const r = await nodes[i % 3]!.call('POST', `/agents/${agentId}/commands`, {
        type: 'job',
        payload: { i },
      });
      expect(r.status).toBe(201);
    }
    const handed: string[] = [];
    await Promise.all(
      nodes.flatMap((n) =>
        Array.from({ length: 4 }, async () => {
          for (;;) {
            const r = await n.call('GET', `/agents/${agentId}/commands?limit=3`, undefined, agentToken);
            expect(r.status).toBe(200);
            const got = (r.body.commands as { id: string }[]).map((c) => c.id);
            if (got.length === 0) return;
            handed.push(...got);
          }
        }),
      ),
    );
    expect(handed).toHaveLength(total);
    expect(new Set(handed).size).toBe(total);
  });

  it('kill -9 of the instance running a provision: another takes it over within 2 × lease and finishes it once', async () => {
    // A fourth instance whose provisions take 4 s: it creates the agent, then dies mid-provision.
    const slow = await start({ BERTH_PROVISION_MS: '4000' });
    const created = await slow.call('POST', '/agents', { name: 'orphan' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const before = (await store.get(id))!;
    expect(before.status).toBe('provisioning');
    // Its lease is taken: the provision runs there.
    await eventually(async () => {
      const { rows } = await store.pool.query(
        `SELECT holder FROM "${schema}".operation_leases WHERE operation_id = $1 AND holder IS NOT NULL`,
        [before.operation!.id],
      );
      return rows.length === 1 ? true : undefined;
    }, 'the slow instance to lease the provision');
    await slow.kill9();
    const killedAt = Date.now();
    // Another instance bumps the operation's epoch (the takeover) …
    const taken = await eventually(async () => {
      const r = await store.get(id);
      return r && r.epoch > before.epoch ? r : undefined;
    }, 'a takeover');
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThanOrEqual(2 * LEASE_MS + 250);
    expect(taken.epoch).toBeGreaterThan(before.epoch);
    // … and finishes it.
    await eventually(async () => ((await store.get(id))?.status === 'running' ? true : undefined), 'running');
    const trail = await store.audit(id);
    const provisioned = trail.filter((e) => e.action === 'provisioned' && !e.denied);
    expect(provisioned).toHaveLength(1);
    expect(provisioned[0]!.operationId).toBe(before.operation!.id); // the same operation id, re-driven
    expect(trail.map((e) => e.seq)).toEqual(trail.map((_, i) => i + 1));
  });
});
