/**
 * Golden HTTP traces: for every route and every error the router can answer, the status, the
 * headers that carry meaning (content-type, ETag, Location, Retry-After, rate-limit,
 * WWW-Authenticate, Idempotent-Replayed, SSE headers) and the body, with ids, secrets and times
 * normalised — plus the whole OpenAPI document. Recorded against the Express router before the
 * HTTP layer moved to `@berth/core/http`; they must not change when the code moves.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CallInit, type CallResult, type Harness, startHarness } from './harness.js';

const HEADERS = [
  'content-type',
  'etag',
  'location',
  'retry-after',
  'idempotent-replayed',
  'www-authenticate',
  'ratelimit',
  'ratelimit-policy',
  'cache-control',
];

/** Replaces ids, tokens and times by stable placeholders (numbered by first appearance). */
class Normaliser {
  private readonly seen = new Map<string, string>();
  private readonly counts = new Map<string, number>();

  string(value: string): string {
    return (
      value
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, '<time>')
        .replace(/\b([a-z]{2,6})_(?=[A-Za-z0-9_-]*[0-9A-Z])([A-Za-z0-9_-]{8,})/g, (whole, prefix: string) => {
          let name = this.seen.get(whole);
          if (name === undefined) {
            const n = (this.counts.get(prefix) ?? 0) + 1;
            this.counts.set(prefix, n);
            name = `<${prefix}#${n}>`;
            this.seen.set(whole, name);
          }
          return name;
        })
        // Audit hashes cover the random ids: numbered too, so the chain's links stay visible.
        .replace(/^[0-9a-f]{64}$/, (whole) => {
          let name = this.seen.get(whole);
          if (name === undefined) {
            const n = (this.counts.get('hash') ?? 0) + 1;
            this.counts.set('hash', n);
            name = `<hash#${n}>`;
            this.seen.set(whole, name);
          }
          return name;
        })
        .replace(/\bt=\d+/g, 't=<s>')
        // Express's own weak ETag of a JSON body (its hash covers normalised-away ids).
        .replace(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]+"$/, 'W/"<express>"')
    );
  }

  /** A random value known by its field (credentials' username and password), numbered. */
  private named(field: string, whole: string): string {
    let name = this.seen.get(whole);
    if (name === undefined) {
      const n = (this.counts.get(field) ?? 0) + 1;
      this.counts.set(field, n);
      name = `<${field}#${n}>`;
      this.seen.set(whole, name);
    }
    return name;
  }

  value(value: unknown, key?: string): unknown {
    if (typeof value === 'string')
      return key === 'username' || key === 'password' ? this.named(key, value) : this.string(value);
    if (Array.isArray(value)) return value.map((v) => this.value(v));
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.value(v, k)]));
    return value;
  }
}

interface Trace {
  readonly request: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

function traceOf(n: Normaliser, method: string, path: string, r: CallResult): Trace {
  const headers: Record<string, string> = {};
  for (const name of HEADERS) {
    const v = r.headers.get(name);
    if (v !== null) headers[name] = n.string(v);
  }
  return {
    request: `${method} ${n.string(path)}`,
    status: r.status,
    headers,
    body: r.body === undefined ? (r.text === '' ? null : `<text ${r.text.length}>`) : n.value(r.body),
  };
}

let h: Harness;
let limited: Harness;
beforeAll(async () => {
  h = await startHarness({
    driver: { latency: 0 },
    manager: { policies: { slotsPerOwner: 3 } },
    router: {
      registerRateLimit: false,
      authorize: (actor) => actor !== 'user:denied',
      authenticate: (req) => {
        const header = req.headers.authorization ?? '';
        if (header === 'Bearer boom') throw new Error('authentication backend down');
        const m = /^Bearer op:([a-z0-9-]+)$/.exec(header);
        return m === null ? null : { actor: `user:${m[1]}`, owner: m[1]! };
      },
    },
  });
  limited = await startHarness({ driver: { latency: 0 }, router: { registerRateLimit: { limit: 1 } } });
});
afterAll(async () => {
  await h.close();
  await limited.close();
});

/** A recorder: each call is traced in order. */
function recorder(harness: Harness) {
  const n = new Normaliser();
  const traces: Trace[] = [];
  return {
    n,
    traces,
    async call(method: string, path: string, init?: CallInit): Promise<CallResult> {
      const r = await harness.call(method, path, init);
      traces.push(traceOf(n, method, path, r));
      return r;
    },
  };
}

describe('golden HTTP traces', () => {
  test('the OpenAPI document', async () => {
    const r = await h.call('GET', '/openapi.json', { auth: null });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(JSON.stringify(r.body, null, 2)).toMatchSnapshot();
  });

  test('operator API: agents, actions, wait, audit, revisions', async () => {
    const t = recorder(h);
    const created = await t.call('POST', '/agents', { json: { name: 'gold-1', config: { a: 1 } } });
    const id = created.body.id as string;
    await h.manager.waitFor(id, 'running', { timeout: 10_000 });
    await t.call('GET', '/agents');
    await t.call('GET', '/agents?owner=other');
    await t.call('GET', '/agents?status=nope');
    await t.call('GET', `/agents/${id}`);
    await t.call('GET', `/agents/${id}?profile=opstage`);
    await t.call('GET', `/agents/${id}?profile=nobody`);
    await t.call('GET', `/agents/${id}`, { owner: 'other' });
    await t.call('GET', `/agents/${'x'.repeat(101)}`);
    await t.call('GET', `/agents/${id}/wait?status=running&timeout=1`);
    await t.call('GET', `/agents/${id}/wait?status=paused&timeout=0`);
    await t.call('GET', `/agents/${id}/wait?status=bogus`);
    await t.call('POST', `/agents/${id}/actions/pause`, { json: {} });
    await t.call('POST', `/agents/${id}/actions/stop`, { json: {}, headers: { 'if-match': '"1"' } });
    await t.call('POST', `/agents/${id}/actions/fly`, { json: {} });
    await t.call('POST', `/agents/${id}/actions/stop`, { json: { nope: true } });
    await t.call('POST', `/agents/${id}/actions/recreate`, { json: { confirm: 'wrong' } });
    await t.call('POST', `/agents/${id}/actions/start`, { json: {} });
    const stop = await t.call('POST', `/agents/${id}/actions/stop`, {
      json: { reason: 'golden' },
      headers: { 'if-match': `"${created.body.version + 2}"` },
    });
    if (stop.status !== 202) {
      // The version the agent reached differs from the assumption: make the trace say so.
      await t.call('GET', `/agents/${id}`);
    }
    await h.manager.waitFor(id, 'stopped', { timeout: 10_000 });
    await t.call('POST', `/agents/${id}/actions/start`, { json: {} });
    await h.manager.waitFor(id, 'running', { timeout: 10_000 });
    await t.call('GET', `/agents/${id}/audit`);
    await t.call('GET', `/agents/${id}/audit?after=2`);
    await t.call('GET', `/agents/${id}/audit?after=-1`);
    await t.call('GET', `/agents/${id}/revisions`);
    await t.call('GET', `/agents/${id}/revisions`, { owner: 'other' });
    await t.call('DELETE', `/agents/${id}`, { json: {} });
    await t.call('DELETE', `/agents/${id}`, { json: { confirm: 'gold-1' } });
    await t.call('POST', `/agents/${id}/actions/stop`, { json: {} });
    expect(t.traces).toMatchSnapshot();
  });

  test('bodies, authentication, authorization, quota, fallbacks', async () => {
    const t = recorder(h);
    await t.call('POST', '/agents', { json: { name: 'my bot' } });
    await t.call('POST', '/agents', { json: { name: 'x', owner: 'someone-else' } });
    await t.call('POST', '/agents', { raw: '{"name":', headers: { 'content-type': 'application/json' } });
    await t.call('POST', '/agents', { raw: 'name=x', headers: { 'content-type': 'text/plain' } });
    await t.call('POST', '/agents', {
      raw: JSON.stringify({ name: 'big', config: { blob: 'x'.repeat(200_000) } }),
      headers: { 'content-type': 'application/json' },
    });
    await t.call('POST', '/agents');
    await t.call('POST', '/agents', { auth: null, json: { name: 'anon' } });
    await t.call('GET', '/agents', { auth: 'Bearer nope' });
    await t.call('GET', '/agents', { auth: 'Bearer boom' });
    await t.call('GET', '/agents', { owner: 'denied' });
    await t.call('POST', '/agents', { owner: 'denied', json: { name: 'nope' } });
    for (const name of ['q-1', 'q-2', 'q-3', 'q-4'])
      await t.call('POST', '/agents', { owner: 'quota', json: { name } });
    await t.call('GET', '/nowhere');
    await t.call('PUT', '/agents');
    await t.call('GET', '/agents/%E0%A4%A');
    expect(t.traces).toMatchSnapshot();
    expect(h.internalErrors.map((e) => e.message)).toEqual(['authentication backend down']);
  });

  test('idempotency', async () => {
    const t = recorder(h);
    const k = (key: string) => ({ 'idempotency-key': key });
    const a = await t.call('POST', '/agents', {
      owner: 'idem',
      json: { name: 'idem-gold' },
      headers: k('g-create'),
    });
    await t.call('POST', '/agents', { owner: 'idem', json: { name: 'idem-gold' }, headers: k('g-create') });
    await t.call('POST', '/agents', { owner: 'idem', json: { name: 'idem-other' }, headers: k('g-create') });
    await t.call('POST', '/agents', { owner: 'idem2', json: { name: 'idem-gold' }, headers: k('g-create') });
    await t.call('POST', '/agents', { owner: 'idem', json: { name: 'x' }, headers: k('bad key') });
    await t.call('POST', '/agents', { owner: 'idem', json: { name: 'my bot' }, headers: k('g-bad') });
    await t.call('POST', '/agents', { owner: 'idem', json: { name: 'idem-ok' }, headers: k('g-bad') });
    const id = a.body.id as string;
    await h.manager.waitFor(id, 'running', { timeout: 10_000 });
    await t.call('POST', `/agents/${id}/actions/stop`, { owner: 'idem', json: {}, headers: k('g-stop') });
    await t.call('POST', `/agents/${id}/actions/stop`, { owner: 'idem', json: {}, headers: k('g-stop') });
    await t.call('POST', '/registration-tokens', { owner: 'idem', json: {}, headers: k('g-tok') });
    await t.call('POST', '/registration-tokens', { owner: 'idem', json: {}, headers: k('g-tok') });
    await t.call('DELETE', `/agents/${id}`, {
      owner: 'idem',
      json: { confirm: 'idem-gold' },
      headers: k('g-del'),
    });
    await t.call('DELETE', `/agents/${id}`, {
      owner: 'idem',
      json: { confirm: 'idem-gold' },
      headers: k('g-del'),
    });
    expect(t.traces).toMatchSnapshot();
  });

  test('agent API: registration, heartbeat, commands, SSE', async () => {
    const t = recorder(h);
    const tok = await t.call('POST', '/registration-tokens', {
      owner: 'self',
      json: { expiresInSeconds: 600 },
    });
    await t.call('POST', '/registration-tokens', { owner: 'self', json: { expiresInSeconds: -1 } });
    await t.call('POST', '/agents/register', {
      auth: null,
      json: { registrationToken: 'rtk_doesnotexist1234', code: 'box-1' },
    });
    const reg = await t.call('POST', '/agents/register', {
      auth: null,
      json: { registrationToken: tok.body.token, code: 'box-1', name: 'box-one' },
      headers: { 'idempotency-key': 'g-reg' },
    });
    await t.call('POST', '/agents/register', {
      auth: null,
      json: { registrationToken: tok.body.token, code: 'box-1', name: 'box-one' },
      headers: { 'idempotency-key': 'g-reg' },
    });
    await t.call('POST', '/agents/register', {
      auth: null,
      json: { registrationToken: tok.body.token, code: 'box-1' },
    });
    await t.call('POST', '/agents/register', { auth: null, json: { code: 'box-1' } });
    const { agentId, agentToken } = reg.body as { agentId: string; agentToken: string };
    const bearer = `Bearer ${agentToken}`;
    await t.call('POST', `/agents/${agentId}/heartbeat`, { auth: bearer });
    await t.call('POST', `/agents/${agentId}/heartbeat`, { auth: null });
    await t.call('POST', `/agents/${agentId}/heartbeat`, { auth: 'Bearer agt_wrongtoken123456' });
    await t.call('POST', `/agents/${agentId}/heartbeat`, { auth: bearer, json: { extra: 1 } });
    await t.call('POST', `/agents/${agentId}/commands`, { owner: 'self', json: { type: 'sync' } });
    await t.call('POST', `/agents/${agentId}/commands`, { owner: 'self', json: {} });
    await t.call('POST', `/agents/${agentId}/commands`, {
      owner: 'self',
      json: { type: 'sync' },
      headers: { 'if-match': '"999"' },
    });
    const polled = await t.call('GET', `/agents/${agentId}/commands?limit=5`, { auth: bearer });
    await t.call('GET', `/agents/${agentId}/commands?limit=0`, { auth: bearer });
    await t.call('GET', `/agents/${agentId}/commands`, { auth: null });
    const cmd = polled.body.commands[0].id as string;
    await t.call('POST', `/agents/${agentId}/commands/${cmd}/result`, {
      auth: bearer,
      json: { ok: true, output: { done: 1 } },
    });
    await t.call('POST', `/agents/${agentId}/commands/cmd_unknown12345678/result`, {
      auth: bearer,
      json: { ok: true },
    });
    await t.call('POST', `/agents/${agentId}/commands/${cmd}/result`, { auth: bearer, json: {} });
    await t.call('POST', `/agents/${agentId}/actions/disable`, { owner: 'self', json: {} });
    await t.call('POST', `/agents/${agentId}/heartbeat`, { auth: bearer });
    await t.call('POST', `/agents/${agentId}/commands`, { owner: 'self', json: { type: 'sync' } });

    // The status stream: its headers and first frames (snapshot), then one live transition.
    const created = await t.call('POST', '/agents', { owner: 'self', json: { name: 'sse-gold' } });
    const id = created.body.id as string;
    await h.manager.waitFor(id, 'running', { timeout: 10_000 });
    const sse = await fetch(`${h.url}/agents/${id}/events`, { headers: { authorization: 'Bearer op:self' } });
    const sseHeaders: Record<string, string> = {};
    for (const name of [...HEADERS, 'connection', 'x-accel-buffering']) {
      const v = sse.headers.get(name);
      if (v !== null) sseHeaders[name] = v;
    }
    const reader = sse.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (done: () => boolean) => {
      while (!done()) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += decoder.decode(chunk.value, { stream: true });
      }
    };
    const complete = () => text.endsWith('\n\n');
    await readUntil(() => text.includes('event: snapshot') && complete());
    await h.manager.dispatch(id, 'stop', { owner: 'self' });
    await h.manager.waitFor(id, 'stopped', { timeout: 10_000 });
    await readUntil(() => text.split('event: status').length >= 3 && complete());
    await reader.cancel();
    const frames = t.n
      .string(text)
      .split('\n\n')
      .filter((f) => f !== '' && !f.startsWith(': keepalive'));
    await t.call('GET', `/agents/${id}/events`, { owner: 'other' });
    await t.call('GET', '/agents/nope/events', { auth: null });
    expect({ traces: t.traces, sse: { status: sse.status, headers: sseHeaders, frames } }).toMatchSnapshot();
  });

  test('the registration rate limit', async () => {
    const t = recorder(limited);
    await t.call('POST', '/agents/register', {
      auth: null,
      json: { registrationToken: 'rtk_doesnotexist1234', code: 'c' },
    });
    await t.call('POST', '/agents/register', {
      auth: null,
      json: { registrationToken: 'rtk_doesnotexist1234', code: 'c' },
    });
    expect(t.traces).toMatchSnapshot();
  });
});
