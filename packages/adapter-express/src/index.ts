/**
 * `@berth/adapter-express`: an Express 5 router serving the Berth HTTP contract (operator API,
 * agent API, SSE status stream, OpenAPI 3.1) over a lifecycle manager.
 *
 * @module
 */
export { createBerthRouter } from './router.js';
export type { BerthIdentity, BerthOperation, BerthRouterOptions, RegisterRateLimit } from './options.js';
export {
  createMemoryIdempotencyStore,
  type IdempotencyStore,
  type MemoryIdempotencyStoreOptions,
} from './idempotency.js';
export { buildOpenApiDocument, type OpenApiOptions } from './openapi.js';
export { defaultProblemType, PROBLEM_CONTENT_TYPE, type Problem, toProblem } from './problem.js';
