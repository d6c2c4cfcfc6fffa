/**
 * Issue 13's promises over HTTP, through a real listening server: credentials in the 201 of
 * create and the 202 of recreate (never on a read, never replayed), spec fields on the
 * resource, a field an action does not take is a 400 naming it, and `GET /agents/:id/explain`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, isProblem, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('credentials and spec fields over HTTP', () => {
  test('the 201 carries credentials and the spec; reads do not; recreate answers new ones once', async () => {
    const created = await h.call('POST', '/agents', {
      json: { name: 'http-cred', runtime: 'python', region: 'us-east', size: 'small' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      runtime: 'python',
      region: 'us-east',
      size: 'small',
      endpoints: [],
      credentials: {
        username: expect.any(String),
        password: expect.any(String),
        runtimeToken: expect.stringMatching(/^bat_/),
      },
    });
    const { id, credentials } = created.body;
    await h.manager.waitFor(id, 'running', { timeout: 10_000 });
    const read = await h.call('GET', `/agents/${id}`);
    expect(read.body).toMatchObject({ runtime: 'python', region: 'us-east', size: 'small' });
    expect(read.body).not.toHaveProperty('credentials');
    const listed = await h.call('GET', '/agents');
    expect(listed.text).not.toContain(credentials.password);

    // The runtime token is the agent's bearer token for the agent API.
    const beat = await h.call('POST', `/agents/${id}/heartbeat`, {
      auth: `Bearer ${credentials.runtimeToken}`,
    });
    expect(beat.status).toBe(204);

    const key = { 'idempotency-key': 'recreate-1' };
    const body = { confirm: 'http-cred', size: 'large' };
    const recreated = await h.call('POST', `/agents/${id}/actions/recreate`, { json: body, headers: key });
    expect(recreated.status).toBe(202);
    expect(recreated.body.agent.size).toBe('large');
    expect(recreated.body.credentials.password).not.toBe(credentials.password);
    const replay = await h.call('POST', `/agents/${id}/actions/recreate`, { json: body, headers: key });
    expect([replay.status, replay.body.code]).toEqual([409, 'SECRET_ALREADY_SHOWN']);
    expect(replay.text).not.toContain(recreated.body.credentials.password);

    await h.manager.waitFor(id, 'running', { timeout: 10_000 });
    const old = await h.call('POST', `/agents/${id}/heartbeat`, {
      auth: `Bearer ${credentials.runtimeToken}`,
    });
    expect(old.status).toBe(401);
  });

  test('a field the action does not take is a 400 naming it, and changes nothing', async () => {
    const created = await h.call('POST', '/agents', { json: { name: 'http-fields' } });
    await h.manager.waitFor(created.body.id, 'running', { timeout: 10_000 });
    const before = await h.manager.get(created.body.id);
    const r = await h.call('POST', `/agents/${created.body.id}/actions/restart`, { json: { size: 'xl' } });
    expect(r.status).toBe(400);
    expect(isProblem(r)).toBe(true);
    expect(r.body.code).toBe('VALIDATION_FAILED');
    expect(r.body.errors).toEqual([
      { path: 'size', message: expect.stringContaining('restart does not take size') },
    ]);
    const after = await h.manager.get(created.body.id);
    expect([after.version, after.status]).toEqual([before.version, 'running']);
  });
});

describe('GET /agents/:id/explain', () => {
  test('answers the status, since when, a summary and the causes', async () => {
    const created = await h.call('POST', '/agents', { json: { name: 'http-why' } });
    const id = created.body.id;
    await h.manager.waitFor(id, 'running', { timeout: 10_000 });
    await h.call('POST', `/agents/${id}/actions/pause`, { json: { reason: 'maintenance window' } });
    const r = await h.call('GET', `/agents/${id}/explain`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      status: 'paused',
      since: expect.stringMatching(/Z$/),
      summary: expect.stringMatching(
        /^paused since \d\d:\d\d: pause by user:acme, running → paused: maintenance window$/,
      ),
      causes: [
        {
          at: r.body.since,
          kind: 'transition',
          detail: 'pause by user:acme, running → paused: maintenance window',
        },
      ],
    });
  });

  test('another owner’s agent is 404, an unknown one too', async () => {
    const created = await h.call('POST', '/agents', { json: { name: 'http-why-2' } });
    const other = await h.call('GET', `/agents/${created.body.id}/explain`, { owner: 'other' });
    expect([other.status, other.body.code]).toEqual([404, 'AGENT_NOT_FOUND']);
    const missing = await h.call('GET', '/agents/agt_missing/explain');
    expect(missing.status).toBe(404);
  });
});

describe('preconditions and releases over HTTP', () => {
  test('409 PRECONDITION_FAILED names the reason; 422 RELEASE_NOT_FOUND; the denial is in actions', async () => {
    let priceBook = true;
    const m = await startHarness({
      manager: {
        preconditions: {
          update: [
            {
              name: 'modelPriceBook',
              check: () => (priceBook ? true : { reason: 'MODEL_PRICE_BOOK_MISSING' }),
            },
          ],
        },
        resolveRelease: (release) => (release === 'v2' ? { image: 'exo/runtime:2' } : null),
      },
    });
    try {
      const created = await m.call('POST', '/agents', { json: { name: 'http-pre' } });
      const id = created.body.id;
      await m.manager.waitFor(id, 'running', { timeout: 10_000 });
      const unknown = await m.call('POST', `/agents/${id}/actions/update`, { json: { release: 'v9' } });
      expect([unknown.status, unknown.body.code]).toEqual([422, 'RELEASE_NOT_FOUND']);
      expect(isProblem(unknown)).toBe(true);

      priceBook = false;
      const refused = await m.call('POST', `/agents/${id}/actions/update`, { json: { release: 'v2' } });
      expect(refused.status).toBe(409);
      expect(isProblem(refused)).toBe(true);
      expect(refused.body).toMatchObject({ code: 'PRECONDITION_FAILED', reason: 'MODEL_PRICE_BOOK_MISSING' });
      const agent = await m.call('GET', `/agents/${id}`);
      expect(agent.body.availableActions).not.toContain('update');
      expect(agent.body.actions).toContainEqual({
        action: 'update',
        allowed: false,
        denial: expect.objectContaining({ code: 'PRECONDITION_FAILED', reason: 'MODEL_PRICE_BOOK_MISSING' }),
      });

      priceBook = true;
      const ok = await m.call('POST', `/agents/${id}/actions/update`, { json: { release: 'v2' } });
      expect(ok.status).toBe(202);
      expect(ok.body.agent.image).toBe('exo/runtime:2');
    } finally {
      await m.close();
    }
  });
});
