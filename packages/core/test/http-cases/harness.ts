/**
 * The shared harness of the HTTP case suites (hono's `*.case.test.ts` idea): one list of cases,
 * run against every binding of `@berth/core/http` — Express, fetch, `node:http`. A binding is
 * a small typed constant ({@link BindingUnderTest}) that serves a manager on 127.0.0.1 under
 * `/api`; each binding's test file is a few lines that hand it to the case suites. Skips are
 * data with a reason (`skip: [{ reason, tests }]`). Operators authenticate with
 * `Authorization: Bearer op:<owner>` (and `Bearer admin` as an unscoped administrator).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createLifecycleManager,
  type LifecycleManager,
  type LifecycleManagerOptions,
  ManualClock,
} from '@berth/core';
import type { BerthHandlerOptions, BerthIdentity, RateLimit } from '@berth/core/http';
import type { BerthEdgeOptions } from '@berth/core/node';
import { createMemoryDriver, type MemoryDriver, type MemoryDriverOptions } from '@berth/driver-memory';
import { test } from 'vitest';

/** Listen on an ephemeral port of 127.0.0.1; the API's base is `/api` there. */
export async function listenApi(server: Server): Promise<{ readonly url: string; close(): Promise<void> }> {
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The options every binding takes, with authentication over the `Authorization` header. */
export interface CaseRouterOptions extends Omit<BerthHandlerOptions<unknown>, 'authenticate' | 'onError'> {
  /** Identify the caller from the `Authorization` header (null: 401). */
  readonly authenticate?: (authorization: string | undefined) => BerthIdentity | null;
  readonly onError?: (error: Error) => void;
  readonly bodyLimit?: number | string;
  readonly registerRateLimit?: RateLimit | false;
  /** The server's edge (timeouts in seconds), as `berthServerOptions` takes it. */
  readonly edge?: BerthEdgeOptions;
  /** Options handed to the binding as they are, last (a binding's own, e.g. an Express `authenticate(req)`). */
  readonly native?: object;
}

/** A binding under test: how to serve a manager with it. */
export interface BindingUnderTest {
  readonly name: string;
  /** Serve `manager` on 127.0.0.1; `url` is the API's base (`http://127.0.0.1:<port>/api`). */
  listen(
    manager: LifecycleManager,
    options: CaseRouterOptions,
  ): Promise<{ readonly url: string; close(): Promise<void> }>;
  /** Cases this binding does not run, each with why. */
  readonly skip?: readonly { readonly reason: string; readonly tests: readonly string[] }[];
}

/** `test`, or a skip that carries the binding's reason when the binding lists the case. */
export function caseTest(binding: BindingUnderTest) {
  return (name: string, fn: () => Promise<void> | void, timeout?: number) => {
    const skipped = binding.skip?.find((s) => s.tests.includes(name));
    if (skipped !== undefined) test.skip(`${name} — skipped on ${binding.name}: ${skipped.reason}`, fn);
    else test(name, fn, timeout);
  };
}

export interface Harness {
  readonly url: string;
  readonly manager: LifecycleManager;
  readonly driver: MemoryDriver;
  readonly clock: ManualClock | undefined;
  /** Errors the binding reported as 5xx. */
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
  readonly router?: CaseRouterOptions;
  readonly driver?: MemoryDriverOptions;
  readonly manager?: Partial<LifecycleManagerOptions>;
}

/** Authenticate `Bearer op:<owner>` (and `Bearer admin` as an unscoped administrator). */
export function testAuthenticate(header: string | undefined): BerthIdentity | null {
  if (header === 'Bearer admin') return { actor: 'user:admin' };
  const m = /^Bearer op:([a-z0-9-]+)$/.exec(header ?? '');
  return m === null ? null : { actor: `user:${m[1]}`, owner: m[1]! };
}

/** Start `binding` over a real manager and the memory driver. */
export async function startBindingHarness(
  binding: BindingUnderTest,
  options: HarnessOptions = {},
): Promise<Harness> {
  const clock = options.manual === true ? new ManualClock() : undefined;
  const driver = createMemoryDriver({ ...(clock ? { clock } : {}), ...options.driver });
  const manager = createLifecycleManager({ driver, ...(clock ? { clock } : {}), ...options.manager });
  const internalErrors: Error[] = [];
  const served = await binding.listen(manager, {
    authenticate: testAuthenticate,
    onError: (e) => internalErrors.push(e),
    ...options.router,
  });
  const { url } = served;

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
      await served.close();
      await manager.close();
    },
  };
}

/** Create an agent through HTTP and wait (through the manager) until it is running. */
export async function runningAgent(h: Harness, owner = 'acme', name = 'bot-1') {
  const created = await h.call('POST', '/agents', { owner, json: { name } });
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${created.text}`);
  const id = created.body.id as string;
  const ready = await h.manager.waitFor(id, 'running', { timeout: 10_000 });
  return ready;
}

/** Assert-free check that a response is a problem document. */
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
