/**
 * `createBerthHandler(manager, options)`: the Berth HTTP API over a plain request shape. The
 * path of every request is the same, in this one file: match the route, know the caller
 * (operator identity or agent token), parse params, query and body with the route's zod
 * schemas, load the agent as this caller may see it and ask `authorize`, then — under the
 * route's `Idempotency-Key` scope — check `If-Match` and run the operation. An action that
 * needs none of `authorize`, `If-Match` or a key is not loaded first: the dispatch's own load
 * is the only one (another owner's agent is still 404 before anything else). Anything thrown
 * becomes a problem response.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import {
  type AgentView,
  BerthError,
  type LifecycleManager,
  type ProfileName,
  PROFILES,
  parseInput,
  ValidationError,
  vendorStatus,
} from '../index.js';
import { bearerToken, checkIfMatch, headerOf, idempotencyKey, notModified } from './headers.js';
import { refuseForbiddenKeys } from './body.js';
import { type IdempotentResponse, requestFingerprint, runIdempotent } from './idempotency.js';
import { matchRoute, type RouteMatch, routeOf } from './match.js';
import { buildOpenApiDocument } from './openapi.js';
import { OPERATIONS, type Outcome, type RouteContext } from './operations.js';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem.js';
import { createRateLimiter, type RateLimiter, rateLimited } from './rate-limit.js';
import type { RouteSpec } from './routes.js';
import type {
  BerthHandlerOptions,
  BerthIdentity,
  BerthOperation,
  HttpRequest,
  HttpResponse,
} from './types.js';

const ANONYMOUS: BerthIdentity = Object.freeze({ actor: 'anonymous' });
const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/** The framework-free Berth HTTP API. */
export interface BerthHttpHandler<N = unknown> {
  /** Answer one request. Never throws: errors are problem responses. */
  handle(request: HttpRequest<N>): Promise<HttpResponse>;
  /**
   * The problem response for an error a binding met itself (body parsing, its rate limiter,
   * a malformed path), reported to `onError` when it is a 5xx.
   */
  problem(error: unknown, native: N): HttpResponse;
  /** The OpenAPI 3.1 document served at `GET /openapi.json`. */
  readonly openApi: Readonly<Record<string, unknown>>;
}

/**
 * Create the framework-agnostic handler of the Berth HTTP contract (API.md) over `manager`.
 * Bindings (`@berth/adapter-express`, fetch, `node:http`) translate requests and responses.
 *
 * @param manager - The lifecycle manager.
 * @param options - Authentication, authorization, idempotency and the rest; see {@link BerthHandlerOptions}.
 * @example
 * ```ts
 * const handler = createBerthHandler(manager, { authenticate: (req: Request) => ({ actor: 'user:ops' }) });
 * const response = await handler.handle({
 *   method: 'GET', path: '/agents', query: {}, headers: {}, body: undefined,
 *   signal: AbortSignal.timeout(30_000), native: request,
 * });
 * ```
 */
export function createBerthHandler<N = unknown>(
  manager: LifecycleManager,
  options: BerthHandlerOptions<N> = {},
): BerthHttpHandler<N> {
  const authenticate = options.authenticate ?? (() => ANONYMOUS);
  const authorize = options.authorize;
  const now = options.now ?? Date.now;
  // Keys live in the manager's store (durable, capped per owner) unless a store is given.
  const idempotencyStore = options.idempotencyStore;
  const idempotencyTtlMs = options.idempotencyTtlMs ?? 24 * 60 * 60 * 1000;
  const sseHeartbeatMs = options.sseHeartbeatMs ?? 15_000;
  const profiles = options.profiles === false ? {} : (options.profiles ?? PROFILES);
  const onError =
    options.onError ??
    ((error: Error) => console.error('berth: request failed with an internal error', error));
  const openApi = buildOpenApiDocument({ servers: options.openApiServers ?? [] });
  const limiter = (limits: BerthHandlerOptions['registerRateLimit']): RateLimiter | undefined =>
    limits === false ? undefined : createRateLimiter(limits ?? {}, 30, now);
  const authFailures = limiter(options.authFailureLimit);
  const registrations = limiter(options.registerRateLimit);

  const decorate = (agent: AgentView, profile: ProfileName | undefined): AgentView => {
    const vendor = profile === undefined ? undefined : profiles[profile];
    if (vendor === undefined) return agent;
    return { ...agent, vendorStatus: vendorStatus(vendor, agent.status, agent.kind) } as AgentView;
  };

  /** The operator identity, or 401; failures count per client, and a client over its limit gets 429. */
  async function identify(req: HttpRequest<N>): Promise<BerthIdentity> {
    const client = req.client;
    if (authFailures !== undefined && client !== undefined) {
      const wait = authFailures.retryAfter(client);
      if (wait > 0) throw rateLimited('too many failed authentications; retry later', wait);
    }
    const identity = await authenticate(req.native);
    if (identity === null || identity === undefined) {
      if (authFailures !== undefined && client !== undefined) authFailures.hit(client);
      throw new BerthError('UNAUTHORIZED', 'missing or invalid credentials');
    }
    return identity;
  }

  /** The owner a body may name: never another one than the credentials fix. */
  function ownerFor(identity: BerthIdentity, requested: unknown): string | undefined {
    const named = typeof requested === 'string' ? requested : undefined;
    if (identity.owner !== undefined && named !== undefined && named !== identity.owner)
      throw new ValidationError('owner is fixed by your credentials', [
        { path: 'owner', message: `your credentials act for owner '${identity.owner}'; leave owner out` },
      ]);
    return identity.owner ?? named;
  }

  /** Who the caller is, the parsed input, and the agent the route concerns (authorized). */
  async function prepare(route: RouteSpec, rawParams: Readonly<Record<string, string>>, req: HttpRequest<N>) {
    const params = () => (route.params ? parseInput(route.params, rawParams, 'path') : EMPTY);
    const query = () => (route.query ? parseInput(route.query, req.query, 'query') : EMPTY);
    // The body is read only now, after the caller is known (or the route needs no caller).
    const body = async () => {
      if (!route.body) return EMPTY;
      const raw = req.readBody !== undefined ? await req.readBody() : req.body;
      refuseForbiddenKeys(raw);
      return parseInput(route.body, route.bodyRequired ? raw : (raw ?? {}), 'body') as Record<
        string,
        unknown
      >;
    };
    if (route.auth === 'agent') {
      const token = bearerToken(req.headers);
      const p = params();
      const agent = await manager.authenticateAgent(p.id as string, token);
      return {
        identity: ANONYMOUS,
        owner: undefined,
        params: p,
        query: query(),
        body: await body(),
        agent,
        loadLate: false,
      };
    }
    if (route.auth === 'none')
      return {
        identity: ANONYMOUS,
        owner: undefined,
        params: params(),
        query: query(),
        body: await body(),
        agent: null,
        loadLate: false,
      };
    let identity: BerthIdentity;
    let p: Readonly<Record<string, unknown>>;
    let q: Readonly<Record<string, unknown>>;
    if (route.inputFirst) {
      [p, q] = [params(), query()];
      identity = await identify(req);
    } else {
      identity = await identify(req);
      [p, q] = [params(), query()];
    }
    const b = await body();
    const owner = route.ownerInBody ? ownerFor(identity, b.owner) : identity.owner;
    let agent: AgentView | null = null;
    // The operation's own load is the only one, when nothing needs the agent before it runs.
    const loadLate =
      route.loadsAgent === true &&
      authorize === undefined &&
      headerOf(req.headers, 'if-match') === undefined &&
      headerOf(req.headers, 'idempotency-key') === undefined;
    if (route.authorize !== undefined) {
      const { operation, agent: concernsAgent } = route.authorize;
      if (concernsAgent && !loadLate) agent = await manager.get(p.id as string, { owner: identity.owner });
      const asked = (operation === 'action' ? p.action : operation) as BerthOperation;
      if (authorize !== undefined && !(await authorize(identity.actor, asked, agent, identity)))
        throw new BerthError('FORBIDDEN', `not allowed to ${asked.replaceAll('_', ' ')}`);
    }
    return { identity, owner, params: p, query: q, body: b, agent, loadLate };
  }

  /**
   * A failure of an operation that loaded the agent itself: on an agent the caller cannot see
   * it is AGENT_NOT_FOUND, whatever the operation found wrong first (as if loaded up front).
   */
  async function seenFirst(error: unknown, agentId: string, identity: BerthIdentity): Promise<never> {
    if (!(error instanceof BerthError && error.code === 'AGENT_NOT_FOUND'))
      await manager.get(agentId, { owner: identity.owner });
    throw error;
  }

  /**
   * Whose key it is: `scope` is the unit of the per-owner cap (an agent's keys count as its
   * owner's), `prefix` keeps the keys of one scope's callers apart.
   */
  function scopeOf(
    route: RouteSpec,
    ctx: Pick<RouteContext, 'identity' | 'params' | 'body' | 'agent'>,
  ): { scope: string; prefix: string } {
    switch (route.idempotent) {
      case 'agent':
        return {
          scope: ctx.agent !== null ? `owner:${ctx.agent.owner}` : `agent:${ctx.params.id as string}`,
          prefix: `http:agent:${ctx.params.id as string}:`,
        };
      case 'registrationToken':
        return {
          scope: `register:${createHash('sha256').update(String(ctx.body.registrationToken)).digest('hex')}`,
          prefix: 'http:',
        };
      default:
        return ctx.identity.owner !== undefined
          ? { scope: `owner:${ctx.identity.owner}`, prefix: 'http:' }
          : { scope: `actor:${ctx.identity.actor}`, prefix: 'http:' };
    }
  }

  function respond(outcome: Outcome, replayed: boolean): HttpResponse {
    if ('kind' in outcome) return outcome;
    const headers: Record<string, string> = {};
    if (replayed) headers['Idempotent-Replayed'] = 'true';
    // The agent's version is its ETag, whether the body is the agent or `{agent, operation}`.
    const body = outcome.body as { version?: unknown; agent?: { version?: unknown } } | null | undefined;
    const version = body?.agent?.version ?? body?.version;
    if (typeof version === 'number') headers.ETag = `"${version}"`;
    if (outcome.status === 204 || outcome.body === undefined)
      return { kind: 'empty', status: outcome.status, headers };
    return { kind: 'json', status: outcome.status, headers, body: outcome.body };
  }

  function problem(error: unknown, native: N): HttpResponse {
    const { problem: body, error: berth } = toProblem(error, options.problemType);
    if (body.status >= 500) onError(berth, native);
    const headers: Record<string, string> = { 'Content-Type': PROBLEM_CONTENT_TYPE };
    if (body.code === 'UNAUTHORIZED') headers['WWW-Authenticate'] = 'Bearer';
    const retryAfter = berth.meta?.retryAfter;
    if (body.code === 'RATE_LIMITED' && typeof retryAfter === 'number')
      headers['Retry-After'] = String(retryAfter);
    return { kind: 'json', status: body.status, headers, body };
  }

  function find(req: HttpRequest<N>): RouteMatch | null {
    if (req.operationId === undefined) return matchRoute(req.method, req.path);
    const route = routeOf(req.operationId);
    return route === undefined ? null : { route, params: req.params ?? {} };
  }

  async function handle(req: HttpRequest<N>): Promise<HttpResponse> {
    try {
      const match = find(req);
      if (match === null)
        throw new BerthError('NOT_FOUND', `no route for ${req.method} ${req.mount ?? ''}${req.path}`);
      const { route } = match;
      if (route.operationId === 'registerAgent' && registrations !== undefined && req.client !== undefined) {
        const wait = registrations.retryAfter(req.client);
        if (wait > 0) throw rateLimited('too many registration attempts; retry later', wait);
        registrations.hit(req.client);
      }
      const prepared = await prepare(route, match.params, req);
      // Named, not spread: V8 copies a spread object on a slow path here (~20 µs a request).
      const context = (expectedVersion: number | undefined): RouteContext => ({
        identity: prepared.identity,
        owner: prepared.owner,
        params: prepared.params,
        query: prepared.query,
        body: prepared.body,
        agent: prepared.agent,
        manager,
        request: req as HttpRequest<unknown>,
        expectedVersion,
        decorate,
        vendorOf: (profile) => (profile === undefined ? undefined : profiles[profile]),
        sseHeartbeatMs,
        openApi,
      });
      const run = OPERATIONS[route.operationId];
      if (route.idempotent === undefined) {
        const response = respond(await run(context(undefined)), false);
        // A conditional GET whose ETag still matches: 304, no body.
        const etag = response.kind === 'json' ? response.headers.ETag : undefined;
        if (req.method === 'GET' && response.kind === 'json' && response.status === 200 && etag !== undefined)
          if (notModified(req.headers, etag)) return { kind: 'empty', status: 304, headers: { ETag: etag } };
        return response;
      }
      const key = idempotencyKey(req.headers);
      const work = async () => {
        const version =
          route.ifMatch && prepared.agent !== null
            ? checkIfMatch(req.headers, prepared.agent.version)
            : undefined;
        if (!prepared.loadLate) return (await run(context(version))) as IdempotentResponse;
        try {
          return (await run(context(version))) as IdempotentResponse;
        } catch (error) {
          return seenFirst(error, prepared.params.id as string, prepared.identity);
        }
      };
      // Without a key there is nothing to remember: run it (no fingerprint, no store round trip).
      if (key === undefined) return respond(await work(), false);
      const { scope, prefix } = scopeOf(route, prepared);
      const fingerprint = requestFingerprint(req.method, `${req.mount ?? ''}${req.path}`, prepared.body);
      const result =
        idempotencyStore === undefined
          ? await manager.idempotent(
              {
                scope,
                key: prefix + key,
                fingerprint,
                ttlMs: idempotencyTtlMs,
              },
              work,
            )
          : await runIdempotent(
              { store: idempotencyStore, key, scope, fingerprint, now: now(), ttlMs: idempotencyTtlMs },
              work,
            );
      return respond(result, result.replayed);
    } catch (error) {
      return problem(error, req.native);
    }
  }

  return { handle, problem, openApi };
}
