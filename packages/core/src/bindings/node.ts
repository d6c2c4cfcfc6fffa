/**
 * `@berth/core/node`: the `node:http` binding of the Berth HTTP API — a `(req, res)` listener
 * with no framework, for `http.createServer` (or `https`, or as a Connect-style middleware with
 * a `next`). The routes, options and behaviour are those of the Express binding. With it come
 * the edge helpers every Node.js server should install: {@link berthServerOptions} (header and
 * body timeouts in seconds) and {@link hardenServer} (problem+json from `clientError`).
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createLifecycleManager } from '@berth/core';
 * import { berthServerOptions, createBerthNodeHandler, hardenServer } from '@berth/core/node';
 * import { createMemoryDriver } from '@berth/driver-memory';
 *
 * const manager = createLifecycleManager({ driver: createMemoryDriver() });
 * const server = createServer(berthServerOptions(), createBerthNodeHandler(manager, { basePath: '/api' }));
 * hardenServer(server);
 * server.listen(3000, '127.0.0.1');
 * ```
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LifecycleManager, ValidationError } from '../index.js';
import {
  announcesBody,
  bodyLimitBytes,
  checkBodyHeaders,
  createBerthHandler,
  type HttpRequest,
  type HttpResponse,
  parseJsonText,
  serializeBody,
  tooLarge,
} from '../http/index.js';
import { type BerthBindingOptions, NO_QUERY, normaliseBasePath, parseQuery, pathBelow } from './binding.js';

export type { BerthBindingOptions } from './binding.js';
export {
  type BerthEdgeOptions,
  berthServerOptions,
  createClientErrorHandler,
  DEFAULT_EDGE,
  hardenServer,
} from './edge.js';

/** Options of {@link createBerthNodeHandler}: the binding options with `IncomingMessage`, and `notFound`. */
export interface BerthNodeOptions extends BerthBindingOptions<IncomingMessage> {
  /**
   * Answer requests outside `basePath` or with no route with a 404 problem. When false and
   * the listener is called with a `next` (as a middleware), those requests go to `next`.
   * @default true
   */
  readonly notFound?: boolean;
}

/** A `node:http` request listener (with an optional `next`, to be used as a middleware). */
export type BerthNodeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

/**
 * Create the `node:http` binding of the Berth HTTP API over `manager`.
 *
 * @param manager - The lifecycle manager.
 * @param options - Authentication, authorization, limits, the mount point; see {@link BerthNodeOptions}.
 * @returns A request listener for `http.createServer`.
 */
export function createBerthNodeHandler(
  manager: LifecycleManager,
  options: BerthNodeOptions = {},
): BerthNodeHandler {
  const handler = createBerthHandler<IncomingMessage>(manager, options);
  const limit = bodyLimitBytes(options.bodyLimit);
  const basePath = normaliseBasePath(options.basePath);
  const passOn = options.notFound === false;

  const serve = async (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = pathBelow(basePath, q === -1 ? url : url.slice(0, q));
    if (path === null && passOn && next !== undefined) return next();
    const request = new NodeRequest(req, res, path ?? '', basePath, q === -1 ? '' : url.slice(q), limit);
    const response =
      path === null
        ? handler.problem(
            Object.assign(new Error(`no route for ${req.method} ${url}`), { status: 404, expose: true }),
            req,
          )
        : await handler.handle(request);
    if (passOn && next !== undefined && isRouteNotFound(response)) return next();
    // A body left unread (refused before it was needed): close rather than drain it.
    if (!request.bodyRead && announcesBody(req.headers)) res.shouldKeepAlive = false;
    await send(res, response);
  };

  return (req, res, next) => {
    serve(req, res, next).catch((error: unknown) => {
      // Writing failed (the socket went away mid-response): nothing is left to answer.
      if (!res.headersSent) void send(res, handler.problem(error, req));
      else res.destroy();
    });
  };
}

/**
 * Aborted when the client goes away (the response closes before it finished): ends `wait` and
 * event streams. Made only when a route asks for it — most never do.
 */
export function closeSignal(res: ServerResponse): AbortSignal {
  const abort = new AbortController();
  if (res.destroyed) abort.abort();
  else
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
  return abort.signal;
}

/**
 * One request as the handler reads it. A class, not an object literal with a getter: the
 * handler reads every request through the same hidden class, and the close signal (an
 * `AbortController` and a listener on the response) is made only when a route asks for it.
 */
class NodeRequest implements HttpRequest<IncomingMessage> {
  readonly method: string;
  readonly path: string;
  readonly mount: string;
  readonly query: Readonly<Record<string, string | string[]>>;
  readonly headers: IncomingMessage['headers'];
  readonly client: string | undefined;
  readonly native: IncomingMessage;
  /** True once the body was read to its end (not refused half-way). */
  bodyRead = false;
  private readonly res: ServerResponse;
  private readonly limit: number;
  private closed: AbortSignal | undefined = undefined;

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    mount: string,
    search: string,
    limit: number,
  ) {
    this.method = req.method ?? 'GET';
    this.path = path;
    this.mount = mount;
    this.query = search === '' ? NO_QUERY : parseQuery(search);
    this.headers = req.headers;
    this.client = req.socket.remoteAddress;
    this.native = req;
    this.res = res;
    this.limit = limit;
  }

  async readBody(): Promise<unknown> {
    const body = await readNodeBody(this.native, this.limit);
    this.bodyRead = true;
    return body;
  }

  get signal(): AbortSignal {
    this.closed ??= closeSignal(this.res);
    return this.closed;
  }
}

/** Read a JSON body from a Node.js request: the checks of `readJsonBody`, with Node's own events. */
function readNodeBody(req: IncomingMessage, limit: number): Promise<unknown> {
  if (!announcesBody(req.headers)) return Promise.resolve(undefined);
  checkBodyHeaders(req.headers, limit);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else {
        req.off('data', onData);
        reject(tooLarge(limit));
      }
    };
    req.on('data', onData);
    req.once('end', () => {
      if (size > limit) return;
      try {
        resolve(
          parseJsonText(
            chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'),
          ),
        );
      } catch (error) {
        reject(error);
      }
    });
    req.once('error', (error) =>
      reject(
        new ValidationError('the body could not be read', [{ path: '', message: 'unreadable body' }], {
          cause: error,
        }),
      ),
    );
  });
}

/** True for the handler's "no route" 404 (not an agent's 404). */
function isRouteNotFound(response: HttpResponse): boolean {
  return response.kind === 'json' && (response.body as { code?: unknown } | null)?.code === 'NOT_FOUND';
}

/** Write the handler's answer to a `node:http` response. */
async function send(res: ServerResponse, response: HttpResponse): Promise<void> {
  switch (response.kind) {
    case 'none':
      return; // the client went away: nobody to answer
    case 'empty':
      res.writeHead(response.status, response.headers).end();
      return;
    case 'json': {
      const text = serializeBody(response.body);
      // One headers object for writeHead (Node's fast path), in the order setHeader gave them.
      const headers: Record<string, string | number> = {};
      for (const name in response.headers)
        if (name !== 'Content-Type') headers[name] = response.headers[name]!;
      headers['Content-Type'] = `${response.headers['Content-Type'] ?? 'application/json'}; charset=utf-8`;
      headers['Content-Length'] = Buffer.byteLength(text);
      res.writeHead(response.status, headers);
      res.end(text);
      return;
    }
    case 'stream': {
      res.writeHead(response.status, response.headers);
      res.flushHeaders();
      for await (const chunk of response.body) {
        if (res.writableEnded || res.destroyed) break;
        // Respect backpressure: a slow reader holds the stream, not the process's memory.
        if (!res.write(chunk))
          await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
      }
      if (!res.writableEnded) res.end();
    }
  }
}
