/**
 * `@berth/adapter-express`: the Express 5 binding of `@berth/core/http`. `createBerthRouter`
 * serves the Berth HTTP contract (operator API, agent API, SSE status stream, OpenAPI 3.1)
 * over a lifecycle manager; routes, checks and the OpenAPI document all come from core's one
 * route table, and this package only parses bodies, rate-limits registration and writes
 * responses.
 *
 * @module
 */
export { createBerthRouter } from './router.js';
export type { BerthIdentity, BerthOperation, BerthRouterOptions, RegisterRateLimit } from './options.js';
export {
  buildOpenApiDocument,
  createMemoryIdempotencyStore,
  defaultProblemType,
  type IdempotencyStore,
  type MemoryIdempotencyStoreOptions,
  type OpenApiOptions,
  PROBLEM_CONTENT_TYPE,
  type Problem,
  toProblem,
} from '@berth/core/http';
