/**
 * Options of `createBerthRouter`.
 *
 * @module
 */
import type { Action, AgentView, ErrorCode, ProfileName, VendorProfile } from '@berth/core';
import type { Request } from 'express';
import type { IdempotencyStore } from './idempotency.js';

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
  | 'enqueue_command';

/** Limits of the registration endpoint's rate limiter (express-rate-limit). */
export interface RegisterRateLimit {
  /** Window length in milliseconds. @default 60_000 */
  readonly windowMs?: number;
  /** Requests per client (by IP) per window. @default 30 */
  readonly limit?: number;
}

/** Options of `createBerthRouter`. */
export interface BerthRouterOptions {
  /**
   * Identify the caller of an operator route; `null` answers 401 UNAUTHORIZED. Agent API
   * routes (register, heartbeat, poll, result) authenticate with agent tokens instead.
   * @default every caller is `{ actor: 'anonymous' }` with no owner scope (development only)
   */
  readonly authenticate?: (req: Request) => BerthIdentity | null | Promise<BerthIdentity | null>;
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
  /** Largest accepted JSON body (bytes or a `bytes` string such as `'100kb'`); 413 beyond it. @default '100kb' */
  readonly bodyLimit?: number | string;
  /**
   * The vendor profiles `?profile=` may name; the response then carries `vendorStatus`, the
   * agent's status in that vendor's words. Pass `false` to ignore `?profile=`.
   * @default `PROFILES` of `@berth/core` (agentstead, alfe, exocorp, sekuire, opstage)
   */
  readonly profiles?: Readonly<Partial<Record<ProfileName, VendorProfile>>> | false;
  /** Interval of the SSE `: keepalive` comment. @default 15_000 */
  readonly sseHeartbeatMs?: number;
  /** Rate limit of `POST /agents/register`, or `false` to switch it off. @default 30 per minute per IP */
  readonly registerRateLimit?: RegisterRateLimit | false;
  /** Where idempotent responses are kept. @default an in-memory store */
  readonly idempotencyStore?: IdempotencyStore;
  /** How long an `Idempotency-Key` is remembered. @default 24 hours */
  readonly idempotencyTtlMs?: number;
  /** Time source for idempotency expiry. @default Date.now */
  readonly now?: () => number;
  /** The `type` URI of a problem. @default `urn:berth:error:<code>` */
  readonly problemType?: (code: ErrorCode) => string;
  /** Called with every error answered with a 5xx (the response never shows its message). @default console.error */
  readonly onError?: (error: Error, req: Request) => void;
  /** Answer unknown paths under the router with a 404 problem instead of passing them on. @default true */
  readonly notFound?: boolean;
  /** `servers` of the OpenAPI document (e.g. `[{ url: '/api' }]`). @default [] */
  readonly openApiServers?: readonly { readonly url: string; readonly description?: string }[];
}
