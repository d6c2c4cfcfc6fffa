/**
 * `@berth/core/http`: the Berth HTTP contract (API.md) without a framework. One route table
 * ({@link ROUTES}) that {@link createBerthHandler} serves and {@link buildOpenApiDocument}
 * documents; bindings such as `@berth/adapter-express` only translate requests and responses.
 *
 * @example
 * ```ts
 * import { createBerthHandler } from '@berth/core/http';
 * const handler = createBerthHandler(manager, { authenticate });
 * const response = await handler.handle({ method, path, query, headers, body, signal, native });
 * ```
 *
 * @module
 */
export { type BerthHttpHandler, createBerthHandler } from './handler.js';
export {
  bearerToken,
  checkIfMatch,
  headerOf,
  idempotencyKey,
  ifMatchVersions,
  lastEventIdOf,
} from './headers.js';
export {
  createMemoryIdempotencyStore,
  type IdempotencyStore,
  type IdempotentRequest,
  type IdempotentResponse,
  type MemoryIdempotencyStoreOptions,
  requestFingerprint,
  runIdempotent,
  type StoredResponse,
} from './idempotency.js';
export { matchRoute, type RouteMatch, routeOf } from './match.js';
export { buildOpenApiDocument, type OpenApiOptions } from './openapi.js';
export type { Outcome, RouteContext } from './operations.js';
export { defaultProblemType, PROBLEM_CONTENT_TYPE, type Problem, toProblem } from './problem.js';
export { type AuthKind, type IdempotencyScope, type OperationId, ROUTES, type RouteSpec } from './routes.js';
export { auditEntryToHttp, commandToHttp, revisionToHttp, toIso } from './serialize.js';
export { SSE_HEADERS, type StatusStreamInput, statusEvents } from './sse.js';
export type {
  BerthHandlerOptions,
  BerthIdentity,
  BerthOperation,
  HttpHeaders,
  HttpRequest,
  HttpResponse,
  HttpResponseHeaders,
} from './types.js';
export {
  announcesBody,
  bodyLimitBytes,
  checkBodyHeaders,
  DEFAULT_BODY_LIMIT,
  FORBIDDEN_BODY_KEYS,
  parseJsonText,
  readJsonBody,
  refuseForbiddenKeys,
  tooLarge,
} from './body.js';
export { createRateLimiter, type RateLimit, type RateLimiter, rateLimited } from './rate-limit.js';
export { serializeBody } from './json.js';
