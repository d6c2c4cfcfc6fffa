/**
 * Test harness: a real Express app listening on 127.0.0.1 with the Berth router mounted at
 * `/api`, over a real manager and the in-memory driver. Operators authenticate with
 * `Authorization: Bearer op:<owner>`.
 */
import type { AddressInfo } from 'node:net';
import {
  createLifecycleManager,
  type LifecycleManager,
  type LifecycleManagerOptions,
  ManualClock,
} from '@berth/core';
import { createMemoryDriver, type MemoryDriver, type MemoryDriverOptions } from '@berth/driver-memory';
import express from 'express';
import { type BerthRouterOptions, createBerthRouter } from '../src/index.js';

export interface Harness {
  readonly url: string;
  readonly manager: LifecycleManager;
  readonly driver: MemoryDriver;
  readonly clock: ManualClock | undefined;
  /** Errors the router reported as 5xx. */
  readonly internalErrors: Error[];
  call(method: string, path: string, init?: CallInit): Promise<CallResult>;
  close(): Promise<void>;
}

export interface CallInit {
  /** Acts as `op:<owner>` unless `auth` is given. */
  readonly owner?: string;
  /** Raw Authorization header (null: none). */
  readonly auth?: string | null;
  /** A JSON body (serialised) … */
  readonly json?: unknown;
  /** … or raw bytes/text. */
  readonly raw?: string;
  readonly headers?: Record<string, string>;
}

export interface CallResult {
  readonly status: number;
  readonly headers: Headers;
  readonly contentType: string;
  // biome-ignore lint/suspicious/noExplicitAny: test helper, bodies are asserted field by field
  readonly body: any;
  readonly text: string;
}

export interface HarnessOptions {
  readonly manual?: boolean;
  readonly router?: BerthRouterOptions;
  readonly driver?: MemoryDriverOptions;
  readonly manager?: Partial<LifecycleManagerOptions>;
}

/** Authenticate `Bearer op:<owner>` (and `Bearer admin` as an unscoped administrator). */
export function testAuthenticate(req: express.Request) {
  const header = req.headers.authorization ?? '';
  if (header === 'Bearer admin') return { actor: 'user:admin' };
  const m = /^Bearer op:([a-z0-9-]+)$/.exec(header);
  return m === null ? null : { actor: `user:${m[1]}`, owner: m[1]! };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = options.manual === true ? new ManualClock() : undefined;
  const driver = createMemoryDriver({ ...(clock ? { clock } : {}), ...options.driver });
  const manager = createLifecycleManager({ driver, ...(clock ? { clock } : {}), ...options.manager });
  const internalErrors: Error[] = [];
  const app = express();
  app.use(
    '/api',
    createBerthRouter(manager, {
      authenticate: testAuthenticate,
      onError: (e) => internalErrors.push(e),
      ...options.router,
    }),
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/api`;

  async function call(method: string, path: string, init: CallInit = {}): Promise<CallResult> {
    const headers: Record<string, string> = { ...init.headers };
    const auth = init.auth === undefined ? `Bearer op:${init.owner ?? 'acme'}` : init.auth;
    if (auth !== null) headers.authorization = auth;
    let body: string | undefined;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] ??= 'application/json';
    } else if (init.raw !== undefined) body = init.raw;
    const res = await fetch(url + path, { method, headers, body });
    const text = await res.text();
    const contentType = res.headers.get('content-type') ?? '';
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, contentType, body: parsed, text };
  }

  return {
    url,
    manager,
    driver,
    clock,
    internalErrors,
    call,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await manager.close();
    },
  };
}

/** Create an agent through HTTP and wait (through HTTP) until it is running. */
export async function runningAgent(h: Harness, owner = 'acme', name = 'bot-1') {
  const created = await h.call('POST', '/agents', { owner, json: { name } });
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${created.text}`);
  const id = created.body.id as string;
  const ready = await h.manager.waitFor(id, 'running', { timeout: 10_000 });
  return ready;
}

/** Assert-free check that a response is a problem document; returns it. */
export function isProblem(r: CallResult): boolean {
  return (
    r.contentType.startsWith('application/problem+json') &&
    typeof r.body?.code === 'string' &&
    r.body.status === r.status &&
    typeof r.body.title === 'string' &&
    typeof r.body.type === 'string' &&
    typeof r.body.detail === 'string'
  );
}
