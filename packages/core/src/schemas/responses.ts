/**
 * The resources and responses Berth returns.
 *
 * @module
 */
import { z } from 'zod';
import { named } from './registry.js';
import { ActionSchema, StatusSchema, JsonValueSchema, ConfigSchema } from './fields.js';

// --- responses ---------------------------------------------------------------------------

const isoTime = z.string().describe('ISO-8601 time');

/** A refusal reason in the structured `actions` view. */
export const DenialSchema = z.object({
  code: z.string(),
  detail: z.string(),
  unblock: z.string(),
  guard: z.string().nullable(),
  reason: z.string().optional().describe("PRECONDITION_FAILED: the embedder's reason code."),
});

/** One action as the structured `actions` view shows it. */
export const ActionAvailabilitySchema = named(
  z.union([
    z.object({
      action: ActionSchema,
      allowed: z.literal(true),
      needsReason: z.boolean(),
      needsConfirmation: z.boolean(),
      next: StatusSchema,
    }),
    z.object({ action: ActionSchema, allowed: z.literal(false), denial: DenialSchema }),
  ]),
  'ActionAvailability',
  'An action: allowed (maybe needing a reason or the typed name) or refused with its denial.',
);

/** Where the driver serves an agent. */
export const EndpointSchema = named(
  z.object({ name: z.string(), url: z.string() }),
  'Endpoint',
  'Where the driver serves the agent.',
);

/** Access credentials, shown once (the 201 of create, the 202 of recreate). */
export const CredentialsSchema = named(
  z.object({ username: z.string(), password: z.string(), runtimeToken: z.string() }),
  'Credentials',
  'Access credentials of a managed agent, shown this once: never stored in plaintext, never replayed.',
);

/** The agent resource. */
export const AgentSchema = named(
  z.object({
    id: z.string(),
    name: z.string(),
    owner: z.string(),
    kind: z.enum(['managed', 'self_hosted']),
    status: StatusSchema,
    state: z.string().describe('The full statechart configuration key, e.g. `running+paused`.'),
    version: z.number().int(),
    availableActions: z.array(ActionSchema),
    actions: z.array(ActionAvailabilitySchema),
    workspaceId: z.string(),
    revision: z.string().nullable(),
    image: z.string(),
    runtime: z.string().nullable().describe('Runtime family, as created (`null`: none given).'),
    region: z.string().nullable().describe('Region or placement hint, as created.'),
    size: z.string().nullable().describe('Size or plan; `recreate` may change it.'),
    endpoints: z
      .array(EndpointSchema)
      .describe('Where the driver serves the agent (empty until it does; released by destroy).'),
    lastHeartbeatAt: isoTime.nullable(),
    operation: z
      .object({ id: z.string(), action: z.string(), op: z.string(), startedAt: isoTime })
      .nullable(),
    waitlist: z.object({ position: z.number().int(), nextAttemptAt: isoTime }).nullable(),
    ghost: z.boolean(),
    createdAt: isoTime,
    updatedAt: isoTime,
    deletedAt: isoTime.nullable(),
    purgeAt: isoTime.nullable(),
    vendorStatus: z
      .string()
      .optional()
      .describe('The status in a vendor profile’s words (with `?profile=`).'),
  }),
  'Agent',
  'An agent.',
);

/** The 201 of `POST /agents`: the agent with its credentials, shown this once. */
export const CreatedAgentSchema = named(
  AgentSchema.extend({
    credentials: CredentialsSchema.optional().describe('Shown this once (managed agents).'),
  }),
  'CreatedAgent',
  'The new agent, with its credentials shown this once.',
);

/** `GET /agents`. */
export const AgentListSchema = named(z.object({ agents: z.array(AgentSchema) }), 'AgentList', 'Agents.');

/** Response of an action: `operation` is present for asynchronous actions. */
export const ActionResultSchema = named(
  z.object({
    agent: AgentSchema,
    operation: z.object({ id: z.string(), action: ActionSchema }).optional(),
    credentials: CredentialsSchema.optional().describe('recreate: the new credentials, shown this once.'),
  }),
  'ActionResult',
  'The agent after the action; `operation` for asynchronous actions (202).',
);

/** One audit entry as served over HTTP. */
export const AuditEntrySchema = named(
  z.object({
    seq: z.number().int(),
    at: isoTime,
    actor: z.string(),
    action: z.string(),
    from: StatusSchema.nullable(),
    to: StatusSchema.nullable(),
    reason: z.string().nullable(),
    denied: z.boolean(),
    code: z.string().nullable(),
    operationId: z.string().nullable(),
    hash: z.string(),
    prevHash: z.string(),
    vendorAction: z
      .string()
      .optional()
      .describe('With `?profile=`: the action in that vendor’s words (e.g. `agent.token.rotated`).'),
  }),
  'AuditEntry',
  'One entry of the audit trail.',
);

/** `GET /agents/:id/audit`: one page; `next` is the `after` of the following page, null at the end. */
export const AuditListSchema = named(
  z.object({ entries: z.array(AuditEntrySchema), next: z.number().int().nullable() }),
  'AuditList',
  'One page of audit entries; `next` is the `after` of the following page, null at the end.',
);

/** `GET /agents/:id/audit/verify`: the hash chain re-checked from the first entry. */
export const AuditVerificationSchema = named(
  z.object({
    ok: z.boolean(),
    entries: z.number().int(),
    head: z.string().nullable(),
    brokenAt: z.number().int().nullable(),
    problem: z.string().nullable(),
  }),
  'AuditVerification',
  'The audit hash chain re-checked: `brokenAt` is the seq of the first entry that does not fit, or null; `head` the last entry’s hash.',
);

/** One revision as served over HTTP. */
export const RevisionSchema = named(
  z.object({
    id: z.string(),
    number: z.number().int(),
    image: z.string(),
    action: z.string(),
    outcome: z.enum(['pending', 'succeeded', 'failed']),
    createdAt: isoTime,
  }),
  'Revision',
  'A revision.',
);

/** `GET /agents/:id/revisions`. */
export const RevisionListSchema = named(
  z.object({ revisions: z.array(RevisionSchema) }),
  'RevisionList',
  'Revisions.',
);

/** `POST /registration-tokens`. */
export const RegistrationTokenSchema = named(
  z.object({ id: z.string(), token: z.string(), expiresAt: isoTime, code: z.string().nullable() }),
  'RegistrationToken',
  'A one-time registration token, shown this once.',
);

/** `POST /agents/register`. */
export const RegistrationSchema = named(
  z.object({ agentId: z.string(), agentToken: z.string() }),
  'Registration',
  'The agent id and its bearer token.',
);

/** A command as served over HTTP. */
export const CommandSchema = named(
  z.object({
    id: z.string(),
    type: z.string(),
    payload: z.unknown().optional(),
    status: z.enum(['pending', 'running', 'succeeded', 'failed']),
    createdAt: isoTime,
  }),
  'Command',
  'A command.',
);

/** `POST /agents/:id/commands`. */
export const CommandCreatedSchema = named(
  z.object({ command: z.object({ id: z.string(), status: z.literal('pending') }) }),
  'CommandCreated',
  'The queued command.',
);

/** `GET /agents/:id/commands`. */
export const CommandListSchema = named(
  z.object({ commands: z.array(CommandSchema) }),
  'CommandList',
  'Commands handed out.',
);

/** Data of an SSE `event: status`. */
export const StatusEventSchema = named(
  z.object({
    status: StatusSchema,
    from: StatusSchema.nullable(),
    action: z.string(),
    at: isoTime,
    version: z.number().int(),
  }),
  'StatusEvent',
  'One status transition (SSE `event: status`, `id:` is the version).',
);

/** RFC 9457 problem details with Berth's `code`. */
export const ProblemSchema = named(
  z.object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string(),
    allowedActions: z.array(ActionSchema).optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    reason: z
      .string()
      .optional()
      .describe("PRECONDITION_FAILED: the embedder's reason code, e.g. `MODEL_PRICE_BOOK_MISSING`."),
  }),
  'Problem',
  'An error (application/problem+json).',
);
