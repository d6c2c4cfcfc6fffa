/** `Idempotency-Key` on every mutating route: replay, reuse with another body, in use, per-owner scope, TTL.
 *
 * Shared by every binding (see harness.ts): `idempotencyCases(binding)`.
 */
import { createMemoryStore, type LifecycleStore } from '@berth/core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { createMemoryIdempotencyStore } from '@berth/core/http';
import {
  type Harness,
  runningAgent,
  type BindingUnderTest,
  caseTest,
  type HarnessOptions,
  startBindingHarness,
} from './harness.js';

/** Register these cases for `binding`. */
export function idempotencyCases(binding: BindingUnderTest): void {
  const test = caseTest(binding);
  const startHarness = (options?: HarnessOptions) => startBindingHarness(binding, options);

  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ router: { registerRateLimit: false } });
  });
  afterAll(async () => {
    await h.close();
  });

  const key = (k: string) => ({ 'idempotency-key': k });

  describe('same key and body: the stored response is replayed and the action is done once', () => {
    test('POST /agents', async () => {
      const first = await h.call('POST', '/agents', {
        json: { name: 'idem-1', config: { a: 1, b: 2 } },
        headers: key('k-create'),
      });
      // Key order in the body does not matter.
      const second = await h.call('POST', '/agents', {
        json: { config: { b: 2, a: 1 }, name: 'idem-1' },
        headers: key('k-create'),
      });
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      // The 201 carried the agent's credentials, a secret shown once: the replay is refused and
      // never shows them again (API.md), and the agent was still created only once.
      expect(first.body.credentials.password).toEqual(expect.any(String));
      expect([second.status, second.body.code]).toEqual([409, 'SECRET_ALREADY_SHOWN']);
      expect(JSON.stringify(second.body)).not.toContain(first.body.credentials.password);
      expect((await h.manager.list({ owner: 'acme' })).filter((a) => a.name === 'idem-1')).toHaveLength(1);
    });

    test('POST /agents/:id/actions/:action', async () => {
      const agent = await runningAgent(h, 'acme', 'idem-stop');
      const responses = [];
      for (let i = 0; i < 3; i++)
        responses.push(
          await h.call('POST', `/agents/${agent.id}/actions/stop`, {
            json: { reason: 'r' },
            headers: key('k-stop'),
          }),
        );
      expect(responses.map((r) => r.status)).toEqual([202, 202, 202]);
      expect(new Set(responses.map((r) => r.body.operation.id)).size).toBe(1);
      const audit = await h.manager.audit(agent.id);
      expect(audit.filter((e) => e.action === 'stop' && !e.denied)).toHaveLength(1);
    });

    test('DELETE, registration tokens, commands', async () => {
      const agent = await runningAgent(h, 'acme', 'idem-del');
      const d1 = await h.call('DELETE', `/agents/${agent.id}`, {
        json: { confirm: 'idem-del' },
        headers: key('k-del'),
      });
      const d2 = await h.call('DELETE', `/agents/${agent.id}`, {
        json: { confirm: 'idem-del' },
        headers: key('k-del'),
      });
      expect([d1.status, d2.status]).toEqual([202, 202]);
      expect(d2.body).toEqual(d1.body);

      const t1 = await h.call('POST', '/registration-tokens', { json: {}, headers: key('k-tok') });
      const t2 = await h.call('POST', '/registration-tokens', { json: {}, headers: key('k-tok') });
      // The token is a secret shown once: its replay is refused, never the plaintext again (API.md).
      expect(t1.status).toBe(201);
      expect([t2.status, t2.body.code]).toEqual([409, 'SECRET_ALREADY_SHOWN']);
      expect(JSON.stringify(t2.body)).not.toContain(t1.body.token);

      const target = await runningAgent(h, 'acme', 'idem-cmd');
      const c1 = await h.call('POST', `/agents/${target.id}/commands`, {
        json: { type: 'x' },
        headers: key('k-cmd'),
      });
      const c2 = await h.call('POST', `/agents/${target.id}/commands`, {
        json: { type: 'x' },
        headers: key('k-cmd'),
      });
      expect(c2.body.command.id).toBe(c1.body.command.id);
      expect(await h.manager.commands(target.id)).toHaveLength(1);
    });

    test('agent API: register (the one-time token is not spent twice), heartbeat, result', async () => {
      const tok = await h.call('POST', '/registration-tokens', { json: {} });
      const body = { registrationToken: tok.body.token, code: 'idem-self' };
      const r1 = await h.call('POST', '/agents/register', { auth: null, json: body, headers: key('k-reg') });
      const r2 = await h.call('POST', '/agents/register', { auth: null, json: body, headers: key('k-reg') });
      // The agent token is a secret shown once: the replay is refused and hands out nothing (API.md).
      expect([r1.status, r2.status]).toEqual([201, 409]);
      expect(r2.body.code).toBe('SECRET_ALREADY_SHOWN');
      expect(JSON.stringify(r2.body)).not.toContain(r1.body.agentToken);
      expect((await h.manager.list()).filter((a) => a.name === 'idem-self')).toHaveLength(1);
      const auth = `Bearer ${r1.body.agentToken}`;
      const id = r1.body.agentId as string;
      const hb1 = await h.call('POST', `/agents/${id}/heartbeat`, { auth, headers: key('k-hb') });
      const hb2 = await h.call('POST', `/agents/${id}/heartbeat`, { auth, headers: key('k-hb') });
      expect([hb1.status, hb2.status]).toEqual([204, 204]);
      await h.call('POST', `/agents/${id}/commands`, { json: { type: 'once' } });
      const [cmd] = (await h.call('GET', `/agents/${id}/commands`, { auth })).body.commands;
      const res1 = await h.call('POST', `/agents/${id}/commands/${cmd.id}/result`, {
        auth,
        json: { ok: true },
        headers: key('k-res'),
      });
      const res2 = await h.call('POST', `/agents/${id}/commands/${cmd.id}/result`, {
        auth,
        json: { ok: true },
        headers: key('k-res'),
      });
      expect([res1.status, res2.status]).toEqual([204, 204]);
    });
  });

  test('same key, different body or route → 422 IDEMPOTENCY_KEY_REUSED, nothing done', async () => {
    await h.call('POST', '/agents', { json: { name: 'reuse-a' }, headers: key('k-reuse') });
    const other = await h.call('POST', '/agents', { json: { name: 'reuse-b' }, headers: key('k-reuse') });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const token = await h.call('POST', '/registration-tokens', { json: {}, headers: key('k-reuse') });
    expect(token.status).toBe(422);
    expect((await h.manager.list()).some((a) => a.name === 'reuse-b')).toBe(false);
  });

  test('keys are scoped per owner', async () => {
    const a = await h.call('POST', '/agents', {
      owner: 'alpha',
      json: { name: 'scoped' },
      headers: key('k-shared'),
    });
    const b = await h.call('POST', '/agents', {
      owner: 'beta',
      json: { name: 'scoped' },
      headers: key('k-shared'),
    });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.id).not.toBe(a.body.id);
    expect(b.body.owner).toBe('beta');
    expect(b.headers.get('idempotent-replayed')).toBeNull();
  });

  test('a refused request is not stored: the same key runs again once the agent allows it', async () => {
    const agent = await runningAgent(h, 'acme', 'retry-later');
    const early = await h.call('POST', `/agents/${agent.id}/actions/start`, { headers: key('k-start') });
    expect(early.status).toBe(409);
    await h.call('POST', `/agents/${agent.id}/actions/stop`);
    await h.manager.waitFor(agent.id, 'stopped', { timeout: 10_000 });
    const later = await h.call('POST', `/agents/${agent.id}/actions/start`, { headers: key('k-start') });
    expect(later.status).toBe(202);
  });

  test('same key while the first request still runs → 409 IDEMPOTENCY_KEY_IN_USE', async () => {
    const inner = createMemoryStore();
    let release: () => void = () => {};
    let hold: Promise<void> | null = null;
    let entered: () => void = () => {};
    const enteredCommit = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const store: LifecycleStore = {
      ...inner,
      async commit(c) {
        if (hold !== null) {
          entered();
          await hold;
        }
        return inner.commit(c);
      },
    };
    const m = await startHarness({ manager: { store } });
    try {
      hold = new Promise<void>((resolve) => {
        release = resolve;
      });
      const first = m.call('POST', '/agents', { json: { name: 'slow-create' }, headers: key('k-busy') });
      await enteredCommit;
      const second = await m.call('POST', '/agents', {
        json: { name: 'slow-create' },
        headers: key('k-busy'),
      });
      expect(second.status).toBe(409);
      expect(second.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
      hold = null;
      release();
      expect((await first).status).toBe(201);
      const third = await m.call('POST', '/agents', {
        json: { name: 'slow-create' },
        headers: key('k-busy'),
      });
      // The first answer held credentials (shown once): a replay is refused, nothing is created again.
      expect([third.status, third.body.code]).toEqual([409, 'SECRET_ALREADY_SHOWN']);
      expect((await m.manager.list()).filter((a) => a.name === 'slow-create')).toHaveLength(1);
    } finally {
      release();
      await m.close();
    }
  });

  test('a key is forgotten after its TTL', async () => {
    let now = 1_000_000;
    const m = await startHarness({
      router: {
        idempotencyTtlMs: 60_000,
        idempotencyStore: createMemoryIdempotencyStore({ now: () => now }),
        now: () => now,
      },
    });
    try {
      const a = await m.call('POST', '/agents', { json: { name: 'ttl' }, headers: key('k-ttl') });
      now += 30_000;
      const replay = await m.call('POST', '/agents', { json: { name: 'ttl' }, headers: key('k-ttl') });
      // Within the TTL the key still holds: the create is not done again (its credentials were shown once).
      expect([replay.status, replay.body.code]).toEqual([409, 'SECRET_ALREADY_SHOWN']);
      expect((await m.manager.list()).filter((x) => x.name === 'ttl')).toHaveLength(1);
      now += 31_000;
      const fresh = await m.call('POST', '/agents', { json: { name: 'ttl' }, headers: key('k-ttl') });
      expect(fresh.status).toBe(201);
      expect(fresh.body.id).not.toBe(a.body.id);
    } finally {
      await m.close();
    }
  });

  test('no internal error was reported', () => {
    expect(h.internalErrors).toEqual([]);
  });
}
