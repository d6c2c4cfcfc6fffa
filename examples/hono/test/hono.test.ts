/**
 * examples/hono: the fetch binding mounted in a real Hono app under `@hono/node-server`, on a
 * real socket. The shared HTTP case suites (packages/core/test/http-cases) run against it —
 * the operator API, Server-Sent Events, BOLA and the hardened edge — and the app's own route
 * still answers beside the mount.
 */
import { createLifecycleManager } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bolaCases } from '../../../packages/core/test/http-cases/bola.case.js';
import { edgeCases } from '../../../packages/core/test/http-cases/edge.case.js';
import type { BindingUnderTest } from '../../../packages/core/test/http-cases/harness.js';
import { operatorApiCases } from '../../../packages/core/test/http-cases/operator-api.case.js';
import { sseCases } from '../../../packages/core/test/http-cases/sse.case.js';
import { createApp, keyAuthenticator, type Served, serveApp } from '../src/app.js';

const honoBinding: BindingUnderTest = {
  name: 'hono',
  async listen(manager, { authenticate, onError, edge, ...options }) {
    const app = createApp(manager, {
      ...options,
      ...(authenticate
        ? { authenticate: (req) => authenticate(req.headers.get('authorization') ?? undefined) }
        : {}),
      ...(onError ? { onError: (e) => onError(e) } : {}),
    });
    const served = await serveApp(app, { edge: edge ?? {} });
    return { url: `${served.url}/api`, close: () => served.close() };
  },
};

describe('operator API', () => operatorApiCases(honoBinding));
describe('SSE', () => sseCases(honoBinding));
describe('BOLA', () => bolaCases(honoBinding));
describe('edge', () => edgeCases(honoBinding));

describe('the example app', () => {
  const manager = createLifecycleManager({ driver: createMemoryDriver({ latency: 0 }) });
  let served: Served;
  beforeAll(async () => {
    const app = createApp(manager, { authenticate: keyAuthenticator(new Map([['k-acme', 'acme']])) });
    served = await serveApp(app);
  });
  afterAll(async () => {
    await served.close();
    await manager.close();
  });

  test('its own route answers beside the mount; /api is Berth with operator keys', async () => {
    const home = await fetch(`${served.url}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toMatch(/Berth on Hono/);
    const refused = await fetch(`${served.url}/api/agents`, { headers: { authorization: 'Bearer nope' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const created = await fetch(`${served.url}/api/agents`, {
      method: 'POST',
      headers: { authorization: 'Bearer k-acme', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'on-hono' }),
    });
    expect(created.status).toBe(201);
    const agent = (await created.json()) as { id: string; owner: string };
    expect(agent.owner).toBe('acme');
    const doc = await fetch(`${served.url}/api/openapi.json`);
    expect(((await doc.json()) as { openapi: string }).openapi).toMatch(/^3\.1/);
    const outside = await fetch(`${served.url}/elsewhere`);
    expect(outside.status).toBe(404);
  });
});
