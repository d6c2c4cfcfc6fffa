/**
 * The hardened edge, the same in every binding: authentication before the body is read (a
 * slow unauthenticated body gets its 401 at once and the connection closes), problem+json
 * from the server's `clientError` (431 for oversized headers, 400 for a malformed request,
 * 408 for a body that does not arrive in time), strict numeric queries, prototype keys refused
 * anywhere in a body, and failed operator authentication rate-limited per client.
 *
 * Shared by every binding (see harness.ts): `edgeCases(binding)`.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  type BindingUnderTest,
  caseTest,
  type Harness,
  type HarnessOptions,
  isProblem,
  runningAgent,
  startBindingHarness,
} from './harness.js';

interface RawAnswer {
  readonly status: number;
  readonly head: string;
  readonly body: string;
  /** Milliseconds from the first byte sent to the first byte answered. */
  readonly answeredAfterMs: number;
  /** Milliseconds until the server closed the connection, or null if it stayed open 3 s. */
  readonly closedAfterMs: number | null;
}

/** Send `head` (and `drip` one byte every 500 ms for as long as the socket is open) over a raw socket. */
function raw(url: string, head: string, drip = false): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let answeredAfterMs = -1;
    let text = '';
    const socket = connect(Number(port), hostname, () => socket.write(head));
    const dripper = drip ? setInterval(() => socket.writable && socket.write(' '), 500) : undefined;
    const finish = (closedAfterMs: number | null) => {
      clearInterval(dripper);
      clearTimeout(giveUp);
      socket.destroy();
      const [headPart = '', body = ''] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headPart)?.[1] ?? 0);
      resolve({ status, head: headPart, body, answeredAfterMs, closedAfterMs });
    };
    const giveUp = setTimeout(() => finish(null), answeredAfterMs < 0 ? 6_000 : 3_000);
    socket.on('data', (chunk) => {
      if (answeredAfterMs < 0) answeredAfterMs = Date.now() - started;
      text += chunk.toString('utf8');
    });
    socket.on('close', () => finish(Date.now() - started));
    socket.on('error', (error) => (text === '' ? reject(error) : undefined));
  });
}

/** The problem in a raw body (chunked or not). */
const problemOf = (answer: RawAnswer) =>
  JSON.parse(answer.body.slice(answer.body.indexOf('{'), answer.body.lastIndexOf('}') + 1)) as {
    code: string;
    status: number;
  };

/** Register these cases for `binding`. */
export function edgeCases(binding: BindingUnderTest): void {
  const test = caseTest(binding);
  const startHarness = (options?: HarnessOptions) => startBindingHarness(binding, options);

  let h: Harness;
  let path = '';
  beforeAll(async () => {
    h = await startHarness({
      router: { registerRateLimit: false, authFailureLimit: false, edge: { bodyTimeoutSeconds: 1 } },
    });
    path = new URL(h.url).pathname;
  });
  afterAll(async () => {
    await h.close();
  });

  test('a slow unauthenticated body gets 401 at once, and the connection is closed', async () => {
    const answer = await raw(
      h.url,
      `POST ${path}/agents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`,
      true,
    );
    expect(answer.status).toBe(401);
    expect(answer.answeredAfterMs).toBeLessThan(900);
    expect(answer.closedAfterMs).not.toBeNull();
    expect(problemOf(answer).code).toBe('UNAUTHORIZED');
    expect(await h.manager.list()).toEqual([]);
  });

  test('an authenticated body that does not arrive in time: 408 REQUEST_TIMEOUT as a problem', async () => {
    const answer = await raw(
      h.url,
      `POST ${path}/agents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer op:acme\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`,
      true,
    );
    expect(answer.status).toBe(408);
    expect(answer.head).toMatch(/content-type: application\/problem\+json/i);
    expect(problemOf(answer)).toMatchObject({ code: 'REQUEST_TIMEOUT', status: 408 });
    expect(answer.closedAfterMs).not.toBeNull();
    expect(await h.manager.list()).toEqual([]);
  });

  test('oversized headers: 431 HEADERS_TOO_LARGE as a problem', async () => {
    const answer = await raw(
      h.url,
      `GET ${path}/agents HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(answer.status).toBe(431);
    expect(answer.head).toMatch(/content-type: application\/problem\+json/i);
    expect(problemOf(answer)).toMatchObject({ code: 'HEADERS_TOO_LARGE', status: 431 });
  });

  test('a malformed request: 400 VALIDATION_FAILED as a problem', async () => {
    const answer = await raw(h.url, 'GET /\u0001 nonsense\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(answer.head).toMatch(/content-type: application\/problem\+json/i);
    expect(problemOf(answer)).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
  });

  test('numeric queries are strict: empty, hex, exponent, fraction, sign or out of range → 400 naming it', async () => {
    const agent = await runningAgent(h, 'acme', 'edge-query');
    for (const bad of ['', '0x1', '1e1', '1.5', '+1', '-1', '86401', ' 1']) {
      const r = await h.call(
        'GET',
        `/agents/${agent.id}/wait?status=running&timeout=${encodeURIComponent(bad)}`,
      );
      expect(r.status, `timeout=${bad}`).toBe(400);
      expect(isProblem(r)).toBe(true);
      expect(r.body.code).toBe('VALIDATION_FAILED');
      expect(r.body.errors.map((e: { path: string }) => e.path)).toContain('timeout');
    }
    for (const bad of ['', '0x10', '1.0']) {
      const r = await h.call('GET', `/agents/${agent.id}/audit?limit=${bad}`);
      expect(r.status, `limit=${bad}`).toBe(400);
      expect(r.body.errors.map((e: { path: string }) => e.path)).toContain('limit');
    }
    const ok = await h.call('GET', `/agents/${agent.id}/wait?status=running&timeout=0`);
    expect(ok.status).toBe(200);
  });

  test('__proto__, constructor and prototype are refused anywhere in a body (400 naming the path, nothing written)', async () => {
    const agent = await runningAgent(h, 'acme', 'edge-proto');
    const before = {
      agents: (await h.manager.list()).length,
      version: (await h.manager.get(agent.id)).version,
    };
    const cases: [string, string, string, string][] = [
      ['POST', '/agents', '{"name":"p1","config":{"__proto__":{"admin":true}}}', 'config.__proto__'],
      ['POST', '/agents', '{"name":"p2","config":{"a":[{"constructor":{"x":1}}]}}', 'config.a.0.constructor'],
      ['POST', `/agents/${agent.id}/commands`, '{"type":"t","payload":{"prototype":1}}', 'payload.prototype'],
      ['POST', `/agents/${agent.id}/actions/stop`, '{"reason":"r","constructor":1}', 'constructor'],
    ];
    for (const [method, p, raw, at] of cases) {
      const r = await h.call(method, p, { raw, headers: { 'content-type': 'application/json' } });
      expect(r.status, `${p} ${raw}`).toBe(400);
      expect(r.body.code).toBe('VALIDATION_FAILED');
      expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(at);
    }
    expect((await h.manager.list()).length).toBe(before.agents);
    expect((await h.manager.get(agent.id)).version).toBe(before.version);
    expect(await h.manager.commands(agent.id)).toEqual([]);
  });

  test('failed operator authentication is rate-limited per client: 429 RATE_LIMITED with Retry-After', async () => {
    const limited = await startHarness({ router: { authFailureLimit: { limit: 3, windowMs: 60_000 } } });
    try {
      for (let i = 0; i < 3; i++) {
        const r = await limited.call('GET', '/agents', { auth: `Bearer guess-${i}` });
        expect(r.status).toBe(401);
      }
      for (const auth of ['Bearer guess-4', 'Bearer op:acme']) {
        const r = await limited.call('GET', '/agents', { auth });
        expect(r.status, auth).toBe(429);
        expect(isProblem(r)).toBe(true);
        expect(r.body.code).toBe('RATE_LIMITED');
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      }
      // Agent tokens are not operator credentials: the agent API is unaffected.
      const poll = await limited.call('GET', '/agents/agt_x/commands', { auth: 'Bearer nope' });
      expect(poll.status).toBe(401);
    } finally {
      await limited.close();
    }
  });
}
