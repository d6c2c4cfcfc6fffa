/**
 * Readiness over a real listening server: while the platform starts, everything but /healthz
 * answers 503 NOT_READY as problem+json (never Express's HTML); /readyz turns 200 once the store
 * and the driver answer, and 503 again when either stops answering; slow clients are cut off
 * after the configured seconds.
 */
import { connect } from 'node:net';
import { createMemoryStore, type LifecycleStore } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import { createSqliteStore } from '@berth/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, type Platform, startPlatform } from '../src/index.js';
import { freePort } from './support/infra.js';
import { tempDir } from './support/temp-dir.js';

const running: Platform[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.close()));
});

/** A memory store whose `due` and `list` (what resume and reconcile read) wait for `release()`. */
function heldStore(): { store: LifecycleStore; release: () => void } {
  const inner = createMemoryStore();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const store = new Proxy(inner, {
    get(target, key, receiver) {
      if (key === 'list' || key === 'due') {
        const method = Reflect.get(target, key, receiver) as (...args: unknown[]) => Promise<unknown>;
        return async (...args: unknown[]) => {
          await gate;
          return method.apply(target, args);
        };
      }
      return Reflect.get(target, key, receiver);
    },
  });
  return { store, release };
}

async function problemOf(response: Response) {
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await response.json()) as { code: string; status: number; detail: string };
}

describe('readiness', () => {
  it('answers 503 NOT_READY problems (not HTML) until it is ready, /healthz all along, then serves', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const { store, release } = heldStore();
    const starting = startPlatform(loadConfig({ PORT: String(port) }), {
      store,
      driver: createMemoryDriver(),
      log: () => {},
    });
    // The server listens before it is ready: wait for it to accept connections.
    let health: Response | null = null;
    for (let i = 0; i < 200 && health === null; i++) {
      health = await fetch(`${base}/healthz`).catch(() => null);
      if (health === null) await new Promise((r) => setTimeout(r, 25));
    }
    expect(health?.status).toBe(200);
    expect(await health?.json()).toEqual({ status: 'ok', phase: 'starting' });
    for (const [method, path] of [
      ['GET', '/api/agents'],
      ['POST', '/api/agents'],
      ['GET', '/'],
      ['GET', '/readyz'],
    ] as const) {
      const response = await fetch(base + path, {
        method,
        ...(method === 'POST'
          ? { body: '{"name":"early"}', headers: { 'content-type': 'application/json' } }
          : {}),
      });
      expect(response.status, `${method} ${path}`).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      const problem = await problemOf(response);
      expect(problem).toMatchObject({ code: 'NOT_READY', status: 503 });
      expect(problem.detail).toMatch(/starting/);
    }
    release();
    const platform = await starting;
    running.push(platform);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', store: 'ok', driver: 'ok' });
    const list = await fetch(`${base}/api/agents`);
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({ agents: [] });
    // The early POST changed nothing.
    expect(await store.list()).toEqual([]);
  });

  it('/readyz is 503 naming the part that does not answer: the driver, then the store', async () => {
    const dir = tempDir();
    const store = createSqliteStore({ path: `${dir}/ready.sqlite` });
    const driver = createMemoryDriver();
    const platform = await startPlatform(loadConfig({ PORT: '0' }), { store, driver, log: () => {} });
    running.push(platform);
    expect((await fetch(`${platform.url}/readyz`)).status).toBe(200);

    driver.failNext('inspect');
    const driverDown = await fetch(`${platform.url}/readyz`);
    expect(driverDown.status).toBe(503);
    expect((await problemOf(driverDown)).detail).toMatch(/driver does not answer: INJECTED_FAILURE/);
    expect((await fetch(`${platform.url}/readyz`)).status).toBe(200);

    await store.close();
    const storeDown = await fetch(`${platform.url}/readyz`);
    expect(storeDown.status).toBe(503);
    const problem = await problemOf(storeDown);
    expect(problem.code).toBe('NOT_READY');
    expect(problem.detail).toMatch(/store does not answer: STORE_CLOSED/);
    expect((await fetch(`${platform.url}/healthz`)).status).toBe(200);
  });
});

/** Send `head` over a raw socket and never finish the request; resolve with what the server says and when it hangs up. */
function stall(port: number, head: string): Promise<{ reply: string; afterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let reply = '';
    socket.on('data', (chunk) => {
      reply += chunk.toString();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ reply, afterMs: Date.now() - started }));
    // Never hang the test: Node's own defaults would wait 60 s (headers) and 300 s (request).
    setTimeout(() => socket.destroy(new Error('the server did not cut the slow client off')), 15_000).unref();
  });
}

describe('slow clients', () => {
  it('cuts off a client that sends its headers, or its body, too slowly (seconds, not minutes)', async () => {
    const platform = await startPlatform(
      loadConfig({
        PORT: '0',
        BERTH_STORE: 'memory',
        BERTH_HEADERS_TIMEOUT_SECONDS: '1',
        BERTH_REQUEST_TIMEOUT_SECONDS: '2',
      }),
      { driver: createMemoryDriver(), log: () => {} },
    );
    running.push(platform);
    const port = Number(new URL(platform.url).port);
    const [headers, body] = await Promise.all([
      stall(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n'),
      stall(
        port,
        'POST /api/agents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na',
      ),
    ]);
    expect(headers.reply).toMatch(/^HTTP\/1\.1 408/);
    expect(body.reply).toMatch(/^HTTP\/1\.1 408/);
    // Cut off after about their timeout (checked every second), far below Node's minutes.
    expect(headers.afterMs).toBeGreaterThanOrEqual(900);
    expect(headers.afterMs).toBeLessThan(10_000);
    expect(body.afterMs).toBeGreaterThanOrEqual(1_900);
    expect(body.afterMs).toBeLessThan(10_000);
    expect(await platform.manager.list()).toEqual([]);
  });
});
