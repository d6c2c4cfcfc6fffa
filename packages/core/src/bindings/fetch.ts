/**
 * `@berth/core/fetch`: the Web-standard binding of the Berth HTTP API. A function from a
 * `Request` to a `Response` — Hono, Next.js route handlers, Bun, Deno and anything else that
 * speaks fetch mount it with no framework code. The routes, options and behaviour are those of
 * the Express binding: one route table, the same checks, Server-Sent Events as a
 * `ReadableStream`, and a client that goes away (the request's signal, or the stream
 * cancelled) ending `wait` and event streams.
 *
 * @example
 * ```ts
 * import { createLifecycleManager } from '@berth/core';
 * import { createBerthFetchHandler } from '@berth/core/fetch';
 * import { createMemoryDriver } from '@berth/driver-memory';
 *
 * const manager = createLifecycleManager({ driver: createMemoryDriver() });
 * const berth = createBerthFetchHandler(manager, { basePath: '/api', authenticate });
 * export default { fetch: (request: Request) => berth(request) }; // Bun, Deno, workers
 * ```
 *
 * @module
 */
import { type LifecycleManager, ValidationError } from '../index.js';
import {
  announcesBody,
  bodyLimitBytes,
  checkBodyHeaders,
  createBerthHandler,
  type HttpHeaders,
  type HttpResponse,
  parseJsonText,
  readJsonBody,
  serializeBody,
} from '../http/index.js';
import {
  type BerthBindingOptions,
  headersOf,
  NO_QUERY,
  normaliseBasePath,
  parseQuery,
  pathAndSearch,
  pathBelow,
  trackedReader,
} from './binding.js';

export type { BerthBindingOptions } from './binding.js';

/** Options of {@link createBerthFetchHandler}: the binding options with the Web `Request`. */
export type BerthFetchOptions = BerthBindingOptions<Request>;

/** What the host may tell the handler about a request it cannot read from the `Request` itself. */
export interface BerthFetchContext {
  /**
   * Who is calling (the remote address), for the per-client limits on failed authentication
   * and registration. Hosts know it: `@hono/node-server`'s `c.env.incoming.socket.remoteAddress`,
   * Bun's `server.requestIP(request)`, Deno's `info.remoteAddr`. Without it those limits are off.
   */
  readonly client?: string | undefined;
}

/** The fetch handler: answers every request (unknown paths with a 404 problem). */
export type BerthFetchHandler = (request: Request, context?: BerthFetchContext) => Promise<Response>;

const encoder = new TextEncoder();

/**
 * Create the fetch binding of the Berth HTTP API over `manager`.
 *
 * @param manager - The lifecycle manager.
 * @param options - Authentication, authorization, limits, the mount point; see {@link BerthFetchOptions}.
 * @returns `(request, context?) => Promise<Response>`.
 */
export function createBerthFetchHandler(
  manager: LifecycleManager,
  options: BerthFetchOptions = {},
): BerthFetchHandler {
  const handler = createBerthHandler<Request>(manager, options);
  const limit = bodyLimitBytes(options.bodyLimit);
  const basePath = normaliseBasePath(options.basePath);

  return async (request, context = {}) => {
    const url = pathAndSearch(request.url);
    const path = pathBelow(basePath, url.pathname);
    const headers = headersOf(request.headers);
    // Aborted when the client goes away or the response stream is cancelled; made only when a
    // route asks for it (wait, event streams).
    let abort: AbortController | undefined;
    let onAbort: (() => void) | undefined;
    const signal = () => {
      if (abort !== undefined) return abort.signal;
      const controller = new AbortController();
      abort = controller;
      onAbort = () => controller.abort();
      if (request.signal.aborted) controller.abort();
      else request.signal.addEventListener('abort', onAbort, { once: true });
      return controller.signal;
    };
    const body = trackedReader(() => readFetchBody(request, headers, limit));
    const response =
      path === null
        ? handler.problem(notFound(request.method, url.pathname), request)
        : await handler.handle({
            method: request.method,
            path,
            mount: basePath,
            query: url.search === '' ? NO_QUERY : parseQuery(url.search),
            headers,
            readBody: body.readBody,
            client: context.client,
            get signal() {
              return signal();
            },
            native: request,
          });
    if (response.kind !== 'stream' && onAbort !== undefined)
      request.signal.removeEventListener('abort', onAbort);
    const answer = toResponse(response, () => abort?.abort());
    // A body left unread (refused before it was needed): ask the host to close, not drain it.
    if (!body.wasRead() && announcesBody(headers)) answer.headers.set('Connection', 'close');
    return answer;
  };
}

/**
 * Read the body: with a `Content-Length` within the limit, as text in one go (hosts such as
 * `@hono/node-server` answer `text()` without building a stream); otherwise chunk by chunk,
 * stopping at the limit.
 */
function readFetchBody(request: Request, headers: HttpHeaders, limit: number): Promise<unknown> {
  const length = headers['content-length'];
  if (typeof length !== 'string' || length === '0' || headers['transfer-encoding'] !== undefined)
    return readJsonBody(headers, streamChunks(request.body), limit);
  checkBodyHeaders(headers, limit);
  return request.text().then(
    (text) => parseJsonText(text),
    (error: unknown) => {
      throw new ValidationError('the body could not be read', [{ path: '', message: 'unreadable body' }], {
        cause: error,
      });
    },
  );
}

/** 404 for a path outside the mount point. */
function notFound(method: string, pathname: string): Error {
  return Object.assign(new Error(`no route for ${method} ${pathname}`), { status: 404, expose: true });
}

/** The chunks of a Web stream, as an async iterable (Deno, Bun and Node all give one). */
function streamChunks(stream: ReadableStream<Uint8Array> | null): AsyncIterable<Uint8Array> | null {
  if (stream === null) return null;
  return {
    async *[Symbol.asyncIterator]() {
      const reader = stream.getReader();
      try {
        while (true) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      } finally {
        reader.releaseLock();
      }
    },
  };
}

/** The handler's answer as a Web `Response`. */
function toResponse(response: HttpResponse, abort: () => void): Response {
  switch (response.kind) {
    case 'none':
      // The client went away; whatever is returned is never read.
      return new Response(null, { status: 499 });
    case 'empty':
      return new Response(null, { status: response.status, headers: response.headers });
    case 'json': {
      // A plain object: hosts such as `@hono/node-server` then write the response directly.
      const headers: Record<string, string> = {};
      for (const name in response.headers)
        if (name !== 'Content-Type') headers[name.toLowerCase()] = response.headers[name]!;
      headers['content-type'] = `${response.headers['Content-Type'] ?? 'application/json'}; charset=utf-8`;
      return new Response(serializeBody(response.body), { status: response.status, headers });
    }
    case 'stream': {
      const iterator = response.body[Symbol.asyncIterator]();
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { done, value } = await iterator.next();
          if (done) controller.close();
          else controller.enqueue(encoder.encode(value));
        },
        async cancel() {
          abort();
          await iterator.return?.();
        },
      });
      return new Response(stream, { status: response.status, headers: response.headers });
    }
  }
}
