/**
 * A Hono app that mounts the Berth HTTP API at `/api` through the fetch binding
 * (`@berth/core/fetch`) — no Express anywhere — next to a route of its own, and serves it with
 * `@hono/node-server` behind Berth's hardened edge (timeouts in seconds, problem+json from
 * `clientError`).
 *
 * @module
 */
import type { AddressInfo } from 'node:net';
import type { LifecycleManager } from '@berth/core';
import { createBerthFetchHandler } from '@berth/core/fetch';
import type { BerthFetchOptions } from '@berth/core/fetch';
import type { BerthIdentity } from '@berth/core/http';
import { type BerthEdgeOptions, berthServerOptions, hardenServer } from '@berth/core/node';
import { type HttpBindings, serve } from '@hono/node-server';
import { Hono } from 'hono';

/** Options of {@link createApp}: the fetch binding's, minus the mount point (always `/api`). */
export type AppOptions = Omit<BerthFetchOptions, 'basePath'>;

/**
 * The Hono app: `GET /` says hello, `/api/*` is Berth.
 *
 * @param manager - The lifecycle manager.
 * @param options - The fetch binding's options (`authenticate`, `authorize`, limits, …).
 */
export function createApp(manager: LifecycleManager, options: AppOptions = {}) {
  const berth = createBerthFetchHandler(manager, { ...options, basePath: '/api' });
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.get('/', (c) => c.text('Berth on Hono: the API is at /api (see /api/openapi.json)\n'));
  // The remote address feeds the per-client limits (failed authentication, registration).
  const mount = (c: { req: { raw: Request }; env: HttpBindings }) =>
    berth(c.req.raw, { client: c.env.incoming.socket.remoteAddress });
  app.all('/api', mount);
  app.all('/api/*', mount);
  return app;
}

/** Operators send `Authorization: Bearer <key>`; each key acts for one owner. */
export function keyAuthenticator(keys: ReadonlyMap<string, string>) {
  return (request: Request): BerthIdentity | null => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
    const owner = match === null ? undefined : keys.get(match[1]!);
    return owner === undefined ? null : { actor: `operator:${owner}`, owner };
  };
}

/** A running server. */
export interface Served {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serve the app on `host:port` (0: any free port) with the hardened edge.
 *
 * @param app - From {@link createApp}.
 * @param edge - Header and body timeouts in seconds.
 */
export async function serveApp(
  app: Hono<{ Bindings: HttpBindings }>,
  { port = 0, host = '127.0.0.1', edge = {} }: { port?: number; host?: string; edge?: BerthEdgeOptions } = {},
): Promise<Served> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port, hostname: host, serverOptions: berthServerOptions(edge) }, () =>
      resolve(s),
    );
  });
  hardenServer(server as import('node:http').Server, edge);
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        (server as import('node:http').Server).closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
