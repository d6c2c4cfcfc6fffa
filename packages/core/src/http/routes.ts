/**
 * The route table of the Berth HTTP API: ONE list that the handler serves and the OpenAPI
 * generator documents. Each route names its method, path, operation id, how the caller is
 * authenticated, its zod schemas, whether it is idempotent and takes `If-Match`, what
 * `authorize` is asked, and the responses it documents.
 *
 * @module
 */
import {
  ActionBodySchema,
  ActionParamsSchema,
  AgentParamsSchema,
  AuditQuerySchema,
  CommandBodySchema,
  CommandParamsSchema,
  CommandResultBodySchema,
  CreateAgentBodySchema,
  DestroyBodySchema,
  GetQuerySchema,
  HeartbeatBodySchema,
  ListQuerySchema,
  PollQuerySchema,
  RegisterBodySchema,
  RegistrationTokenBodySchema,
  WaitQuerySchema,
} from '../index.js';
import type { z } from 'zod';
import { CATALOG_ROUTES } from './catalog-routes.js';
import { AGENT_AUTH, AUTH, BODY, IDEM, REFUSALS } from './route-errors.js';
import type { BerthOperation } from './types.js';

/**
 * How a route knows its caller: `operator` through the `authenticate` option, `agent` through
 * the agent token (`Authorization: Bearer`), `none` not at all.
 */
export type AuthKind = 'operator' | 'agent' | 'none';

/**
 * Whose `Idempotency-Key`s a route shares: the caller's (owner, or actor when unscoped), the
 * agent's (agent API), or the registration token's (register).
 */
export type IdempotencyScope = 'caller' | 'agent' | 'registrationToken';

/** One route of the table. */
export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** OpenAPI-style path: `/agents/{id}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: 'operator' | 'agent' | 'meta';
  readonly auth: AuthKind;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  /** A missing body fails validation; otherwise a missing body reads as `{}`. */
  readonly bodyRequired?: boolean;
  /** Idempotent under `Idempotency-Key`, and whose keys it shares. */
  readonly idempotent?: IdempotencyScope;
  /** Takes `If-Match` (checked against the agent's version). */
  readonly ifMatch?: boolean;
  /**
   * What `authorize` is asked (`action`: the `:action` parameter), and whether the route
   * concerns an existing agent (loaded for the caller's owner first: another owner's is 404).
   */
  readonly authorize?: { readonly operation: BerthOperation | 'action'; readonly agent: boolean };
  /**
   * The operation loads the agent itself (`manager.dispatch`, scoped to the caller's owner).
   * With no `authorize` hook, `If-Match` or `Idempotency-Key` to serve, the handler then does
   * not load it first: one load per request. A failure on an agent the caller cannot see is
   * still answered 404, as if the handler had loaded it first.
   */
  readonly loadsAgent?: boolean;
  /** The body may name an `owner`, which must be the one the credentials fix. */
  readonly ownerInBody?: boolean;
  /** Validate params and query before authenticating (kept from the first router); the body is always read after. */
  readonly inputFirst?: boolean;
  /** Success status → [description, component name or null for no body, media type]. */
  readonly ok: Readonly<Record<number, readonly [string, string | null, string?]>>;
  /** The error codes it documents. */
  readonly errors: readonly import('../index.js').ErrorCode[];
}

/** Every route of the Berth HTTP API, in the order the OpenAPI document lists them. */
export const ROUTES = [
  {
    method: 'POST',
    path: '/agents',
    operationId: 'createAgent',
    summary: 'Create a managed agent (it then provisions asynchronously).',
    tag: 'operator',
    auth: 'operator',
    body: CreateAgentBodySchema,
    bodyRequired: true,
    idempotent: 'caller',
    authorize: { operation: 'create', agent: false },
    ownerInBody: true,
    ok: { 201: ['The new agent, with its credentials (shown this once).', 'CreatedAgent'] },
    errors: [...AUTH, ...BODY, ...IDEM, 'QUOTA_EXCEEDED', 'PRECONDITION_FAILED', 'SECRET_ALREADY_SHOWN'],
  },
  {
    method: 'GET',
    path: '/agents',
    operationId: 'listAgents',
    summary: 'List agents (only the caller’s owner’s).',
    tag: 'operator',
    auth: 'operator',
    query: ListQuerySchema,
    authorize: { operation: 'list', agent: false },
    ok: { 200: ['Agents.', 'AgentList'] },
    errors: [...AUTH, 'VALIDATION_FAILED'],
  },
  {
    method: 'GET',
    path: '/agents/{id}',
    operationId: 'getAgent',
    summary: 'One agent; `ETag` is its version.',
    tag: 'operator',
    auth: 'operator',
    params: AgentParamsSchema,
    query: GetQuerySchema,
    authorize: { operation: 'read', agent: true },
    ok: { 200: ['The agent.', 'Agent'] },
    errors: [...AUTH, 'VALIDATION_FAILED', 'AGENT_NOT_FOUND'],
  },
  {
    method: 'POST',
    path: '/agents/{id}/actions/{action}',
    operationId: 'actOnAgent',
    summary: 'Ask for an action: 202 with the operation for asynchronous actions, 200 for instant ones.',
    tag: 'operator',
    auth: 'operator',
    params: ActionParamsSchema,
    body: ActionBodySchema,
    idempotent: 'caller',
    ifMatch: true,
    authorize: { operation: 'action', agent: true },
    loadsAgent: true,
    inputFirst: true,
    ok: {
      200: ['The agent after an instant action.', 'ActionResult'],
      202: ['The agent and the operation started.', 'ActionResult'],
    },
    errors: [
      ...AUTH,
      ...BODY,
      ...IDEM,
      'AGENT_NOT_FOUND',
      ...REFUSALS,
      'RELEASE_NOT_FOUND',
      'SECRET_ALREADY_SHOWN',
    ],
  },
  {
    method: 'DELETE',
    path: '/agents/{id}',
    operationId: 'destroyAgent',
    summary: 'Destroy an agent (`confirm` must equal its name); same as the destroy action.',
    tag: 'operator',
    auth: 'operator',
    params: AgentParamsSchema,
    body: DestroyBodySchema,
    idempotent: 'caller',
    ifMatch: true,
    authorize: { operation: 'destroy', agent: true },
    loadsAgent: true,
    inputFirst: true,
    ok: { 202: ['The agent and the destroy operation.', 'ActionResult'] },
    errors: [...AUTH, ...BODY, ...IDEM, 'AGENT_NOT_FOUND', ...REFUSALS],
  },
  {
    method: 'GET',
    path: '/agents/{id}/wait',
    operationId: 'waitForAgent',
    summary: 'Long-poll until the agent has `status` (timeout in seconds, no 60 s cap).',
    tag: 'operator',
    auth: 'operator',
    params: AgentParamsSchema,
    query: WaitQuerySchema,
    authorize: { operation: 'wait', agent: true },
    ok: { 200: ['The agent, once it has the status.', 'Agent'] },
    errors: [...AUTH, 'VALIDATION_FAILED', 'AGENT_NOT_FOUND', 'WAIT_TIMEOUT'],
  },
  {
    method: 'GET',
    path: '/agents/{id}/events',
    operationId: 'streamAgentEvents',
    summary:
      'Server-Sent Events: `event: status` per transition (`id:` = version), resumable with `Last-Event-ID`.',
    tag: 'operator',
    auth: 'operator',
    params: AgentParamsSchema,
    authorize: { operation: 'events', agent: true },
    ok: { 200: ['The event stream (data: StatusEvent).', 'StatusEvent', 'text/event-stream'] },
    errors: [...AUTH, 'VALIDATION_FAILED', 'AGENT_NOT_FOUND'],
  },
  {
    method: 'GET',
    path: '/agents/{id}/audit',
    operationId: 'getAgentAudit',
    summary:
      'One page of audit entries with `seq > after` (`limit` default 100, max 1000); `next` is the `after` of the following page.',
    tag: 'operator',
    auth: 'operator',
    params: AgentParamsSchema,
    query: AuditQuerySchema,
    authorize: { operation: 'audit', agent: true },
    ok: { 200: ['One page of audit entries.', 'AuditList'] },
    errors: [...AUTH, 'VALIDATION_FAILED', 'AGENT_NOT_FOUND'],
  },
  {
    method: 'GET',
    path: '/agents/{id}/audit/verify',
    operationId: 'verifyAgentAudit',
    summary: 'Re-check the audit hash chain from the first entry.',
    tag: 'operator',
    auth: 'operator',
    params: AgentParamsSchema,
    authorize: { operation: 'audit', agent: true },
    ok: { 200: ['The verdict.', 'AuditVerification'] },
    errors: [...AUTH, 'VALIDATION_FAILED', 'AGENT_NOT_FOUND'],
  },
  {
    method: 'GET',
    path: '/agents/{id}/explain',
    operationId: 'explainAgent',
    summary: 'Why the agent is in its status: since when, and the causes that put and keep it there.',
    tag: 'operator',
    auth: 'operator',
    params: AgentParamsSchema,
    authorize: { operation: 'read', agent: true },
    ok: { 200: ['The explanation.', 'Explanation'] },
    errors: [...AUTH, 'VALIDATION_FAILED', 'AGENT_NOT_FOUND'],
  },
  {
    method: 'GET',
    path: '/agents/{id}/revisions',
    operationId: 'getAgentRevisions',
    summary: 'Revisions, oldest first.',
    tag: 'operator',
    auth: 'operator',
    params: AgentParamsSchema,
    authorize: { operation: 'revisions', agent: true },
    ok: { 200: ['Revisions.', 'RevisionList'] },
    errors: [...AUTH, 'VALIDATION_FAILED', 'AGENT_NOT_FOUND'],
  },
  {
    method: 'POST',
    path: '/registration-tokens',
    operationId: 'createRegistrationToken',
    summary: 'Mint a one-time registration token (shown this once).',
    tag: 'operator',
    auth: 'operator',
    body: RegistrationTokenBodySchema,
    idempotent: 'caller',
    authorize: { operation: 'registration_token', agent: false },
    ownerInBody: true,
    ok: { 201: ['The token.', 'RegistrationToken'] },
    errors: [...AUTH, ...BODY, ...IDEM, 'SECRET_ALREADY_SHOWN'],
  },
  {
    method: 'POST',
    path: '/agents/{id}/commands',
    operationId: 'enqueueCommand',
    summary: 'Queue a command for the agent (409 AGENT_PAUSED while paused).',
    tag: 'operator',
    auth: 'operator',
    params: AgentParamsSchema,
    body: CommandBodySchema,
    bodyRequired: true,
    idempotent: 'caller',
    ifMatch: true,
    authorize: { operation: 'enqueue_command', agent: true },
    ok: { 201: ['The queued command.', 'CommandCreated'] },
    errors: [
      ...AUTH,
      ...BODY,
      ...IDEM,
      'AGENT_NOT_FOUND',
      'AGENT_PAUSED',
      'COMMAND_QUEUE_FULL',
      'VERSION_MISMATCH',
    ],
  },
  {
    method: 'GET',
    path: '/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This document.',
    tag: 'meta',
    auth: 'none',
    ok: { 200: ['The OpenAPI 3.1 document.', null, 'application/json'] },
    errors: [],
  },
  {
    method: 'POST',
    path: '/agents/register',
    operationId: 'registerAgent',
    summary: 'Register a self-hosted agent with a one-time registration token (rate limited).',
    tag: 'agent',
    auth: 'none',
    body: RegisterBodySchema,
    bodyRequired: true,
    idempotent: 'registrationToken',
    ok: { 201: ['The agent id and its token.', 'Registration'] },
    errors: [...BODY, ...IDEM, 'REGISTRATION_TOKEN_INVALID', 'RATE_LIMITED', 'SECRET_ALREADY_SHOWN'],
  },
  {
    method: 'POST',
    path: '/agents/{id}/heartbeat',
    operationId: 'heartbeat',
    summary: 'Record a heartbeat (a stale agent comes back to running).',
    tag: 'agent',
    auth: 'agent',
    params: AgentParamsSchema,
    body: HeartbeatBodySchema,
    idempotent: 'agent',
    ok: { 204: ['Recorded.', null] },
    errors: [...AGENT_AUTH, ...BODY, ...IDEM],
  },
  {
    method: 'GET',
    path: '/agents/{id}/commands',
    operationId: 'pollCommands',
    summary: 'Take pending commands (each is handed out once; none while paused).',
    tag: 'agent',
    auth: 'agent',
    params: AgentParamsSchema,
    query: PollQuerySchema,
    ok: { 200: ['Commands, now running.', 'CommandList'] },
    errors: [...AGENT_AUTH, 'VALIDATION_FAILED'],
  },
  {
    method: 'POST',
    path: '/agents/{id}/commands/{commandId}/result',
    operationId: 'completeCommand',
    summary: 'Report the result of a command.',
    tag: 'agent',
    auth: 'agent',
    params: CommandParamsSchema,
    body: CommandResultBodySchema,
    bodyRequired: true,
    idempotent: 'agent',
    ok: { 204: ['Recorded.', null] },
    errors: [...AGENT_AUTH, ...BODY, ...IDEM, 'COMMAND_NOT_FOUND'],
  },
  ...CATALOG_ROUTES,
] as const satisfies readonly RouteSpec[];

/** The operation id of a route of the table. */
export type OperationId = (typeof ROUTES)[number]['operationId'];
