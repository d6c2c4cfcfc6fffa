/** Every operator route of API.md through a real listening server: the happy paths and their shapes.
 *
 * Shared by every binding (see harness.ts): `operatorApiCases(binding)`.
 */
import { ACTIONS, ManualClock, STATUSES } from '@berth/core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  type Harness,
  runningAgent,
  type BindingUnderTest,
  caseTest,
  type HarnessOptions,
  startBindingHarness,
} from './harness.js';

/** Register these cases for `binding`. */
export function operatorApiCases(binding: BindingUnderTest): void {
  const test = caseTest(binding);
  const startHarness = (options?: HarnessOptions) => startBindingHarness(binding, options);

  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  describe('POST /agents', () => {
    test('201 with the agent resource, then it provisions asynchronously', async () => {
      const r = await h.call('POST', '/agents', {
        json: { name: 'create-me', image: 'berth/agent:1', region: 'eu', size: 'small', config: { a: 1 } },
      });
      expect(r.status).toBe(201);
      expect(r.contentType).toMatch(/^application\/json/);
      expect(r.body).toMatchObject({ name: 'create-me', owner: 'acme', version: expect.any(Number) });
      expect(r.body.id).toMatch(/^agt_/);
      expect(STATUSES).toContain(r.body.status);
      for (const field of ['workspaceId', 'revision', 'lastHeartbeatAt', 'createdAt', 'updatedAt'])
        expect(r.body).toHaveProperty(field);
      expect(Array.isArray(r.body.availableActions)).toBe(true);
      expect(r.headers.get('etag')).toBe(`"${r.body.version}"`);
      const running = await h.manager.waitFor(r.body.id, 'running', { timeout: 10_000 });
      expect(running.status).toBe('running');
    });

    test('an unscoped administrator may name the owner', async () => {
      const r = await h.call('POST', '/agents', {
        auth: 'Bearer admin',
        json: { name: 'for-zeta', owner: 'zeta' },
      });
      expect(r.status).toBe(201);
      expect(r.body.owner).toBe('zeta');
    });

    test('an owner-scoped caller may repeat its own owner', async () => {
      const r = await h.call('POST', '/agents', { json: { name: 'same-owner', owner: 'acme' } });
      expect(r.status).toBe(201);
      expect(r.body.owner).toBe('acme');
    });
  });

  describe('GET /agents', () => {
    test('lists only the caller’s agents, filtered by status and owner', async () => {
      const mine = await runningAgent(h, 'lister', 'l-1');
      await runningAgent(h, 'other-lister', 'l-2');
      const all = await h.call('GET', '/agents', { owner: 'lister' });
      expect(all.status).toBe(200);
      expect(all.body.agents.map((a: { id: string }) => a.id)).toEqual([mine.id]);
      const running = await h.call('GET', '/agents?status=running', { owner: 'lister' });
      expect(running.body.agents).toHaveLength(1);
      const stopped = await h.call('GET', '/agents?status=stopped', { owner: 'lister' });
      expect(stopped.body.agents).toEqual([]);
      const foreign = await h.call('GET', '/agents?owner=other-lister', { owner: 'lister' });
      expect(foreign.body.agents).toEqual([]);
      const admin = await h.call('GET', '/agents?owner=other-lister', { auth: 'Bearer admin' });
      expect(admin.body.agents.map((a: { owner: string }) => a.owner)).toEqual(['other-lister']);
    });

    test('?profile= adds vendorStatus in the vendor’s words', async () => {
      const agent = await runningAgent(h, 'profiled', 'p-1');
      const list = await h.call('GET', '/agents?profile=agentstead', { owner: 'profiled' });
      expect(list.body.agents[0].vendorStatus).toBe('ONLINE');
      const one = await h.call('GET', `/agents/${agent.id}?profile=opstage`, { owner: 'profiled' });
      expect(typeof one.body.vendorStatus).toBe('string');
      const plain = await h.call('GET', `/agents/${agent.id}`, { owner: 'profiled' });
      expect(plain.body).not.toHaveProperty('vendorStatus');
      const bad = await h.call('GET', `/agents/${agent.id}?profile=nope`, { owner: 'profiled' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].path).toBe('profile');
    });
  });

  describe('GET /agents/:id', () => {
    test('200 with ETag "<version>", 304 for a matching If-None-Match', async () => {
      const agent = await runningAgent(h, 'acme', 'getter');
      const r = await h.call('GET', `/agents/${agent.id}`);
      expect(r.status).toBe(200);
      expect(r.body.id).toBe(agent.id);
      expect(r.headers.get('etag')).toBe(`"${r.body.version}"`);
      expect(r.body.actions).toHaveLength(ACTIONS.length);
      // fetch() adds `Cache-Control: no-cache` to conditional requests unless told otherwise.
      const again = await h.call('GET', `/agents/${agent.id}`, {
        headers: { 'if-none-match': `"${r.body.version}"`, 'cache-control': 'max-age=0' },
      });
      expect(again.status).toBe(304);
    });
  });

  describe('POST /agents/:id/actions/:action', () => {
    test('async actions answer 202 {agent, operation}', async () => {
      const agent = await runningAgent(h, 'acme', 'stopper');
      const r = await h.call('POST', `/agents/${agent.id}/actions/stop`, { json: { reason: 'night' } });
      expect(r.status).toBe(202);
      expect(r.body.agent.id).toBe(agent.id);
      expect(r.body.operation).toEqual({ id: expect.any(String), action: 'stop' });
      expect(r.headers.get('etag')).toBe(`"${r.body.agent.version}"`);
      await h.manager.waitFor(agent.id, 'stopped', { timeout: 10_000 });
    });

    test('instant actions answer 200 {agent} without operation', async () => {
      const agent = await runningAgent(h, 'acme', 'pauser');
      const r = await h.call('POST', `/agents/${agent.id}/actions/pause`, {
        json: { reason: 'maintenance' },
      });
      expect(r.status).toBe(200);
      expect(r.body.agent.status).toBe('paused');
      expect(r.body).not.toHaveProperty('operation');
      const resumed = await h.call('POST', `/agents/${agent.id}/actions/resume`);
      expect(resumed.status).toBe(200);
      expect(resumed.body.agent.status).toBe('running');
    });

    test('the reason reaches the audit trail', async () => {
      const agent = await runningAgent(h, 'acme', 'reasoned');
      await h.call('POST', `/agents/${agent.id}/actions/pause`, { json: { reason: 'quiet please' } });
      const audit = await h.call('GET', `/agents/${agent.id}/audit`);
      const pause = audit.body.entries.find((e: { action: string }) => e.action === 'pause');
      expect(pause).toMatchObject({
        actor: 'user:acme',
        from: 'running',
        to: 'paused',
        reason: 'quiet please',
      });
    });
  });

  describe('DELETE /agents/:id', () => {
    test('202 like the destroy action; the agent stays readable as deleted', async () => {
      const agent = await runningAgent(h, 'acme', 'doomed');
      const r = await h.call('DELETE', `/agents/${agent.id}`, {
        json: { confirm: 'doomed', reason: 'done' },
      });
      expect(r.status).toBe(202);
      expect(r.body.operation.action).toBe('destroy');
      const wait = await h.call('GET', `/agents/${agent.id}/wait?status=deleted&timeout=10`);
      expect(wait.status).toBe(200);
      expect(wait.body.status).toBe('deleted');
      const get = await h.call('GET', `/agents/${agent.id}`);
      expect(get.status).toBe(200);
      expect(get.body.status).toBe('deleted');
    });
  });

  describe('GET /agents/:id/wait', () => {
    test('answers at once when the agent already has the status', async () => {
      const agent = await runningAgent(h, 'acme', 'waited');
      const r = await h.call('GET', `/agents/${agent.id}/wait?status=running`);
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('running');
    });

    test('long-polls across a transition, with timeouts beyond 60 s allowed', async () => {
      const agent = await runningAgent(h, 'acme', 'long-wait');
      const pending = h.call('GET', `/agents/${agent.id}/wait?status=paused&timeout=300`);
      await h.call('POST', `/agents/${agent.id}/actions/pause`, { json: { reason: 'now' } });
      const r = await pending;
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('paused');
    });

    test('408 WAIT_TIMEOUT when the status does not come in time (manual clock)', async () => {
      const m = await startHarness({ manual: true });
      try {
        const created = await m.call('POST', '/agents', { json: { name: 'slow' } });
        const id = created.body.id as string;
        await m.manager.waitFor(id, 'running', { timeout: 1 }).catch(() => undefined);
        const pending = m.call('GET', `/agents/${id}/wait?status=stopped&timeout=120`);
        // Let the request reach the manager, then move the clock past the deadline.
        await new Promise((resolve) => setImmediate(resolve));
        const clock = m.clock as ManualClock;
        while (
          (await Promise.race([pending.then(() => 'done'), clock.advance(10_000).then(() => 'tick')])) ===
          'tick'
        ) {
          if (clock.now() > 1_700_000_000_000 + 10 * 60_000) break;
        }
        const r = await pending;
        expect(r.status).toBe(408);
        expect(r.body.code).toBe('WAIT_TIMEOUT');
      } finally {
        await m.close();
      }
    });
  });

  describe('GET /agents/:id/audit and /revisions', () => {
    test('audit entries in order, ?after= returns only later ones', async () => {
      const agent = await runningAgent(h, 'acme', 'audited');
      const all = await h.call('GET', `/agents/${agent.id}/audit`);
      expect(all.status).toBe(200);
      const seqs = all.body.entries.map((e: { seq: number }) => e.seq);
      expect(seqs).toEqual(seqs.map((_: number, i: number) => i + 1));
      for (const e of all.body.entries)
        for (const field of ['seq', 'at', 'actor', 'action', 'from', 'to', 'reason'])
          expect(e).toHaveProperty(field);
      const after = await h.call('GET', `/agents/${agent.id}/audit?after=1`);
      expect(after.body.entries.map((e: { seq: number }) => e.seq)).toEqual(seqs.slice(1));
      const bad = await h.call('GET', `/agents/${agent.id}/audit?after=-1`);
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].path).toBe('after');
    });

    test('revisions list what was built', async () => {
      const agent = await runningAgent(h, 'acme', 'revised');
      const r = await h.call('GET', `/agents/${agent.id}/revisions`);
      expect(r.status).toBe(200);
      expect(r.body.revisions.length).toBeGreaterThanOrEqual(1);
      expect(r.body.revisions[0]).toMatchObject({
        id: expect.any(String),
        image: expect.any(String),
        createdAt: expect.any(String),
        outcome: 'succeeded',
      });
    });
  });

  describe('POST /registration-tokens and POST /agents/:id/commands', () => {
    test('201 {token, expiresAt}', async () => {
      const r = await h.call('POST', '/registration-tokens', { json: { expiresInSeconds: 600 } });
      expect(r.status).toBe(201);
      expect(typeof r.body.token).toBe('string');
      expect(Number.isNaN(Date.parse(r.body.expiresAt))).toBe(false);
      const empty = await h.call('POST', '/registration-tokens');
      expect(empty.status).toBe(201);
    });

    test('201 {command: {id, status: pending}}; 409 AGENT_PAUSED while paused', async () => {
      const agent = await runningAgent(h, 'acme', 'commanded');
      const r = await h.call('POST', `/agents/${agent.id}/commands`, {
        json: { type: 'echo', payload: { x: 1 } },
      });
      expect(r.status).toBe(201);
      expect(r.body.command).toMatchObject({ id: expect.any(String), status: 'pending' });
      await h.call('POST', `/agents/${agent.id}/actions/pause`, { json: { reason: 'hold' } });
      const paused = await h.call('POST', `/agents/${agent.id}/commands`, { json: { type: 'echo' } });
      expect(paused.status).toBe(409);
      expect(paused.body.code).toBe('AGENT_PAUSED');
    });
  });

  describe('GET /openapi.json', () => {
    test('200 OpenAPI 3.1', async () => {
      const r = await h.call('GET', '/openapi.json', { auth: null });
      expect(r.status).toBe(200);
      expect(r.body.openapi).toBe('3.1.0');
    });
  });

  test('unknown paths under the router are a 404 problem', async () => {
    const r = await h.call('GET', '/nope');
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('NOT_FOUND');
  });

  test('no internal error was reported', () => {
    expect(h.internalErrors).toEqual([]);
    expect(ManualClock).toBeDefined();
  });
}
