/** Races through real HTTP: one winner per decision, one audit entry, each command handed out once. */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, runningAgent, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ router: { registerRateLimit: false } });
});
afterAll(async () => {
  await h.close();
});

test('20 concurrent stops on one running agent: exactly one 202, the rest 409, one audit entry', async () => {
  const agent = await runningAgent(h, 'acme', 'racer');
  const results = await Promise.all(
    Array.from({ length: 20 }, () =>
      h.call('POST', `/agents/${agent.id}/actions/stop`, { json: { reason: 'race' } }),
    ),
  );
  const statuses = results.map((r) => r.status).sort();
  expect(statuses.filter((s) => s === 202)).toHaveLength(1);
  expect(statuses.filter((s) => s === 409)).toHaveLength(19);
  for (const r of results.filter((x) => x.status === 409))
    expect(['OPERATION_IN_PROGRESS', 'ILLEGAL_TRANSITION', 'VERSION_CONFLICT']).toContain(r.body.code);
  const audit = await h.manager.audit(agent.id);
  expect(audit.filter((e) => e.action === 'stop' && !e.denied)).toHaveLength(1);
});

test('N concurrent registrations with one token: one 201', async () => {
  const token = (await h.call('POST', '/registration-tokens', { json: {} })).body.token as string;
  const results = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      h.call('POST', '/agents/register', {
        auth: null,
        json: { registrationToken: token, code: `racer-${i}` },
      }),
    ),
  );
  expect(results.filter((r) => r.status === 201)).toHaveLength(1);
  for (const r of results.filter((x) => x.status !== 201)) {
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('REGISTRATION_TOKEN_INVALID');
  }
  expect(
    (await h.manager.list({ owner: 'acme' })).filter(
      (a) => a.name.startsWith('racer-') || a.kind === 'self_hosted',
    ),
  ).toHaveLength(1);
});

test('concurrent pollers: each command is handed out exactly once', async () => {
  const token = (await h.call('POST', '/registration-tokens', { json: {} })).body.token as string;
  const reg = await h.call('POST', '/agents/register', {
    auth: null,
    json: { registrationToken: token, code: 'poller' },
  });
  const auth = `Bearer ${reg.body.agentToken}`;
  const id = reg.body.agentId as string;
  await h.call('POST', `/agents/${id}/heartbeat`, { auth });
  const enqueued: string[] = [];
  for (let i = 0; i < 30; i++)
    enqueued.push(
      (await h.call('POST', `/agents/${id}/commands`, { json: { type: `c${i}` } })).body.command.id,
    );

  const poller = async () => {
    const got: string[] = [];
    for (;;) {
      const r = await h.call('GET', `/agents/${id}/commands?limit=3`, { auth });
      expect(r.status).toBe(200);
      if (r.body.commands.length === 0) return got;
      got.push(...r.body.commands.map((c: { id: string }) => c.id));
    }
  };
  const batches = await Promise.all(Array.from({ length: 6 }, poller));
  const all = batches.flat();
  expect(all).toHaveLength(30);
  expect(new Set(all)).toEqual(new Set(enqueued));
});

test('no internal error was reported', () => {
  expect(h.internalErrors).toEqual([]);
});
