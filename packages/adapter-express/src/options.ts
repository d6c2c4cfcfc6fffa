/**
 * Options of `createBerthRouter`: the handler's options of `@berth/core/http` (with the Express
 * `Request` as the native request), plus what only the Express binding does.
 *
 * @module
 */
import type { BerthHandlerOptions } from '@berth/core/http';
import type { Request } from 'express';

export type { BerthIdentity, BerthOperation } from '@berth/core/http';

/** Limits of the registration endpoint's rate limiter (express-rate-limit). */
export interface RegisterRateLimit {
  /** Window length in milliseconds. @default 60_000 */
  readonly windowMs?: number;
  /** Requests per client (by IP) per window. @default 30 */
  readonly limit?: number;
}

/**
 * Options of `createBerthRouter`. Everything `createBerthHandler` of `@berth/core/http` takes
 * (`authenticate(req)`, `authorize`, `profiles`, `sseHeartbeatMs`, `idempotencyStore`,
 * `idempotencyTtlMs`, `now`, `problemType`, `onError(error, req)`, `openApiServers`), with the
 * Express `Request` as the request, and these of the binding.
 */
export interface BerthRouterOptions extends BerthHandlerOptions<Request> {
  /** Largest accepted JSON body (bytes or a `bytes` string such as `'100kb'`); 413 beyond it. @default '100kb' */
  readonly bodyLimit?: number | string;
  /** Rate limit of `POST /agents/register`, or `false` to switch it off. @default 30 per minute per IP */
  readonly registerRateLimit?: RegisterRateLimit | false;
  /** Answer unknown paths under the router with a 404 problem instead of passing them on. @default true */
  readonly notFound?: boolean;
}
