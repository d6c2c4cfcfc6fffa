/**
 * What each route of the table does once its caller is known, its input parsed, its agent
 * loaded and authorized and its `If-Match` checked (all in `handler.ts`): call the manager
 * and shape the answer. One function per operation id; the compiler checks none is missing.
 *
 * @module
 */
import {
  type Action,
  type AgentView,
  type DispatchResult,
  type LifecycleManager,
  type ProfileName,
  type Status,
  type VendorProfile,
  vendorAuditAction,
} from '../index.js';
import { CATALOG_OPERATIONS } from './catalog-operations.js';
import type { IdempotentResponse } from './idempotency.js';
import type { OperationId } from './routes.js';
import { auditEntryToHttp, commandToHttp, revisionToHttp } from './serialize.js';
import { SSE_HEADERS, statusEvents } from './sse.js';
import { lastEventIdOf } from './headers.js';
import type { BerthIdentity, HttpRequest, HttpResponse } from './types.js';

/** Everything an operation gets: parsed, checked input. */
export interface RouteContext {
  readonly manager: LifecycleManager;
  readonly request: HttpRequest<unknown>;
  /** The operator (agent and anonymous routes: `{ actor: 'anonymous' }`). */
  readonly identity: BerthIdentity;
  /** The owner the request acts for (the credentials' owner, or the body's for an administrator). */
  readonly owner: string | undefined;
  readonly params: Readonly<Record<string, unknown>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: Readonly<Record<string, unknown>>;
  /** The agent the route concerns, as this caller may see it (null for agent-less routes). */
  readonly agent: AgentView | null;
  /** The version `If-Match` named (already checked), or undefined. */
  readonly expectedVersion: number | undefined;
  /** The agent with `vendorStatus` when `?profile=` names a known profile. */
  readonly decorate: (agent: AgentView, profile: ProfileName | undefined) => AgentView;
  /** The vendor profile `?profile=` names, among those the handler serves (or undefined). */
  readonly vendorOf: (profile: ProfileName | undefined) => VendorProfile | undefined;
  readonly sseHeartbeatMs: number;
  readonly openApi: Readonly<Record<string, unknown>>;
}

/** What an operation answers: JSON or empty, or a stream / nothing at all. */
export type Outcome = IdempotentResponse | HttpResponse;

/** One route's work. */
export type Operation = (ctx: RouteContext) => Promise<Outcome>;

const str = (v: unknown): string => v as string;
const profileOf = (ctx: RouteContext) => ctx.query.profile as ProfileName | undefined;

const actionReply = (result: DispatchResult): IdempotentResponse =>
  result.operation === null
    ? { status: 200, body: { agent: result.agent } }
    : {
        status: 202,
        body: result,
        // recreate's new credentials, when it answers them, are shown this once.
        secret: 'credentials' in result,
      };

function dispatch(ctx: RouteContext, action: Action): Promise<IdempotentResponse> {
  return (
    ctx.manager
      // Object.assign, not a spread: V8 copies the parsed body on a slow path when spread.
      .dispatch(
        str(ctx.params.id),
        action,
        Object.assign(
          { actor: ctx.identity.actor, owner: ctx.identity.owner, expectedVersion: ctx.expectedVersion },
          ctx.body,
        ),
      )
      .then(actionReply)
  );
}

/** The operations, by operation id. */
export const OPERATIONS: Readonly<Record<OperationId, Operation>> = {
  async createAgent(ctx) {
    const body = ctx.body as unknown as Parameters<LifecycleManager['create']>[0];
    const agent = await ctx.manager.create({ ...body, owner: ctx.owner }, { actor: ctx.identity.actor });
    // Credentials, when the create answers them, are shown this once.
    return { status: 201, body: agent, secret: 'credentials' in agent };
  },
  async listAgents(ctx) {
    const { owner } = ctx.identity;
    const query = ctx.query as { owner?: string; status?: Status };
    const agents =
      owner !== undefined && query.owner !== undefined && query.owner !== owner
        ? []
        : await ctx.manager.list({ owner: owner ?? query.owner, status: query.status });
    return { status: 200, body: { agents: agents.map((a) => ctx.decorate(a, profileOf(ctx))) } };
  },
  async getAgent(ctx) {
    return { status: 200, body: ctx.decorate(ctx.agent!, profileOf(ctx)) };
  },
  actOnAgent: (ctx) => dispatch(ctx, ctx.params.action as Action),
  destroyAgent: (ctx) => dispatch(ctx, 'destroy'),
  async waitForAgent(ctx) {
    const signal = ctx.request.signal;
    let agent: AgentView;
    try {
      agent = await ctx.manager.waitFor(str(ctx.params.id), ctx.query.status as Status, {
        timeout: (ctx.query.timeout as number) * 1000,
        signal,
        owner: ctx.identity.owner,
      });
    } catch (error) {
      if (signal.aborted) return { kind: 'none' }; // the client went away: nobody to answer
      throw error;
    }
    return { status: 200, body: ctx.decorate(agent, profileOf(ctx)) };
  },
  async streamAgentEvents(ctx) {
    const body = statusEvents({
      manager: ctx.manager,
      agentId: str(ctx.params.id),
      owner: ctx.identity.owner,
      lastEventId: lastEventIdOf(ctx.request.headers, ctx.request.query),
      heartbeatMs: ctx.sseHeartbeatMs,
      signal: ctx.request.signal,
    });
    return { kind: 'stream', status: 200, headers: SSE_HEADERS, body };
  },
  async getAgentAudit(ctx) {
    const after = ctx.query.after as number | undefined;
    const limit = ctx.query.limit as number;
    // One entry more than the page tells whether another page follows.
    const entries = await ctx.manager.audit(str(ctx.params.id), {
      after,
      limit: limit + 1,
      owner: ctx.identity.owner,
    });
    const page = entries.slice(0, limit);
    const next = entries.length > limit ? page.at(-1)!.seq : null;
    const vendor = ctx.vendorOf(profileOf(ctx));
    const served = page.map((e) =>
      vendor === undefined
        ? auditEntryToHttp(e)
        : { ...auditEntryToHttp(e), vendorAction: vendorAuditAction(vendor, e) },
    );
    return { status: 200, body: { entries: served, next } };
  },
  async verifyAgentAudit(ctx) {
    return {
      status: 200,
      body: await ctx.manager.verifyAudit(str(ctx.params.id), { owner: ctx.identity.owner }),
    };
  },
  async explainAgent(ctx) {
    return {
      status: 200,
      body: await ctx.manager.explain(str(ctx.params.id), { owner: ctx.identity.owner }),
    };
  },
  async getAgentRevisions(ctx) {
    const revisions = await ctx.manager.revisions(str(ctx.params.id), { owner: ctx.identity.owner });
    return { status: 200, body: { revisions: revisions.map(revisionToHttp) } };
  },
  async createRegistrationToken(ctx) {
    const expiresInSeconds = ctx.body.expiresInSeconds as number | undefined;
    const code = ctx.body.code as string | undefined;
    return {
      status: 201,
      body: await ctx.manager.createRegistrationToken({ owner: ctx.owner, expiresInSeconds, code }),
      // The plaintext token is shown this once: never stored for a replay.
      secret: true,
    };
  },
  async enqueueCommand(ctx) {
    const { type, payload } = ctx.body as { type: string; payload?: unknown };
    const command = await ctx.manager.enqueueCommand(
      str(ctx.params.id),
      { type, payload } as Parameters<LifecycleManager['enqueueCommand']>[1],
      { owner: ctx.identity.owner },
    );
    return { status: 201, body: { command: { id: command.id, type: command.type, status: command.status } } };
  },
  async getOpenApi(ctx) {
    return { status: 200, body: ctx.openApi };
  },
  async registerAgent(ctx) {
    const input = ctx.body as unknown as Parameters<LifecycleManager['register']>[0];
    // The agent token is shown this once: never stored for a replay.
    return { status: 201, body: await ctx.manager.register(input), secret: true };
  },
  async heartbeat(ctx) {
    await ctx.manager.heartbeat(str(ctx.params.id));
    return { status: 204, body: undefined };
  },
  async pollCommands(ctx) {
    const limit = ctx.query.limit as number | undefined;
    const commands = await ctx.manager.pollCommands(str(ctx.params.id), { limit });
    return { status: 200, body: { commands: commands.map(commandToHttp) } };
  },
  async completeCommand(ctx) {
    const result = ctx.body as unknown as Parameters<LifecycleManager['completeCommand']>[2];
    await ctx.manager.completeCommand(str(ctx.params.id), str(ctx.params.commandId), result);
    return { status: 204, body: undefined };
  },
  ...CATALOG_OPERATIONS,
};
