/**
 * The OpenAPI 3.1 document of the router, generated from the same zod schemas that validate
 * requests (`z.toJSONSchema` over `berthSchemaRegistry`): nothing here restates a field.
 *
 * @module
 */
import {
  ActionParamsSchema,
  AgentParamsSchema,
  AuditQuerySchema,
  berthSchemaRegistry,
  CommandParamsSchema,
  ERROR_CODES,
  type ErrorCode,
  GetQuerySchema,
  ListQuerySchema,
  PollQuerySchema,
  WaitQuerySchema,
} from '@berth/core';
import {
  ActionBodySchema,
  CommandBodySchema,
  CommandResultBodySchema,
  CreateAgentBodySchema,
  DestroyBodySchema,
  HeartbeatBodySchema,
  RegisterBodySchema,
  RegistrationTokenBodySchema,
} from '@berth/core';
import { z } from 'zod';

type JsonObject = Record<string, unknown>;

interface RouteDoc {
  readonly method: 'get' | 'post' | 'delete';
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: 'operator' | 'agent' | 'meta';
  readonly security: 'operator' | 'agent' | 'none';
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly bodyRequired?: boolean;
  readonly idempotent?: boolean;
  readonly ifMatch?: boolean;
  /** Success status → [description, component name or null for no body, media type]. */
  readonly ok: Readonly<Record<number, readonly [string, string | null, string?]>>;
  readonly errors: readonly ErrorCode[];
}

const AUTH: ErrorCode[] = ['UNAUTHORIZED', 'FORBIDDEN'];
const BODY: ErrorCode[] = ['VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];
const IDEM: ErrorCode[] = ['IDEMPOTENCY_KEY_IN_USE', 'IDEMPOTENCY_KEY_REUSED'];
const AGENT_AUTH: ErrorCode[] = ['UNAUTHORIZED', 'AGENT_DISABLED', 'AGENT_REVOKED'];
const REFUSALS: ErrorCode[] = [
  'REASON_REQUIRED',
  'CONFIRMATION_REQUIRED',
  'ILLEGAL_TRANSITION',
  'OPERATION_IN_PROGRESS',
  'QUOTA_EXCEEDED',
  'VERSION_CONFLICT',
  'VERSION_MISMATCH',
  'DRIVER_ERROR',
];

/** Every route of the router, documented. */
export const ROUTE_DOCS: readonly RouteDoc[] = [
  {
    method: 'post',
    path: '/agents',
    operationId: 'createAgent',
    summary: 'Create a managed agent (it then provisions asynchronously).',
    tag: 'operator',
    security: 'operator',
    body: CreateAgentBodySchema,
    bodyRequired: true,
    idempotent: true,
    ok: { 201: ['The new agent.', 'Agent'] },
    errors: [...AUTH, ...BODY, ...IDEM, 'QUOTA_EXCEEDED'],
  },
  {
    method: 'get',
    path: '/agents',
    operationId: 'listAgents',
    summary: 'List agents (only the caller’s owner’s).',
    tag: 'operator',
    security: 'operator',
    query: ListQuerySchema,
    ok: { 200: ['Agents.', 'AgentList'] },
    errors: [...AUTH, 'VALIDATION_FAILED'],
  },
  {
    method: 'get',
    path: '/agents/{id}',
    operationId: 'getAgent',
    summary: 'One agent; `ETag` is its version.',
    tag: 'operator',
    security: 'operator',
    params: AgentParamsSchema,
    query: GetQuerySchema,
    ok: { 200: ['The agent.', 'Agent'] },
    errors: [...AUTH, 'VALIDATION_FAILED', 'AGENT_NOT_FOUND'],
  },
  {
    method: 'post',
    path: '/agents/{id}/actions/{action}',
    operationId: 'actOnAgent',
    summary: 'Ask for an action: 202 with the operation for asynchronous actions, 200 for instant ones.',
    tag: 'operator',
    security: 'operator',
    params: ActionParamsSchema,
    body: ActionBodySchema,
    idempotent: true,
    ifMatch: true,
    ok: {
      200: ['The agent after an instant action.', 'ActionResult'],
      202: ['The agent and the operation started.', 'ActionResult'],
    },
    errors: [...AUTH, ...BODY, ...IDEM, 'AGENT_NOT_FOUND', ...REFUSALS],
  },
  {
    method: 'delete',
    path: '/agents/{id}',
    operationId: 'destroyAgent',
    summary: 'Destroy an agent (`confirm` must equal its name); same as the destroy action.',
    tag: 'operator',
    security: 'operator',
    params: AgentParamsSchema,
    body: DestroyBodySchema,
    idempotent: true,
    ifMatch: true,
    ok: { 202: ['The agent and the destroy operation.', 'ActionResult'] },
    errors: [...AUTH, ...BODY, ...IDEM, 'AGENT_NOT_FOUND', ...REFUSALS],
  },
  {
    method: 'get',
    path: '/agents/{id}/wait',
    operationId: 'waitForAgent',
    summary: 'Long-poll until the agent has `status` (timeout in seconds, no 60 s cap).',
    tag: 'operator',
    security: 'operator',
    params: AgentParamsSchema,
    query: WaitQuerySchema,
    ok: { 200: ['The agent, once it has the status.', 'Agent'] },
    errors: [...AUTH, 'VALIDATION_FAILED', 'AGENT_NOT_FOUND', 'WAIT_TIMEOUT'],
  },
  {
    method: 'get',
    path: '/agents/{id}/events',
    operationId: 'streamAgentEvents',
    summary:
      'Server-Sent Events: `event: status` per transition (`id:` = version), resumable with `Last-Event-ID`.',
    tag: 'operator',
    security: 'operator',
    params: AgentParamsSchema,
    ok: { 200: ['The event stream (data: StatusEvent).', 'StatusEvent', 'text/event-stream'] },
    errors: [...AUTH, 'VALIDATION_FAILED', 'AGENT_NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/agents/{id}/audit',
    operationId: 'getAgentAudit',
    summary:
      'One page of audit entries with `seq > after` (`limit` default 100, max 1000); `next` is the `after` of the following page.',
    tag: 'operator',
    security: 'operator',
    params: AgentParamsSchema,
    query: AuditQuerySchema,
    ok: { 200: ['One page of audit entries.', 'AuditList'] },
    errors: [...AUTH, 'VALIDATION_FAILED', 'AGENT_NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/agents/{id}/audit/verify',
    operationId: 'verifyAgentAudit',
    summary: 'Re-check the audit hash chain from the first entry.',
    tag: 'operator',
    security: 'operator',
    params: AgentParamsSchema,
    ok: { 200: ['The verdict.', 'AuditVerification'] },
    errors: [...AUTH, 'VALIDATION_FAILED', 'AGENT_NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/agents/{id}/revisions',
    operationId: 'getAgentRevisions',
    summary: 'Revisions, oldest first.',
    tag: 'operator',
    security: 'operator',
    params: AgentParamsSchema,
    ok: { 200: ['Revisions.', 'RevisionList'] },
    errors: [...AUTH, 'VALIDATION_FAILED', 'AGENT_NOT_FOUND'],
  },
  {
    method: 'post',
    path: '/registration-tokens',
    operationId: 'createRegistrationToken',
    summary: 'Mint a one-time registration token (shown this once).',
    tag: 'operator',
    security: 'operator',
    body: RegistrationTokenBodySchema,
    idempotent: true,
    ok: { 201: ['The token.', 'RegistrationToken'] },
    errors: [...AUTH, ...BODY, ...IDEM],
  },
  {
    method: 'post',
    path: '/agents/{id}/commands',
    operationId: 'enqueueCommand',
    summary: 'Queue a command for the agent (409 AGENT_PAUSED while paused).',
    tag: 'operator',
    security: 'operator',
    params: AgentParamsSchema,
    body: CommandBodySchema,
    bodyRequired: true,
    idempotent: true,
    ifMatch: true,
    ok: { 201: ['The queued command.', 'CommandCreated'] },
    errors: [...AUTH, ...BODY, ...IDEM, 'AGENT_NOT_FOUND', 'AGENT_PAUSED', 'VERSION_MISMATCH'],
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This document.',
    tag: 'meta',
    security: 'none',
    ok: { 200: ['The OpenAPI 3.1 document.', null, 'application/json'] },
    errors: [],
  },
  {
    method: 'post',
    path: '/agents/register',
    operationId: 'registerAgent',
    summary: 'Register a self-hosted agent with a one-time registration token (rate limited).',
    tag: 'agent',
    security: 'none',
    body: RegisterBodySchema,
    bodyRequired: true,
    idempotent: true,
    ok: { 201: ['The agent id and its token.', 'Registration'] },
    errors: [...BODY, ...IDEM, 'REGISTRATION_TOKEN_INVALID', 'RATE_LIMITED'],
  },
  {
    method: 'post',
    path: '/agents/{id}/heartbeat',
    operationId: 'heartbeat',
    summary: 'Record a heartbeat (a stale agent comes back to running).',
    tag: 'agent',
    security: 'agent',
    params: AgentParamsSchema,
    body: HeartbeatBodySchema,
    idempotent: true,
    ok: { 204: ['Recorded.', null] },
    errors: [...AGENT_AUTH, ...BODY, ...IDEM],
  },
  {
    method: 'get',
    path: '/agents/{id}/commands',
    operationId: 'pollCommands',
    summary: 'Take pending commands (each is handed out once; none while paused).',
    tag: 'agent',
    security: 'agent',
    params: AgentParamsSchema,
    query: PollQuerySchema,
    ok: { 200: ['Commands, now running.', 'CommandList'] },
    errors: [...AGENT_AUTH, 'VALIDATION_FAILED'],
  },
  {
    method: 'post',
    path: '/agents/{id}/commands/{commandId}/result',
    operationId: 'completeCommand',
    summary: 'Report the result of a command.',
    tag: 'agent',
    security: 'agent',
    params: CommandParamsSchema,
    body: CommandResultBodySchema,
    bodyRequired: true,
    idempotent: true,
    ok: { 204: ['Recorded.', null] },
    errors: [...AGENT_AUTH, ...BODY, ...IDEM, 'COMMAND_NOT_FOUND'],
  },
];

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

function componentOf(schema: z.ZodType): string {
  const meta = berthSchemaRegistry.get(schema);
  if (meta === undefined) throw new TypeError('berth: a documented body schema is not registered');
  return meta.id;
}

function parameters(schema: z.ZodObject | undefined, where: 'path' | 'query'): JsonObject[] {
  if (schema === undefined) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonObject>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function strip(schema: unknown): JsonObject {
  const { $schema: _s, $id: _i, ...rest } = schema as JsonObject;
  return rest;
}

/** Options of {@link buildOpenApiDocument}. */
export interface OpenApiOptions {
  /** `servers` of the document. @default [] */
  readonly servers?: readonly { readonly url: string; readonly description?: string }[];
  /** `info.version`. @default '0.1.0' */
  readonly version?: string;
  /** `info.title`. @default 'Berth lifecycle API' */
  readonly title?: string;
}

/**
 * Build the OpenAPI 3.1 document of the Berth router from the zod schemas.
 *
 * @example
 * ```ts
 * const doc = buildOpenApiDocument({ servers: [{ url: '/api' }] });
 * ```
 */
export function buildOpenApiDocument(options: OpenApiOptions = {}): JsonObject {
  const generated = z.toJSONSchema(berthSchemaRegistry, {
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, unknown> };
  const schemas: Record<string, JsonObject> = {};
  for (const [id, schema] of Object.entries(generated.schemas)) schemas[id] = strip(schema);

  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of ROUTE_DOCS) {
    const responses: Record<string, JsonObject> = {};
    for (const [status, [description, component, media]] of Object.entries(route.ok)) {
      responses[status] =
        component === null && media === undefined
          ? { description }
          : {
              description,
              content: {
                [media ?? 'application/json']: { schema: component === null ? {} : ref(component) },
              },
            };
    }
    for (const code of [...new Set(route.errors)]) {
      const { status, title } = ERROR_CODES[code];
      const existing = responses[status];
      const codes =
        existing === undefined ? [code] : [...((existing['x-berth-codes'] as string[]) ?? []), code];
      responses[status] = {
        description: existing === undefined ? title : `${existing.description as string}; ${title}`,
        'x-berth-codes': codes,
        content: { 'application/problem+json': { schema: ref('Problem') } },
      };
    }
    const headerParams: JsonObject[] = [];
    if (route.idempotent)
      headerParams.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'The same key and body replay the first response and act once (keys are scoped per owner).',
        schema: { type: 'string', minLength: 1, maxLength: 255 },
      });
    if (route.ifMatch)
      headerParams.push({
        name: 'If-Match',
        in: 'header',
        required: false,
        description: 'The agent version (`"7"`); 412 VERSION_MISMATCH when stale.',
        schema: { type: 'string' },
      });
    if (route.operationId === 'streamAgentEvents')
      headerParams.push({
        name: 'Last-Event-ID',
        in: 'header',
        required: false,
        description: 'Resume after this version.',
        schema: { type: 'string' },
      });
    const operation: JsonObject = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query'), ...headerParams],
      responses,
      security:
        route.security === 'none'
          ? []
          : [{ [route.security === 'operator' ? 'operator' : 'agentToken']: [] }],
    };
    if (route.body !== undefined)
      operation.requestBody = {
        required: route.bodyRequired === true,
        content: { 'application/json': { schema: ref(componentOf(route.body)) } },
      };
    paths[route.path] ??= {};
    paths[route.path]![route.method] = operation;
  }

  return {
    openapi: '3.1.0',
    info: {
      title: options.title ?? 'Berth lifecycle API',
      version: options.version ?? '0.1.0',
      description: 'Lifecycle of hosted AI agents: operator API, agent API, status stream.',
    },
    servers: [...(options.servers ?? [])],
    tags: [
      { name: 'operator', description: 'Called by operators and dashboards.' },
      { name: 'agent', description: 'Called by the running agent (bearer agent token).' },
      { name: 'meta', description: 'About the API.' },
    ],
    paths,
    components: {
      schemas,
      securitySchemes: {
        operator: {
          type: 'http',
          scheme: 'bearer',
          description: 'Whatever the `authenticate` option accepts.',
        },
        agentToken: { type: 'http', scheme: 'bearer', description: 'The agent token from registration.' },
      },
    },
  };
}
