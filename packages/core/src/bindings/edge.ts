/**
 * The hardened edge of a Node.js server that serves Berth (through any binding: Express,
 * fetch under `@hono/node-server`, or `node:http`): header and body timeouts in seconds
 * instead of Node's five minutes, checked every second; and problem+json answers, instead of
 * Node's bare text, for what the HTTP parser refuses before any handler runs — oversized
 * headers (431 HEADERS_TOO_LARGE), requests that time out (408 REQUEST_TIMEOUT) and malformed
 * requests (400 VALIDATION_FAILED).
 *
 * @module
 */
import type { Server, ServerOptions } from 'node:http';
import type { Duplex } from 'node:stream';
import { BerthError, ValidationError } from '../index.js';
import { PROBLEM_CONTENT_TYPE, toProblem } from '../http/index.js';

/** The edge's limits, in seconds. */
export interface BerthEdgeOptions {
  /** Time for a client to send the request's headers. @default 10 */
  readonly headersTimeoutSeconds?: number;
  /** Time for a client to send the whole request, body included (not the response: streams may last). @default 30 */
  readonly bodyTimeoutSeconds?: number;
  /** Time an idle keep-alive connection stays open. @default 5 */
  readonly keepAliveTimeoutSeconds?: number;
}

/** The defaults of {@link BerthEdgeOptions}. */
export const DEFAULT_EDGE: Readonly<Required<BerthEdgeOptions>> = Object.freeze({
  headersTimeoutSeconds: 10,
  bodyTimeoutSeconds: 30,
  keepAliveTimeoutSeconds: 5,
});

function limits(options: BerthEdgeOptions) {
  const headers = options.headersTimeoutSeconds ?? DEFAULT_EDGE.headersTimeoutSeconds;
  const body = options.bodyTimeoutSeconds ?? DEFAULT_EDGE.bodyTimeoutSeconds;
  const keepAlive = options.keepAliveTimeoutSeconds ?? DEFAULT_EDGE.keepAliveTimeoutSeconds;
  for (const [name, value] of Object.entries({ headers, body, keepAlive }))
    if (!(value > 0)) throw new RangeError(`the ${name} timeout must be a positive number of seconds`);
  // Node refuses a header timeout longer than the whole request's.
  return {
    headersTimeout: Math.min(headers, body) * 1000,
    requestTimeout: body * 1000,
    keepAliveTimeout: keepAlive * 1000,
  };
}

/**
 * `http.createServer` options with the edge's timeouts, checked every second (Node checks
 * every 30 s by default, and that can only be set when the server is created).
 *
 * @param options - The timeouts in seconds; see {@link BerthEdgeOptions}.
 * @example
 * ```ts
 * const server = createServer(berthServerOptions({ bodyTimeoutSeconds: 10 }), listener);
 * ```
 */
export function berthServerOptions(options: BerthEdgeOptions = {}): ServerOptions {
  const { headersTimeout, requestTimeout, keepAliveTimeout } = limits(options);
  return { headersTimeout, requestTimeout, keepAliveTimeout, connectionsCheckingInterval: 1000 };
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/** The Berth error of an HTTP parser failure. */
function parserError(error: NodeJS.ErrnoException): BerthError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new BerthError('HEADERS_TOO_LARGE', 'the request headers are too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new BerthError('REQUEST_TIMEOUT', 'the request did not arrive in time');
    default:
      return new ValidationError('the request is malformed', [
        { path: '', message: 'not a valid HTTP request' },
      ]);
  }
}

/**
 * A `clientError` listener that answers with a problem+json document and closes the
 * connection (or just closes it when a response is already under way or the peer is gone).
 *
 * @param problemType - The `type` URI of a problem, as the handler's option. @default `urn:berth:error:<code>`
 */
export function createClientErrorHandler(
  problemType?: Parameters<typeof toProblem>[1],
): (error: NodeJS.ErrnoException, socket: Duplex) => void {
  return (error, socket) => {
    const started =
      (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (error.code === 'ECONNRESET' || !socket.writable || started) {
      socket.destroy();
      return;
    }
    const { problem } = toProblem(parserError(error), problemType);
    const body = JSON.stringify(problem);
    socket.end(
      `HTTP/1.1 ${problem.status} ${REASONS[problem.status] ?? 'Bad Request'}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    socket.once('finish', () => socket.destroy());
  };
}

/**
 * Harden a server that already exists (`app.listen(…)`, `serve(…)` of `@hono/node-server`):
 * set the edge's timeouts and install {@link createClientErrorHandler}. Create servers with
 * {@link berthServerOptions} where you can: only then are timeouts checked every second.
 *
 * @param server - The Node.js HTTP server.
 * @param options - The timeouts in seconds.
 * @returns The same server.
 */
export function hardenServer<S extends Server>(server: S, options: BerthEdgeOptions = {}): S {
  const { headersTimeout, requestTimeout, keepAliveTimeout } = limits(options);
  server.headersTimeout = headersTimeout;
  server.requestTimeout = requestTimeout;
  server.keepAliveTimeout = keepAliveTimeout;
  server.on('clientError', createClientErrorHandler());
  return server;
}
