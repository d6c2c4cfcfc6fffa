/**
 * Broken object-level authorization matrix: for two owners and every route, the other owner
 * gets 404 (never 403, never data) and nothing changes.
 *
 * Shared by every binding (see harness.ts): `bolaCases(binding)`.
 */
import { ACTIONS } from '@berth/core';
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
export function bolaCases(binding: BindingUnderTest): void {
  const test = caseTest(binding);
  const startHarness = (options?: HarnessOptions) => startBindingHarness(binding, options);

  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ router: { registerRateLimit: false } });
  });
  afterAll(async () => {
    await h.close();
  });

  async function snapshot(id: string) {
    const agent = await h.manager.get(id);
    return {
      version: agent.version,
      state: agent.state,
      audit: (await h.manager.audit(id)).length,
      commands: (await h.manager.commands(id)).length,
      revisions: (await h.manager.revisions(id)).length,
    };
  }

  function routesFor(id: string, name: string): [string, string, unknown?, Record<string, string>?][] {
    return [
      ['GET', `/agents/${id}`],
      ['GET', `/agents/${id}?profile=alfe`],
      ['GET', `/agents/${id}/wait?status=running&timeout=0`],
      ['GET', `/agents/${id}/wait?status=stopped&timeout=5`],
      ['GET', `/agents/${id}/events`],
      ['GET', `/agents/${id}/events`, undefined, { 'last-event-id': '1' }],
      ['GET', `/agents/${id}/audit`],
      ['GET', `/agents/${id}/audit?after=0`],
      ['GET', `/agents/${id}/revisions`],
      ['DELETE', `/agents/${id}`, { confirm: name, reason: 'x' }],
      ['DELETE', `/agents/${id}`, { confirm: name }, { 'if-match': '"1"' }],
      ['POST', `/agents/${id}/commands`, { type: 'steal' }],
      ['POST', `/agents/${id}/commands`, { type: 'steal' }, { 'idempotency-key': 'k' }],
      ...ACTIONS.map(
        (action) =>
          ['POST', `/agents/${id}/actions/${action}`, { reason: 'x', confirm: name }] as [
            string,
            string,
            unknown,
          ],
      ),
    ];
  }

  describe.each([
    ['alpha', 'mallory'],
    ['mallory', 'alpha'],
  ])('agents of %s, called by %s', (owner, intruder) => {
    test('every operator route answers 404 AGENT_NOT_FOUND and changes nothing', async () => {
      const managed = await runningAgent(h, owner, `${owner}-managed`);
      const token = (await h.call('POST', '/registration-tokens', { owner, json: {} })).body.token;
      const reg = await h.call('POST', '/agents/register', {
        auth: null,
        json: { registrationToken: token, code: `${owner}-self`, name: `${owner}-self` },
      });
      const selfHosted = reg.body.agentId as string;
      await h.call('POST', `/agents/${selfHosted}/heartbeat`, { auth: `Bearer ${reg.body.agentToken}` });

      for (const [id, name] of [
        [managed.id, managed.name],
        [selfHosted, `${owner}-self`],
      ] as const) {
        const before = await snapshot(id);
        for (const [method, path, json, headers] of routesFor(id, name)) {
          const r = await h.call(method, path, {
            owner: intruder,
            ...(json === undefined ? {} : { json }),
            ...(headers ? { headers } : {}),
          });
          expect(r.status, `${method} ${path}`).toBe(404);
          expect(r.body.code, `${method} ${path}`).toBe('AGENT_NOT_FOUND');
          expect(isProblem(r)).toBe(true);
          expect(r.text).not.toContain(name);
        }
        expect(await snapshot(id)).toEqual(before);
        // The owner still sees it.
        expect((await h.call('GET', `/agents/${id}`, { owner })).status).toBe(200);
      }

      const list = await h.call('GET', '/agents', { owner: intruder });
      expect(list.body.agents.every((a: { owner: string }) => a.owner === intruder)).toBe(true);
      const filtered = await h.call('GET', `/agents?owner=${owner}`, { owner: intruder });
      expect(filtered.body.agents).toEqual([]);
    });
  });

  test('an agent token only works for its own agent', async () => {
    const mk = async (owner: string) => {
      const token = (await h.call('POST', '/registration-tokens', { owner, json: {} })).body.token;
      const r = await h.call('POST', '/agents/register', {
        auth: null,
        json: { registrationToken: token, code: `${owner}-tok` },
      });
      return r.body as { agentId: string; agentToken: string };
    };
    const a = await mk('alpha');
    const b = await mk('mallory');
    await h.call('POST', `/agents/${a.agentId}/heartbeat`, { auth: `Bearer ${a.agentToken}` });
    await h.call('POST', `/agents/${a.agentId}/commands`, { owner: 'alpha', json: { type: 'secret' } });
    const before = await snapshot(a.agentId);
    const auth = `Bearer ${b.agentToken}`;
    for (const [method, path, json] of [
      ['POST', `/agents/${a.agentId}/heartbeat`, undefined],
      ['GET', `/agents/${a.agentId}/commands`, undefined],
      ['POST', `/agents/${a.agentId}/commands/cmd_x/result`, { ok: true }],
    ] as const) {
      const r = await h.call(method, path, { auth, ...(json ? { json } : {}) });
      expect(r.status, `${method} ${path}`).toBe(401);
    }
    expect(await snapshot(a.agentId)).toEqual(before);
    expect((await h.manager.commands(a.agentId))[0]!.status).toBe('pending');
  });

  test('no internal error was reported', () => {
    expect(h.internalErrors).toEqual([]);
  });
}
