/**
 * Fuzz every mutating route with fast-check bodies (anything, JSON, huge, deep, prototype
 * keys, wrong content types): never a 5xx, every 4xx is problem+json, and a refused request
 * changes no agent. Poisoned bodies (a valid body plus an unknown or privileged key) must all
 * be refused. Fixed seed; fast-check prints the seed and the counterexample on failure.
 *
 * Shared by every binding (see harness.ts): `fuzzCases(binding)`.
 */
import { ACTIONS } from '@berth/core';
import fc from 'fast-check';
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
export function fuzzCases(binding: BindingUnderTest): void {
  const test = caseTest(binding);
  const startHarness = (options?: HarnessOptions) => startBindingHarness(binding, options);

  const SEED = 0x6b657274;
  const RUNS = 200;

  let h: Harness;
  let managedId = '';
  let selfId = '';
  let selfToken = '';
  let commandId = '';

  beforeAll(async () => {
    h = await startHarness({ router: { registerRateLimit: false, bodyLimit: '8kb' } });
    const managed = await runningAgent(h, 'acme', 'fuzz-target');
    managedId = managed.id;
    const token = (await h.call('POST', '/registration-tokens', { json: {} })).body.token;
    const reg = await h.call('POST', '/agents/register', {
      auth: null,
      json: { registrationToken: token, code: 'fuzz-self' },
    });
    selfId = reg.body.agentId;
    selfToken = reg.body.agentToken;
    await h.call('POST', `/agents/${selfId}/heartbeat`, { auth: `Bearer ${selfToken}` });
    await h.call('POST', `/agents/${selfId}/commands`, { json: { type: 'fuzz' } });
    commandId = (await h.call('GET', `/agents/${selfId}/commands`, { auth: `Bearer ${selfToken}` })).body
      .commands[0].id;
  });
  afterAll(async () => {
    await h.close();
  });

  /** Everything observable about the agents that a mutation could change. */
  async function world() {
    const agents = await h.manager.list();
    return Promise.all(
      agents.map(async (a) => ({
        id: a.id,
        version: a.version,
        state: a.state,
        accepted: (await h.manager.audit(a.id)).filter((e) => !e.denied).length,
        commands: (await h.manager.commands(a.id)).map((c) => `${c.id}:${c.status}`).join(','),
      })),
    );
  }

  function toRaw(value: unknown): string {
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      return String(value);
    }
  }

  const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
  const PRIVILEGED_KEYS = ['status', 'version', 'id', 'state', 'kind', 'operation', 'deletedAt'];

  const deep = fc
    .tuple(fc.integer({ min: 1, max: 3000 }), fc.constantFrom('[', '{"a":'))
    .map(([n, open]) =>
      open === '[' ? '['.repeat(n) + ']'.repeat(n) : open.repeat(n) + '1' + '}'.repeat(n),
    );

  const protoObject = fc
    .tuple(fc.constantFrom(...PROTO_KEYS, ...PRIVILEGED_KEYS), fc.json({ maxDepth: 2 }), fc.boolean())
    .map(([key, value, nested]) =>
      nested
        ? `{"config":{"x":{${JSON.stringify(key)}:${value}}},"name":"n","type":"t"}`
        : `{${JSON.stringify(key)}:${value}}`,
    );

  const body = fc.oneof(
    fc.anything({ maxDepth: 4 }).map(toRaw),
    fc.json({ maxDepth: 5 }),
    fc.string({ maxLength: 200 }),
    fc.integer({ min: 9_000, max: 30_000 }).map((n) => JSON.stringify({ name: 'x'.repeat(n) })),
    deep,
    protoObject,
  );

  const contentType = fc.constantFrom(
    'application/json',
    'application/json',
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/json; charset=latin1',
    undefined,
  );

  interface Route {
    readonly name: string;
    readonly method: string;
    /** The path; `n` picks a variant (the action) deterministically from the fuzzer. */
    readonly path: (n: number) => string;
    readonly auth: () => string | null;
    /** A body this route accepts, to poison with an extra key. */
    readonly valid: () => Record<string, unknown>;
  }

  const operator = () => 'Bearer op:acme';
  const agentAuth = () => `Bearer ${selfToken}`;
  const ROUTES: Route[] = [
    {
      name: 'POST /agents',
      method: 'POST',
      path: () => '/agents',
      auth: operator,
      valid: () => ({ name: 'fz' }),
    },
    {
      name: 'POST /agents/:id/actions/:action',
      method: 'POST',
      path: (n) => `/agents/${managedId}/actions/${ACTIONS[n % ACTIONS.length]}`,
      auth: operator,
      valid: () => ({ reason: 'r' }),
    },
    {
      name: 'DELETE /agents/:id',
      method: 'DELETE',
      path: () => `/agents/${managedId}`,
      auth: operator,
      valid: () => ({ confirm: 'nope' }),
    },
    {
      name: 'POST /registration-tokens',
      method: 'POST',
      path: () => '/registration-tokens',
      auth: operator,
      valid: () => ({}),
    },
    {
      name: 'POST /agents/:id/commands',
      method: 'POST',
      path: () => `/agents/${selfId}/commands`,
      auth: operator,
      valid: () => ({ type: 't' }),
    },
    {
      name: 'POST /agents/register',
      method: 'POST',
      path: () => '/agents/register',
      auth: () => null,
      valid: () => ({ registrationToken: 'brg_x', code: 'c' }),
    },
    {
      name: 'POST /agents/:id/heartbeat',
      method: 'POST',
      path: () => `/agents/${selfId}/heartbeat`,
      auth: agentAuth,
      valid: () => ({}),
    },
    {
      name: 'POST /agents/:id/commands/:commandId/result',
      method: 'POST',
      path: () => `/agents/${selfId}/commands/${commandId}/result`,
      auth: agentAuth,
      valid: () => ({ ok: true }),
    },
  ];

  async function send(route: Route, n: number, raw: string, type: string | undefined, key?: string) {
    const headers: Record<string, string> = {};
    if (type !== undefined) headers['content-type'] = type;
    if (key !== undefined) headers['idempotency-key'] = key;
    return h.call(route.method, route.path(n), { auth: route.auth(), raw, headers });
  }

  describe.each(ROUTES)('$name', (route) => {
    test('arbitrary bodies: never a 5xx, 4xx are problems, refusals change nothing', async () => {
      await fc.assert(
        fc.asyncProperty(
          body,
          contentType,
          fc.option(fc.string({ minLength: 1, maxLength: 20 })),
          fc.nat(),
          async (raw, type, key, n) => {
            const before = await world();
            const r = await send(route, n, raw, type, key ?? undefined);
            expect(r.status, r.text).toBeLessThan(500);
            if (r.status >= 400) {
              expect(isProblem(r), r.text).toBe(true);
              expect(await world()).toEqual(before);
            }
          },
        ),
        { seed: SEED, numRuns: RUNS },
      );
      expect(h.internalErrors).toEqual([]);
    });

    test('poisoned bodies (a valid body plus an unknown, privileged or prototype key) are refused', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...PROTO_KEYS, ...PRIVILEGED_KEYS, 'owner', 'zzz'),
          fc.json({ maxDepth: 2 }),
          fc.nat(),
          async (key, value, n) => {
            // `owner` is legitimate on create / registration tokens for an unscoped caller only; acme is scoped.
            if (key === 'owner' && !['POST /agents', 'POST /registration-tokens'].includes(route.name))
              return;
            const valid = route.valid();
            if (key === 'owner') Object.assign(valid, { owner: 'someone-else' });
            const raw =
              key === 'owner'
                ? JSON.stringify(valid)
                : `${JSON.stringify(valid).slice(0, -1)}${Object.keys(valid).length > 0 ? ',' : ''}${JSON.stringify(key)}:${value}}`;
            const before = await world();
            const r = await send(route, n, raw, 'application/json');
            expect([400, 401].includes(r.status), `${raw} → ${r.status} ${r.text}`).toBe(true);
            expect(isProblem(r)).toBe(true);
            if (r.status === 400) expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(key);
            expect(await world()).toEqual(before);
          },
        ),
        { seed: SEED, numRuns: RUNS },
      );
    });
  });

  test('arbitrary path segments and queries on every route: never a 5xx, always a problem when refused', async () => {
    const segment = fc.oneof(
      fc.string({ maxLength: 120 }).map(encodeURIComponent),
      fc.constantFrom('%', '%E0%A4%A', '%00', '..', '%2F', 'agt_', '__proto__', 'constructor', '%ZZ'),
    );
    const query = fc.oneof(
      fc.constant(''),
      fc
        .array(
          fc.tuple(
            fc.constantFrom('status', 'timeout', 'after', 'limit', 'owner', 'profile', 'x'),
            fc.string({ maxLength: 20 }),
          ),
        )
        .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`),
      fc.constantFrom(
        '?status=running&status=paused',
        '?timeout=1e309',
        '?after=-0',
        '?limit=%',
        '?profile[x]=1',
      ),
    );
    const templates: [string, (s: string) => string][] = [
      ['GET', (s: string) => `/agents/${s}`],
      ['GET', (s: string) => `/agents/${s}/audit`],
      ['GET', (s: string) => `/agents/${s}/revisions`],
      ['GET', (s: string) => `/agents/${s}/wait`],
      ['POST', (s: string) => `/agents/${s}/actions/${s}`],
      ['POST', (s: string) => `/agents/${managedId}/actions/${s}`],
      ['DELETE', (s: string) => `/agents/${s}`],
      ['POST', (s: string) => `/agents/${s}/commands`],
      ['GET', (s: string) => `/agents/${s}/commands`],
      ['POST', (s: string) => `/agents/${s}/heartbeat`],
      ['POST', (s: string) => `/agents/${selfId}/commands/${s}/result`],
    ];
    const template = fc.constantFrom(...templates);
    await fc.assert(
      fc.asyncProperty(template, segment, query, fc.boolean(), async ([method, path], s, q, agent) => {
        const before = await world();
        const auth = agent ? `Bearer ${selfToken}` : 'Bearer op:acme';
        const r = await h.call(method, path(s) + (method === 'GET' ? q : ''), { auth });
        expect(r.status, `${method} ${path(s)}${q} → ${r.text}`).toBeLessThan(500);
        if (r.status >= 400) {
          expect(isProblem(r), r.text).toBe(true);
          expect(await world()).toEqual(before);
        }
      }),
      { seed: SEED, numRuns: RUNS * 2 },
    );
    expect(h.internalErrors).toEqual([]);
  });

  test('Object.prototype was never polluted', () => {
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
}
