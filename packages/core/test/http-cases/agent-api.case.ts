/** The agent API of API.md (register, heartbeat, poll, result) through a real listening server.
 *
 * Shared by every binding (see harness.ts): `agentApiCases(binding)`.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  type Harness,
  isProblem,
  runningAgent,
  type BindingUnderTest,
  caseTest,
  type HarnessOptions,
  startBindingHarness,
} from './harness.js';

/** Register these cases for `binding`. */
export function agentApiCases(binding: BindingUnderTest): void {
  const test = caseTest(binding);
  const startHarness = (options?: HarnessOptions) => startBindingHarness(binding, options);

  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ router: { registerRateLimit: false } });
  });
  afterAll(async () => {
    await h.close();
  });

  async function registrationToken(harness: Harness, owner = 'acme'): Promise<string> {
    const r = await harness.call('POST', '/registration-tokens', { owner, json: {} });
    expect(r.status).toBe(201);
    return r.body.token as string;
  }

  async function register(harness: Harness, code: string, owner = 'acme') {
    const token = await registrationToken(harness, owner);
    const r = await harness.call('POST', '/agents/register', {
      auth: null,
      json: { registrationToken: token, code, name: `self-${code}`, runtime: 'node' },
    });
    expect(r.status).toBe(201);
    return r.body as { agentId: string; agentToken: string };
  }

  const bearer = (token: string) => `Bearer ${token}`;

  describe('POST /agents/register', () => {
    test('201 {agentId, agentToken}; the agent belongs to the token’s owner and is self-hosted', async () => {
      const { agentId, agentToken } = await register(h, 'reg-1', 'selfhost');
      expect(agentId).toMatch(/^agt_/);
      expect(typeof agentToken).toBe('string');
      const got = await h.call('GET', `/agents/${agentId}`, { owner: 'selfhost' });
      expect(got.body).toMatchObject({ owner: 'selfhost', kind: 'self_hosted', name: 'self-reg-1' });
      expect([...got.body.availableActions].sort()).toEqual(
        got.body.availableActions.filter((a: string) => ['disable', 'enable', 'destroy'].includes(a)).sort(),
      );
    });

    test('re-registering the same code reuses the agent and revokes its older tokens', async () => {
      const first = await register(h, 'reg-2');
      const second = await register(h, 'reg-2');
      expect(second.agentId).toBe(first.agentId);
      expect(second.agentToken).not.toBe(first.agentToken);
      const old = await h.call('POST', `/agents/${first.agentId}/heartbeat`, {
        auth: bearer(first.agentToken),
      });
      expect(old.status).toBe(401);
      expect(old.body.code).toBe('UNAUTHORIZED');
      const fresh = await h.call('POST', `/agents/${first.agentId}/heartbeat`, {
        auth: bearer(second.agentToken),
      });
      expect(fresh.status).toBe(204);
    });

    test('a registration token works once: 401 REGISTRATION_TOKEN_INVALID afterwards and for unknown tokens', async () => {
      const token = await registrationToken(h);
      const ok = await h.call('POST', '/agents/register', {
        auth: null,
        json: { registrationToken: token, code: 'once-a' },
      });
      expect(ok.status).toBe(201);
      const again = await h.call('POST', '/agents/register', {
        auth: null,
        json: { registrationToken: token, code: 'once-b' },
      });
      expect(again.status).toBe(401);
      expect(again.body.code).toBe('REGISTRATION_TOKEN_INVALID');
      const unknown = await h.call('POST', '/agents/register', {
        auth: null,
        json: { registrationToken: 'brg_nope', code: 'x' },
      });
      expect(unknown.status).toBe(401);
      expect(unknown.body.code).toBe('REGISTRATION_TOKEN_INVALID');
      expect(isProblem(unknown)).toBe(true);
    });

    test('an expired registration token is refused (manual clock)', async () => {
      const m = await startHarness({ manual: true, router: { registerRateLimit: false } });
      try {
        const r = await m.call('POST', '/registration-tokens', { json: { expiresInSeconds: 60 } });
        await m.clock!.advance(61_000);
        const late = await m.call('POST', '/agents/register', {
          auth: null,
          json: { registrationToken: r.body.token, code: 'late' },
        });
        expect(late.status).toBe(401);
        expect(late.body.code).toBe('REGISTRATION_TOKEN_INVALID');
      } finally {
        await m.close();
      }
    });

    test('the endpoint is rate limited: 429 RATE_LIMITED as a problem', async () => {
      const m = await startHarness({ router: { registerRateLimit: { limit: 2, windowMs: 60_000 } } });
      try {
        const codes: number[] = [];
        for (let i = 0; i < 3; i++) {
          const r = await m.call('POST', '/agents/register', {
            auth: null,
            json: { registrationToken: 'brg_guess', code: `g${i}` },
          });
          codes.push(r.status);
          if (r.status === 429) {
            expect(r.body.code).toBe('RATE_LIMITED');
            expect(isProblem(r)).toBe(true);
          }
        }
        expect(codes).toEqual([401, 401, 429]);
      } finally {
        await m.close();
      }
    });
  });

  describe('POST /agents/:id/heartbeat', () => {
    test('204; the first heartbeat brings a registered agent to running; a stale one comes back', async () => {
      const m = await startHarness({ manual: true, router: { registerRateLimit: false } });
      try {
        const { agentId, agentToken } = await register(m, 'hb-1');
        const hb = await m.call('POST', `/agents/${agentId}/heartbeat`, { auth: bearer(agentToken) });
        expect(hb.status).toBe(204);
        expect(hb.text).toBe('');
        expect((await m.manager.get(agentId)).status).toBe('running');
        await m.clock!.advance(120_000);
        await m.manager.tick();
        expect((await m.manager.get(agentId)).status).toBe('degraded');
        const back = await m.call('POST', `/agents/${agentId}/heartbeat`, {
          auth: bearer(agentToken),
          json: {},
        });
        expect(back.status).toBe(204);
        expect((await m.manager.get(agentId)).status).toBe('running');
      } finally {
        await m.close();
      }
    });

    test('401 without a token, with a bad token, or with another agent’s token', async () => {
      const a = await register(h, 'hb-a');
      const b = await register(h, 'hb-b');
      const none = await h.call('POST', `/agents/${a.agentId}/heartbeat`, { auth: null });
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      const bad = await h.call('POST', `/agents/${a.agentId}/heartbeat`, { auth: 'Bearer agt_tok_nope' });
      expect(bad.status).toBe(401);
      const crossed = await h.call('POST', `/agents/${a.agentId}/heartbeat`, { auth: bearer(b.agentToken) });
      expect(crossed.status).toBe(401);
      expect(crossed.body.code).toBe('UNAUTHORIZED');
    });

    test('403 AGENT_DISABLED while disabled, 403 AGENT_REVOKED once deleted', async () => {
      const { agentId, agentToken } = await register(h, 'hb-gone');
      await h.call('POST', `/agents/${agentId}/heartbeat`, { auth: bearer(agentToken) });
      const disabled = await h.call('POST', `/agents/${agentId}/actions/disable`, {
        json: { reason: 'abuse' },
      });
      expect(disabled.status).toBe(200);
      const refused = await h.call('POST', `/agents/${agentId}/heartbeat`, { auth: bearer(agentToken) });
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('AGENT_DISABLED');
      const polled = await h.call('GET', `/agents/${agentId}/commands`, { auth: bearer(agentToken) });
      expect(polled.body.code).toBe('AGENT_DISABLED');
      await h.call('POST', `/agents/${agentId}/actions/enable`);
      const del = await h.call('DELETE', `/agents/${agentId}`, { json: { confirm: 'self-hb-gone' } });
      expect([200, 202]).toContain(del.status);
      await h.manager.waitFor(agentId, 'deleted', { timeout: 10_000 });
      const revoked = await h.call('POST', `/agents/${agentId}/heartbeat`, { auth: bearer(agentToken) });
      expect(revoked.status).toBe(403);
      expect(revoked.body.code).toBe('AGENT_REVOKED');
    });
  });

  describe('commands', () => {
    test('poll hands each pending command out once; result answers 204 and is recorded', async () => {
      const { agentId, agentToken } = await register(h, 'cmd-1');
      await h.call('POST', `/agents/${agentId}/heartbeat`, { auth: bearer(agentToken) });
      for (const type of ['a', 'b', 'c'])
        expect(
          (await h.call('POST', `/agents/${agentId}/commands`, { json: { type, payload: { type } } })).status,
        ).toBe(201);
      const first = await h.call('GET', `/agents/${agentId}/commands?limit=2`, { auth: bearer(agentToken) });
      expect(first.status).toBe(200);
      expect(first.body.commands.map((c: { type: string }) => c.type)).toEqual(['a', 'b']);
      expect(first.body.commands[0]).toMatchObject({ status: 'running', payload: { type: 'a' } });
      const second = await h.call('GET', `/agents/${agentId}/commands`, { auth: bearer(agentToken) });
      expect(second.body.commands.map((c: { type: string }) => c.type)).toEqual(['c']);
      const third = await h.call('GET', `/agents/${agentId}/commands`, { auth: bearer(agentToken) });
      expect(third.body.commands).toEqual([]);

      const id = first.body.commands[0].id as string;
      const done = await h.call('POST', `/agents/${agentId}/commands/${id}/result`, {
        auth: bearer(agentToken),
        json: { ok: true, output: { echoed: 'a' } },
      });
      expect(done.status).toBe(204);
      const failed = await h.call('POST', `/agents/${agentId}/commands/${first.body.commands[1].id}/result`, {
        auth: bearer(agentToken),
        json: { ok: false, error: { code: 'E_BOOM', message: 'boom' } },
      });
      expect(failed.status).toBe(204);
      const commands = await h.manager.commands(agentId);
      expect(commands.map((c) => c.status)).toEqual(['succeeded', 'failed', 'running']);
      expect(commands[0]!.output).toEqual({ echoed: 'a' });

      const missing = await h.call('POST', `/agents/${agentId}/commands/cmd_nope/result`, {
        auth: bearer(agentToken),
        json: { ok: true },
      });
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('COMMAND_NOT_FOUND');
    });

    test('a managed agent polls with the credentials its driver got; nothing is handed out while paused', async () => {
      const agent = await runningAgent(h, 'acme', 'managed-poller');
      const resource = h.driver.resources().find((r) => r.credentials?.agentId === agent.id);
      expect(resource?.credentials).toBeTruthy();
      const auth = bearer(resource!.credentials!.agentToken);
      await h.call('POST', `/agents/${agent.id}/commands`, { json: { type: 'queued-before-pause' } });
      const pause = await h.call('POST', `/agents/${agent.id}/actions/pause`, { json: { reason: 'hold' } });
      expect(pause.status).toBe(200);
      const whilePaused = await h.call('GET', `/agents/${agent.id}/commands`, { auth });
      expect(whilePaused.status).toBe(200);
      expect(whilePaused.body.commands).toEqual([]);
      await h.call('POST', `/agents/${agent.id}/actions/resume`);
      const resumed = await h.call('GET', `/agents/${agent.id}/commands`, { auth });
      expect(resumed.body.commands.map((c: { type: string }) => c.type)).toEqual(['queued-before-pause']);
    });

    test('poll ?limit is validated', async () => {
      const { agentId, agentToken } = await register(h, 'cmd-limit');
      const r = await h.call('GET', `/agents/${agentId}/commands?limit=0`, { auth: bearer(agentToken) });
      expect(r.status).toBe(400);
      expect(r.body.errors[0].path).toBe('limit');
    });
  });

  test('no internal error was reported', () => {
    expect(h.internalErrors).toEqual([]);
  });
}
