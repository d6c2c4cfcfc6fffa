/**
 * `createBerthRouter(manager, options)`: the Express 5 binding of `@berth/core/http`. One
 * Express route per entry of core's route table (`ROUTES`); each turns the Express request
 * into an `HttpRequest`, lets `createBerthHandler` answer it, and writes the `HttpResponse`
 * back (JSON, empty, or a Server-Sent Events stream). Body parsing and the registration rate
 * limiter are the only things done here; every check and every call to the manager is core's.
 *
 * @module
 */
import { BerthError, type LifecycleManager } from '@berth/core';
import {
  announcesBody,
  createBerthHandler,
  type HttpResponse,
  ROUTES,
  type RouteSpec,
  serializeBody,
} from '@berth/core/http';
import { closeSignal } from '@berth/core/node';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { bodyReader, jsonBody } from './json-body.js';
import type { BerthRouterOptions } from './options.js';

/** `/agents/{id}` (the table's OpenAPI-style path) as Express writes it: `/agents/:id`. */
const expressPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

/**
 * Create an Express 5 router serving the Berth HTTP contract over `manager`.
 *
 * @param manager - The lifecycle manager (`createLifecycleManager` from `@berth/core`).
 * @param options - Authentication, authorization, limits and idempotency; see {@link BerthRouterOptions}.
 * @returns A router to mount, e.g. `app.use('/api', router)`.
 * @example
 * ```ts
 * import express from 'express';
 * import { createLifecycleManager } from '@berth/core';
 * import { createMemoryDriver } from '@berth/driver-memory';
 * import { createBerthRouter } from '@berth/adapter-express';
 *
 * const manager = createLifecycleManager({ driver: createMemoryDriver() });
 * const app = express();
 * app.use('/api', createBerthRouter(manager, {
 *   authenticate: (req) => (req.headers.authorization === 'Bearer s3cret' ? { actor: 'user:ops', owner: 'acme' } : null),
 * }));
 * app.listen(3000, '127.0.0.1');
 * ```
 */
export function createBerthRouter(manager: LifecycleManager, options: BerthRouterOptions = {}): Router {
  // Registration is rate-limited here, by express-rate-limit (with its standard headers).
  const handler = createBerthHandler<Request>(manager, { ...options, registerRateLimit: false });
  const bodyLimit = options.bodyLimit ?? '100kb';
  const json = jsonBody(bodyLimit);
  const router = express.Router();

  if (options.registerRateLimit !== false) {
    const limits = options.registerRateLimit ?? {};
    router.post(
      '/agents/register',
      rateLimit({
        windowMs: limits.windowMs ?? 60_000,
        limit: limits.limit ?? 30,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        handler: (_req, _res, next) =>
          next(new BerthError('RATE_LIMITED', 'too many registration attempts; retry later')),
      }),
    );
  }

  const serve = (route: RouteSpec) => async (req: Request, res: Response) => {
    // The body is parsed only when the handler asks for it: after authentication.
    let read = false;
    const readBody = bodyReader(json, req, res);
    let signal: AbortSignal | undefined;
    const response = await handler.handle({
      method: req.method,
      path: req.path,
      mount: req.baseUrl,
      operationId: route.operationId,
      params: req.params as Record<string, string>,
      query: req.query as Record<string, unknown>,
      headers: req.headers,
      readBody: async () => {
        const body = await readBody();
        read = true;
        return body;
      },
      client: req.socket.remoteAddress,
      // The client going away (the response closing before it finished) ends `wait` and streams.
      get signal() {
        signal ??= closeSignal(res);
        return signal;
      },
      native: req,
    });
    // A body left unread (refused before it was needed, or half-way): close rather than drain it.
    if (!read && response.kind !== 'none' && announcesBody(req.headers)) res.set('Connection', 'close');
    await send(res, response);
  };

  for (const route of ROUTES as readonly RouteSpec[]) {
    const method = route.method === 'GET' ? 'get' : route.method === 'POST' ? 'post' : 'delete';
    router[method](expressPath(route.path), serve(route));
  }

  if (options.notFound !== false)
    router.use((req: Request) => {
      throw new BerthError('NOT_FOUND', `no route for ${req.method} ${req.baseUrl}${req.path}`);
    });

  // Errors met before the handler ran: body parsing, the rate limiter, Express itself.
  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      // A stream (SSE) or a response already under way: nothing more can be said.
      if (!res.writableEnded) res.end();
      return;
    }
    void send(res, handler.problem(error, req));
    void next;
  });

  return router;
}

/** Write the handler's answer to the Express response. */
async function send(res: Response, response: HttpResponse): Promise<void> {
  switch (response.kind) {
    case 'none':
      return; // the client went away: nobody to answer
    case 'empty':
      res.status(response.status).set(response.headers).end();
      return;
    case 'json': {
      const type = response.headers['Content-Type'];
      res.status(response.status);
      for (const name in response.headers)
        if (name !== 'Content-Type') res.setHeader(name, response.headers[name]!);
      res.type(type ?? 'application/json').send(serializeBody(response.body));
      return;
    }
    case 'stream': {
      res.status(response.status).set(response.headers);
      res.flushHeaders();
      for await (const chunk of response.body) {
        if (res.writableEnded || res.destroyed) break;
        res.write(chunk);
      }
      if (!res.writableEnded) res.end();
    }
  }
}
