/**
 * `createBerthRouter(manager, options)`: the HTTP contract (API.md) over a lifecycle manager.
 * Every handler parses its input with the zod schemas of `@berth/core`, calls the manager and
 * maps the result; lifecycle decisions all stay in the manager.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import {
  type Action,
  ActionBodySchema,
  ActionParamsSchema,
  type AgentView,
  AgentParamsSchema,
  AuditQuerySchema,
  BerthError,
  CommandBodySchema,
  CommandParamsSchema,
  CommandResultBodySchema,
  CreateAgentBodySchema,
  DestroyBodySchema,
  type DispatchResult,
  GetQuerySchema,
  HeartbeatBodySchema,
  type LifecycleManager,
  ListQuerySchema,
  type ProfileName,
  PollQuerySchema,
  PROFILES,
  parseInput,
  RegisterBodySchema,
  RegistrationTokenBodySchema,
  ValidationError,
  vendorStatus,
  WaitQuerySchema,
} from '@berth/core';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import {
  createMemoryIdempotencyStore,
  requestFingerprint,
  runIdempotent,
  type StoredResponse,
} from './idempotency.js';
import { bearerToken, idempotencyKey, ifMatchVersions, jsonBody } from './http-input.js';
import { buildOpenApiDocument } from './openapi.js';
import type { BerthIdentity, BerthOperation, BerthRouterOptions } from './options.js';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem.js';
import { auditEntryToHttp, commandToHttp, revisionToHttp } from './serialize.js';
import { lastEventIdOf, streamStatusEvents } from './sse.js';

const ANONYMOUS: BerthIdentity = Object.freeze({ actor: 'anonymous' });

/**
 * Create an Express 5 router serving the Berth HTTP contract over `manager`.
 *
 * @param manager - The lifecycle manager (`createLifecycleManager` from `@berth/core`).
 * @param options - Authentication, authorization, limits and idempotency; see {@link BerthRouterOptions}.
 * @returns A router to mount, e.g. `app.use('/api', router)`.
 * @example
 * ```ts
 * import express from 'express';
 * import { createLifecycleManager } from '@berth/core';
 * import { createMemoryDriver } from '@berth/driver-memory';
 * import { createBerthRouter } from '@berth/adapter-express';
 *
 * const manager = createLifecycleManager({ driver: createMemoryDriver() });
 * const app = express();
 * app.use('/api', createBerthRouter(manager, {
 *   authenticate: (req) => (req.headers.authorization === 'Bearer s3cret' ? { actor: 'user:ops', owner: 'acme' } : null),
 * }));
 * app.listen(3000, '127.0.0.1');
 * ```
 */
export function createBerthRouter(manager: LifecycleManager, options: BerthRouterOptions = {}): Router {
  const authenticate = options.authenticate ?? (() => ANONYMOUS);
  const authorize = options.authorize;
  const bodyLimit = options.bodyLimit ?? '100kb';
  const now = options.now ?? Date.now;
  const idempotencyStore = options.idempotencyStore ?? createMemoryIdempotencyStore({ now });
  const idempotencyTtlMs = options.idempotencyTtlMs ?? 24 * 60 * 60 * 1000;
  const heartbeatMs = options.sseHeartbeatMs ?? 15_000;
  const profiles = options.profiles === false ? {} : (options.profiles ?? PROFILES);
  const onError =
    options.onError ??
    ((error: Error) => console.error('berth: request failed with an internal error', error));
  const openApi = buildOpenApiDocument({ servers: options.openApiServers ?? [] });

  const router = express.Router();
  const json = jsonBody(bodyLimit);

  // --- helpers (parsing and mapping only) ---

  async function identify(req: Request): Promise<BerthIdentity> {
    const identity = await authenticate(req);
    if (identity === null || identity === undefined)
      throw new BerthError('UNAUTHORIZED', 'missing or invalid credentials');
    return identity;
  }

  async function allow(
    identity: BerthIdentity,
    operation: BerthOperation,
    agent: AgentView | null,
  ): Promise<void> {
    if (authorize !== undefined && !(await authorize(identity.actor, operation, agent, identity)))
      throw new BerthError('FORBIDDEN', `not allowed to ${operation.replaceAll('_', ' ')}`);
  }

  /** Load the agent as this caller may see it (another owner's agent is AGENT_NOT_FOUND) and authorize. */
  async function agentFor(
    identity: BerthIdentity,
    id: string,
    operation: BerthOperation,
  ): Promise<AgentView> {
    const agent = await manager.get(id, { owner: identity.owner });
    await allow(identity, operation, agent);
    return agent;
  }

  /** The owner a body may name: never another one than the credentials fix. */
  function ownerFor(identity: BerthIdentity, requested: string | undefined): string | undefined {
    if (identity.owner !== undefined && requested !== undefined && requested !== identity.owner)
      throw new ValidationError('owner is fixed by your credentials', [
        { path: 'owner', message: `your credentials act for owner '${identity.owner}'; leave owner out` },
      ]);
    return identity.owner ?? requested;
  }

  /** The version `If-Match` asks for (checked against the current one), or undefined. */
  function expectedVersion(req: Request, agent: AgentView): number | undefined {
    const versions = ifMatchVersions(req);
    if (versions === undefined) return undefined;
    if (!versions.includes(agent.version))
      throw new BerthError(
        'VERSION_MISMATCH',
        `If-Match names version ${versions.map((v) => (Number.isNaN(v) ? '?' : v)).join(', ')}; the agent is at version ${agent.version}`,
        { meta: { version: agent.version } },
      );
    return agent.version;
  }

  function decorate(
    agent: AgentView,
    profile: ProfileName | undefined,
  ): AgentView & { vendorStatus?: string } {
    const vendor = profile === undefined ? undefined : profiles[profile];
    if (vendor === undefined) return agent;
    return { ...agent, vendorStatus: vendorStatus(vendor, agent.status, agent.kind) };
  }

  const scopeOf = (identity: BerthIdentity) =>
    identity.owner !== undefined ? `owner:${identity.owner}` : `actor:${identity.actor}`;

  /** Run a mutation under the request's Idempotency-Key and send its (maybe replayed) response. */
  async function idempotent(
    req: Request,
    res: Response,
    scope: string,
    body: unknown,
    run: () => Promise<StoredResponse>,
  ): Promise<void> {
    const key = idempotencyKey(req);
    const result = await runIdempotent(
      {
        store: idempotencyStore,
        key,
        scope,
        fingerprint: requestFingerprint(req.method, req.baseUrl + req.path, body),
        now: now(),
        ttlMs: idempotencyTtlMs,
      },
      run,
    );
    if (result.replayed) res.set('Idempotent-Replayed', 'true');
    reply(res, result);
  }

  function reply(res: Response, response: StoredResponse): void {
    // The agent's version is its ETag, whether the body is the agent or `{agent, operation}`.
    const body = response.body as { version?: unknown; agent?: { version?: unknown } } | null | undefined;
    const version = body?.agent?.version ?? body?.version;
    if (typeof version === 'number') res.set('ETag', `"${version}"`);
    if (response.status === 204 || response.body === undefined) res.status(response.status).end();
    else res.status(response.status).json(response.body);
  }

  const actionReply = (result: DispatchResult): StoredResponse =>
    result.operation === null
      ? { status: 200, body: { agent: result.agent } }
      : { status: 202, body: { agent: result.agent, operation: result.operation } };

  async function dispatchAction(
    req: Request,
    res: Response,
    id: string,
    action: Action,
    body: {
      reason?: string;
      confirm?: string;
      revision?: string;
      image?: string;
      config?: Record<string, unknown>;
    },
  ): Promise<void> {
    const identity = await identify(req);
    const agent = await agentFor(identity, id, action);
    await idempotent(req, res, scopeOf(identity), body, async () => {
      const version = expectedVersion(req, agent);
      const result = await manager.dispatch(id, action, {
        ...body,
        actor: identity.actor,
        owner: identity.owner,
        expectedVersion: version,
      });
      return actionReply(result);
    });
  }

  // --- agent API (registered first: `/agents/register` is not an agent id) ---

  if (options.registerRateLimit !== false) {
    const limits = options.registerRateLimit ?? {};
    router.post(
      '/agents/register',
      rateLimit({
        windowMs: limits.windowMs ?? 60_000,
        limit: limits.limit ?? 30,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        handler: (_req, _res, next) =>
          next(new BerthError('RATE_LIMITED', 'too many registration attempts; retry later')),
      }),
    );
  }

  router.post('/agents/register', json, async (req, res) => {
    const body = parseInput(RegisterBodySchema, req.body, 'body');
    const tokenScope = createHash('sha256').update(body.registrationToken).digest('hex');
    await idempotent(req, res, `register:${tokenScope}`, body, async () => ({
      status: 201,
      body: await manager.register(body),
    }));
  });

  router.post('/agents/:id/heartbeat', json, async (req, res) => {
    const token = bearerToken(req);
    const { id } = parseInput(AgentParamsSchema, req.params, 'path');
    await manager.authenticateAgent(id, token);
    parseInput(HeartbeatBodySchema, req.body ?? {}, 'body');
    await idempotent(req, res, `agent:${id}`, req.body ?? {}, async () => {
      await manager.heartbeat(id);
      return { status: 204, body: undefined };
    });
  });

  router.get('/agents/:id/commands', async (req, res) => {
    const token = bearerToken(req);
    const { id } = parseInput(AgentParamsSchema, req.params, 'path');
    await manager.authenticateAgent(id, token);
    const query = parseInput(PollQuerySchema, req.query, 'query');
    const commands = await manager.pollCommands(id, { limit: query.limit });
    res.status(200).json({ commands: commands.map(commandToHttp) });
  });

  router.post('/agents/:id/commands/:commandId/result', json, async (req, res) => {
    const token = bearerToken(req);
    const { id, commandId } = parseInput(CommandParamsSchema, req.params, 'path');
    await manager.authenticateAgent(id, token);
    const body = parseInput(CommandResultBodySchema, req.body, 'body');
    await idempotent(req, res, `agent:${id}`, body, async () => {
      await manager.completeCommand(id, commandId, body);
      return { status: 204, body: undefined };
    });
  });

  // --- operator API ---

  router.get('/openapi.json', (_req, res) => {
    res.status(200).json(openApi);
  });

  router.post('/agents', json, async (req, res) => {
    const identity = await identify(req);
    const body = parseInput(CreateAgentBodySchema, req.body, 'body');
    const owner = ownerFor(identity, body.owner);
    await allow(identity, 'create', null);
    await idempotent(req, res, scopeOf(identity), body, async () => ({
      status: 201,
      body: await manager.create({ ...body, owner }, { actor: identity.actor }),
    }));
  });

  router.get('/agents', async (req, res) => {
    const identity = await identify(req);
    const query = parseInput(ListQuerySchema, req.query, 'query');
    await allow(identity, 'list', null);
    const agents =
      identity.owner !== undefined && query.owner !== undefined && query.owner !== identity.owner
        ? []
        : await manager.list({ owner: identity.owner ?? query.owner, status: query.status });
    res.status(200).json({ agents: agents.map((a) => decorate(a, query.profile)) });
  });

  router.get('/agents/:id', async (req, res) => {
    const identity = await identify(req);
    const { id } = parseInput(AgentParamsSchema, req.params, 'path');
    const query = parseInput(GetQuerySchema, req.query, 'query');
    const agent = await agentFor(identity, id, 'read');
    res.set('ETag', `"${agent.version}"`);
    res.status(200).json(decorate(agent, query.profile));
  });

  router.post('/agents/:id/actions/:action', json, async (req, res) => {
    const { id, action } = parseInput(ActionParamsSchema, req.params, 'path');
    const body = parseInput(ActionBodySchema, req.body ?? {}, 'body');
    await dispatchAction(req, res, id, action, body);
  });

  router.delete('/agents/:id', json, async (req, res) => {
    const { id } = parseInput(AgentParamsSchema, req.params, 'path');
    const body = parseInput(DestroyBodySchema, req.body ?? {}, 'body');
    await dispatchAction(req, res, id, 'destroy', body);
  });

  router.get('/agents/:id/wait', async (req, res) => {
    const identity = await identify(req);
    const { id } = parseInput(AgentParamsSchema, req.params, 'path');
    const query = parseInput(WaitQuerySchema, req.query, 'query');
    await agentFor(identity, id, 'wait');
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    let agent: AgentView;
    try {
      agent = await manager.waitFor(id, query.status, {
        timeout: query.timeout * 1000,
        signal: abort.signal,
        owner: identity.owner,
      });
    } catch (error) {
      if (abort.signal.aborted) return; // the client went away: nobody to answer
      throw error;
    }
    res.set('ETag', `"${agent.version}"`);
    res.status(200).json(decorate(agent, query.profile));
  });

  router.get('/agents/:id/events', async (req, res) => {
    const identity = await identify(req);
    const { id } = parseInput(AgentParamsSchema, req.params, 'path');
    await agentFor(identity, id, 'events');
    await streamStatusEvents({
      manager,
      agentId: id,
      owner: identity.owner,
      lastEventId: lastEventIdOf(req),
      heartbeatMs,
      req,
      res,
    });
  });

  router.get('/agents/:id/audit', async (req, res) => {
    const identity = await identify(req);
    const { id } = parseInput(AgentParamsSchema, req.params, 'path');
    const query = parseInput(AuditQuerySchema, req.query, 'query');
    await agentFor(identity, id, 'audit');
    // One page (one entry more tells whether another follows), as @berth/core/http serves it.
    const entries = await manager.audit(id, {
      after: query.after,
      limit: query.limit + 1,
      owner: identity.owner,
    });
    const page = entries.slice(0, query.limit);
    const next = entries.length > query.limit ? page.at(-1)!.seq : null;
    res.status(200).json({ entries: page.map(auditEntryToHttp), next });
  });

  router.get('/agents/:id/audit/verify', async (req, res) => {
    const identity = await identify(req);
    const { id } = parseInput(AgentParamsSchema, req.params, 'path');
    await agentFor(identity, id, 'audit');
    res.status(200).json(await manager.verifyAudit(id, { owner: identity.owner }));
  });

  router.get('/agents/:id/revisions', async (req, res) => {
    const identity = await identify(req);
    const { id } = parseInput(AgentParamsSchema, req.params, 'path');
    await agentFor(identity, id, 'revisions');
    const revisions = await manager.revisions(id, { owner: identity.owner });
    res.status(200).json({ revisions: revisions.map(revisionToHttp) });
  });

  router.post('/registration-tokens', json, async (req, res) => {
    const identity = await identify(req);
    const body = parseInput(RegistrationTokenBodySchema, req.body ?? {}, 'body');
    const owner = ownerFor(identity, body.owner);
    await allow(identity, 'registration_token', null);
    await idempotent(req, res, scopeOf(identity), body, async () => ({
      status: 201,
      body: await manager.createRegistrationToken({ owner, expiresInSeconds: body.expiresInSeconds }),
    }));
  });

  router.post('/agents/:id/commands', json, async (req, res) => {
    const identity = await identify(req);
    const { id } = parseInput(AgentParamsSchema, req.params, 'path');
    const body = parseInput(CommandBodySchema, req.body, 'body');
    const agent = await agentFor(identity, id, 'enqueue_command');
    await idempotent(req, res, scopeOf(identity), body, async () => {
      expectedVersion(req, agent);
      const command = await manager.enqueueCommand(
        id,
        { type: body.type, payload: body.payload },
        { owner: identity.owner },
      );
      return {
        status: 201,
        body: { command: { id: command.id, type: command.type, status: command.status } },
      };
    });
  });

  // --- fallbacks ---

  if (options.notFound !== false)
    router.use((req: Request) => {
      throw new BerthError('NOT_FOUND', `no route for ${req.method} ${req.baseUrl}${req.path}`);
    });

  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      // A stream (SSE) or a response already under way: nothing more can be said.
      if (!res.writableEnded) res.end();
      return;
    }
    const { problem, error: berth } = toProblem(error, options.problemType);
    if (problem.status >= 500) onError(berth, req);
    if (problem.code === 'UNAUTHORIZED') res.set('WWW-Authenticate', 'Bearer');
    res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
    void next;
  });

  return router;
}
