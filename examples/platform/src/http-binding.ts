/**
 * Which binding serves the platform's `/api` (`BERTH_HTTP`): `express` (the default, the
 * Express router of `@berth/adapter-express` inside the platform's Express app) or `node` (the
 * `node:http` binding of `@berth/core/node`, which answers `/api` requests before Express ever
 * sees them; the dashboard stays on Express). Either way the server gets Berth's hardened edge.
 *
 * @module
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createBerthRouter } from '@berth/adapter-express';
import type { LifecycleManager } from '@berth/core';
import type { BerthIdentity } from '@berth/core/http';
import { type BerthEdgeOptions, createBerthNodeHandler, hardenServer } from '@berth/core/node';
import type { Express } from 'express';

/** The bindings `BERTH_HTTP` names. */
export type HttpBindingName = 'express' | 'node';

/** What the API needs from the platform. */
export interface ApiMount {
  readonly authenticate: (req: Pick<IncomingMessage, 'headers'>) => BerthIdentity | null;
  readonly onError: (error: Error) => void;
  /** The server's header and body timeouts (`BERTH_HEADERS_TIMEOUT_SECONDS`, `BERTH_REQUEST_TIMEOUT_SECONDS`). */
  readonly edge: BerthEdgeOptions;
}

/**
 * Serve the Berth API at `/api` of `server` with the binding `kind`, and harden the server's edge.
 *
 * @param app - The platform's Express app (the server's request listener).
 * @param server - The server `app` listens on.
 * @param kind - `express` or `node`.
 */
export function mountApi(
  app: Express,
  server: Server,
  manager: LifecycleManager,
  kind: HttpBindingName,
  { authenticate, onError, edge }: ApiMount,
): void {
  hardenServer(server, edge);
  const options = { authenticate, onError, openApiServers: [{ url: '/api' }] };
  if (kind === 'express') {
    app.use('/api', createBerthRouter(manager, options));
    return;
  }
  const api = createBerthNodeHandler(manager, { ...options, basePath: '/api' });
  const isApi = (url: string | undefined) => url === '/api' || /^\/api[/?]/.test(url ?? '');
  server.removeListener('request', app);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (isApi(req.url)) api(req, res);
    else app(req, res);
  });
}
