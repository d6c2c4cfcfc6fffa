/**
 * The plain request and response shapes of the framework-agnostic Berth HTTP handler, and its
 * options. A binding (Express, fetch, `node:http`) turns its framework's request into an
 * {@link HttpRequest}, calls {@link BerthHttpHandler.handle}, and writes the
 * {@link HttpResponse} back; everything between is framework-free.
 *
 * @module
 */
import type { Action, AgentView, ErrorCode, ProfileName, VendorProfile } from '../index.js';
import type { IdempotencyStore } from './idempotency.js';
import type { RateLimit } from './rate-limit.js';

/** Who is calling, as the `authenticate` option says. */
export interface BerthIdentity {
  /** Recorded in the audit trail (`user:alice`, `operator:acme`). */
  readonly actor: string;
  /**
   * The owner the caller acts as. When set, the caller sees and touches only that owner's
   * agents (others answer 404), may not name another owner in a body, and idempotency keys are
   * scoped to it. When absent, the caller may act for any owner (an administrator).
   */
  readonly owner?: string | undefined;
}

/** What `authorize` is asked about: an action of the statechart, or one of these operations. */
export type BerthOperation =
  | Action
  | 'create'
  | 'list'
  | 'read'
  | 'wait'
  | 'events'
  | 'audit'
  | 'revisions'
  | 'registration_token'
  | 'enqueue_command'
  | 'backup'
  | 'backups'
  | 'delete_backup'
  | 'services'
  | 'revoke_registration_token';

/** Header values as Node.js gives them: names lower-case, repeated headers as arrays. */
export type HttpHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * One HTTP request, framework-free.
 *
 * @typeParam N - The binding's native request (Express `Request`, fetch `Request`,
 *   `IncomingMessage`); it is handed to `authenticate` and `onError` untouched.
 */
export interface HttpRequest<N = unknown> {
  /** Upper-case method (`GET`, `POST`, `DELETE`). */
  readonly method: string;
  /** The path below the mount point, without the query: `/agents/agt_1/actions/stop`. */
  readonly path: string;
  /**
   * Where the API is mounted (`/api`), used only in messages and idempotency fingerprints.
   * @default ''
   */
  readonly mount?: string;
  /**
   * The route, when the binding matched it itself (with {@link HttpRequest.params}); when
   * absent the handler matches `method` and `path` against its route table.
   */
  readonly operationId?: string;
  /** Path parameters, when the binding matched the route (`{ id: 'agt_1' }`). */
  readonly params?: Readonly<Record<string, string>>;
  /** The parsed query string: each value a string, or an array when repeated. */
  readonly query: Readonly<Record<string, unknown>>;
  /** Request headers, names lower-case. */
  readonly headers: HttpHeaders;
  /**
   * The parsed JSON body, or `undefined` when the request had none. Ignored when
   * {@link HttpRequest.readBody} is given.
   */
  readonly body?: unknown;
  /**
   * Read and parse the body on demand (`undefined` when there is none). The handler calls it
   * only after the caller is authenticated, so an unauthenticated body is never read. Throws
   * a Berth error for a body it refuses (413, 415, malformed JSON).
   */
  readonly readBody?: () => Promise<unknown>;
  /**
   * Who is calling, for the per-client rate limits (failed authentication, registration):
   * usually the remote address. Without it those limits do not apply to the request.
   */
  readonly client?: string | undefined;
  /** Aborted when the client goes away (ends `wait` and event streams). */
  readonly signal: AbortSignal;
  /** The binding's own request object, for `authenticate` and `onError`. */
  readonly native: N;
}

/** Response headers the handler sets (names as written, e.g. `ETag`). */
export type HttpResponseHeaders = Readonly<Record<string, string>>;

/**
 * What the handler answers. `json`: serialise `body` as JSON (the media type is
 * `application/json` unless `headers['Content-Type']` says otherwise, as problems do);
 * `empty`: no body (204); `stream`: write `headers`, then each chunk of `body` as it comes
 * (Server-Sent Events), until it ends or the request's signal aborts; `none`: the client went
 * away, write nothing.
 */
export type HttpResponse =
  | {
      readonly kind: 'json';
      readonly status: number;
      readonly headers: HttpResponseHeaders;
      readonly body: unknown;
    }
  | { readonly kind: 'empty'; readonly status: number; readonly headers: HttpResponseHeaders }
  | {
      readonly kind: 'stream';
      readonly status: number;
      readonly headers: HttpResponseHeaders;
      readonly body: AsyncIterable<string>;
    }
  | { readonly kind: 'none' };

/** Options of `createBerthHandler`, shared by every binding. */
export interface BerthHandlerOptions<N = unknown> {
  /**
   * Identify the caller of an operator route; `null` answers 401 UNAUTHORIZED. Agent API
   * routes (register, heartbeat, poll, result) authenticate with agent tokens instead.
   * @default every caller is `{ actor: 'anonymous' }` with no owner scope (development only)
   */
  readonly authenticate?: (req: N) => BerthIdentity | null | Promise<BerthIdentity | null>;
  /**
   * Refuse an operation (false answers 403 FORBIDDEN). `agent` is null for operations that
   * concern no existing agent (create, list, registration_token). Runs after the owner check,
   * so another owner's agent is a 404 before it is ever asked.
   * @default everything is allowed
   */
  readonly authorize?: (
    actor: string,
    operation: BerthOperation,
    agent: AgentView | null,
    identity: BerthIdentity,
  ) => boolean | Promise<boolean>;
  /**
   * The vendor profiles `?profile=` may name; the response then carries `vendorStatus`, the
   * agent's status in that vendor's words. Pass `false` to ignore `?profile=`.
   * @default `PROFILES` of `@berth/core` (agentstead, alfe, exocorp, sekuire, opstage)
   */
  readonly profiles?: Readonly<Partial<Record<ProfileName, VendorProfile>>> | false;
  /** Interval of the SSE `: keepalive` comment. @default 15_000 */
  readonly sseHeartbeatMs?: number;
  /**
   * Where idempotent responses are kept. @default the manager's store (`manager.idempotent`):
   * durable with a durable store, keys scoped and capped per owner
   */
  readonly idempotencyStore?: IdempotencyStore;
  /** How long an `Idempotency-Key` is remembered. @default 24 hours */
  readonly idempotencyTtlMs?: number;
  /** Time source for idempotency expiry with a custom `idempotencyStore` (else the manager's clock). @default Date.now */
  readonly now?: () => number;
  /** The `type` URI of a problem. @default `urn:berth:error:<code>` */
  readonly problemType?: (code: ErrorCode) => string;
  /** Called with every error answered with a 5xx (the response never shows its message). @default console.error */
  readonly onError?: (error: Error, req: N) => void;
  /**
   * Failed operator authentications allowed per client (`HttpRequest.client`) per window;
   * beyond them every operator call of that client answers 429 RATE_LIMITED with
   * `Retry-After` until the window ends. `false` turns it off.
   * @default `{ windowMs: 60_000, limit: 30 }`
   */
  readonly authFailureLimit?: RateLimit | false;
  /**
   * Rate limit of `POST /agents/register` per client, or `false` to switch it off (the
   * Express binding applies it with express-rate-limit instead).
   * @default `{ windowMs: 60_000, limit: 30 }`
   */
  readonly registerRateLimit?: RateLimit | false;
  /** `servers` of the OpenAPI document (e.g. `[{ url: '/api' }]`). @default [] */
  readonly openApiServers?: readonly { readonly url: string; readonly description?: string }[];
}
