/**
 * `@berth/core/http` without any framework: plain requests in, plain responses out, over a
 * real manager (self-hosted agents: no driver needed).
 */
import { createLifecycleManager, type LifecycleManager } from '@berth/core';
import {
  type BerthIdentity,
  buildOpenApiDocument,
  createBerthHandler,
  type HttpRequest,
  type HttpResponse,
  matchRoute,
  ROUTES,
} from '@berth/core/http';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';

type Native = { readonly auth?: string };

let manager: LifecycleManager;
beforeEach(() => {
  manager = createLifecycleManager();
});
afterEach(async () => {
  await manager.close();
});

const authenticate = (req: Native): BerthIdentity | null =>
  req.auth?.startsWith('op:') ? { actor: `user:${req.auth.slice(3)}`, owner: req.auth.slice(3) } : null;

function request(
  method: string,
  path: string,
  init: {
    body?: unknown;
    headers?: Record<string, string>;
    query?: Record<string, string>;
    auth?: string;
  } = {},
): HttpRequest<Native> {
  return {
    method,
    path,
    query: init.query ?? {},
    headers: init.headers ?? {},
    body: init.body,
    signal: new AbortController().signal,
    native: { auth: init.auth ?? 'op:acme' },
  };
}

const json = (r: HttpResponse) => {
  if (r.kind !== 'json') throw new Error(`expected json, got ${r.kind}`);
  return r;
};

describe('createBerthHandler', () => {
  test('a self-hosted agent end to end: token, register, heartbeat, list, get with ETag', async () => {
    const h = createBerthHandler<Native>(manager, { authenticate });
    const token = json(await h.handle(request('POST', '/registration-tokens', { body: {} })));
    expect(token.status).toBe(201);
    const token2 = (token.body as { token: string }).token;
    const reg = json(
      await h.handle(
        request('POST', '/agents/register', { body: { registrationToken: token2, code: 'box' } }),
      ),
    );
    expect(reg.status).toBe(201);
    const { agentId, agentToken } = reg.body as { agentId: string; agentToken: string };
    const beat = await h.handle(
      request('POST', `/agents/${agentId}/heartbeat`, { headers: { authorization: `Bearer ${agentToken}` } }),
    );
    expect(beat).toEqual({ kind: 'empty', status: 204, headers: {} });
    const list = json(await h.handle(request('GET', '/agents')));
    expect((list.body as { agents: { id: string }[] }).agents.map((a) => a.id)).toEqual([agentId]);
    const one = json(await h.handle(request('GET', `/agents/${agentId}`)));
    expect(one.headers.ETag).toBe(`"${(one.body as { version: number }).version}"`);
    const foreign = json(await h.handle(request('GET', `/agents/${agentId}`, { auth: 'op:other' })));
    expect([foreign.status, (foreign.body as { code: string }).code]).toEqual([404, 'AGENT_NOT_FOUND']);
  });

  test('errors are problem responses; unknown routes 404 with the mount in the detail', async () => {
    const errors: Error[] = [];
    const h = createBerthHandler<Native>(manager, {
      authenticate: (req) => {
        if (req.auth === 'boom') throw new Error('secret internals');
        return authenticate(req);
      },
      onError: (e) => errors.push(e),
    });
    const unauth = json(await h.handle(request('GET', '/agents', { auth: 'nope' })));
    expect(unauth.status).toBe(401);
    expect(unauth.headers).toEqual({
      'Content-Type': 'application/problem+json',
      'WWW-Authenticate': 'Bearer',
    });
    const boom = json(await h.handle(request('GET', '/agents', { auth: 'boom' })));
    expect(boom.status).toBe(500);
    expect(JSON.stringify(boom.body)).not.toContain('secret internals');
    expect(errors.map((e) => e.message)).toEqual(['secret internals']);
    const missing = json(await h.handle({ ...request('GET', '/nowhere'), mount: '/api' }));
    expect(missing.status).toBe(404);
    expect((missing.body as { detail: string }).detail).toBe('no route for GET /api/nowhere');
    const invalid = json(await h.handle(request('GET', '/agents', { query: { status: 'nope' } })));
    expect((invalid.body as { errors: { path: string }[] }).errors[0]?.path).toBe('status');
  });

  test('an Idempotency-Key replays the stored response once, marked as replayed', async () => {
    const h = createBerthHandler<Native>(manager, { authenticate });
    const call = () =>
      h.handle(
        request('POST', '/agents/x/commands', { body: { type: 't' }, headers: { 'idempotency-key': 'k' } }),
      );
    // Unknown agent: refused, not stored, so the same key runs again (and is refused again).
    expect(json(await call()).status).toBe(404);
    expect(json(await call()).status).toBe(404);
    const first = json(
      await h.handle(request('GET', '/openapi.json', { headers: { 'idempotency-key': 'k' } })),
    );
    expect(first.headers['Idempotent-Replayed']).toBeUndefined();
  });

  test('the route table is what the OpenAPI document lists, and every route matches its own path', () => {
    const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, { operationId: string }>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`),
    );
    expect(documented.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path} ${r.operationId}`).sort());
    for (const route of ROUTES) {
      const path = route.path.replace(/\{(\w+)\}/g, 'v_$1');
      const match = matchRoute(route.method, path);
      // `/agents/register` is its own route, not an agent id.
      expect(match?.route.operationId, `${route.method} ${path}`).toBe(route.operationId);
    }
    expect(() => matchRoute('GET', '/agents/%E0%A4%A')).toThrow(/malformed/);
  });
});
