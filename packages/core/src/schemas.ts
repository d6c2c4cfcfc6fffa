/**
 * The zod schemas of every input Berth accepts (HTTP bodies, queries, path parameters and the
 * manager's own inputs) and of the resources it returns. The HTTP adapter validates with them
 * and generates its OpenAPI document from them, so the two can never disagree.
 *
 * Input objects are strict: an unknown field, and a privileged one such as `status` or
 * `version`, is refused with `VALIDATION_FAILED` naming the field. Free-form JSON (`config`,
 * command payloads and outputs) may not contain `__proto__` keys and may nest at most
 * {@link MAX_JSON_DEPTH} levels.
 *
 * @module
 */
import { z } from 'zod';
import { type FieldIssue, ValidationError } from './errors.js';
import { ACTIONS, STATUSES } from './vocabulary.js';

/** How deep free-form JSON (`config`, payloads, outputs) may nest. */
export const MAX_JSON_DEPTH = 32;

/** The vendor profiles `?profile=` accepts. */
export const PROFILE_NAMES = ['agentstead', 'alfe', 'exocorp', 'sekuire', 'opstage'] as const;

/** A vendor profile name. */
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** Metadata each registered schema carries: its OpenAPI component name and a description. */
export interface SchemaMeta {
  /** Component name under `#/components/schemas`. */
  readonly id: string;
  readonly description?: string;
}

/**
 * Every named schema, for documentation generators: `z.toJSONSchema(berthSchemaRegistry, …)`
 * yields one JSON Schema per component.
 */
export const berthSchemaRegistry: z.core.$ZodRegistry<SchemaMeta> = z.registry<SchemaMeta>();

function named<S extends z.ZodType>(schema: S, id: string, description: string): S {
  berthSchemaRegistry.add(schema, { id, description });
  return schema;
}

// --- building blocks ---------------------------------------------------------------------

const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__']);

/** Walk a JSON value; return a problem (with its path) or null. Iterative: deep input cannot blow the stack. */
function jsonProblem(value: unknown): { path: PropertyKey[]; message: string } | null {
  const stack: { value: unknown; path: PropertyKey[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (path.length >= MAX_JSON_DEPTH)
      return { path, message: `nested deeper than ${MAX_JSON_DEPTH} levels` };
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push({ value: v[i], path: [...path, i] });
      continue;
    }
    for (const key of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(key))
        return { path: [...path, key], message: `the key '${key}' is not allowed` };
      stack.push({ value: (v as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return null;
}

/** Any JSON value, bounded in depth and free of `__proto__` keys. */
export const JsonValueSchema = z.unknown().superRefine((value, ctx) => {
  const problem = jsonProblem(value);
  if (problem !== null) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
});

/** A JSON object of free-form configuration. */
export const ConfigSchema = z
  .record(z.string(), z.unknown())
  .superRefine((value, ctx) => {
    const problem = jsonProblem(value);
    if (problem !== null) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  })
  .describe('Free-form configuration handed to the driver.');

const shortText = (max: number) => z.string().min(1, 'must not be empty').max(max);

/** A canonical status. */
export const StatusSchema = z.enum(STATUSES).describe('A canonical, effective agent status.');

/** A canonical operator action. */
export const ActionSchema = z.enum(ACTIONS).describe('A canonical operator action.');

/** A vendor profile name. */
export const ProfileNameSchema = z.enum(PROFILE_NAMES).describe('A vendor profile for `vendorStatus`.');

/** An agent name (also what destructive actions are confirmed with). */
export const AgentNameSchema = shortText(100)
  .refine((s) => s.trim() === s, 'must not start or end with whitespace')
  .refine((s) => !/\p{Cc}/u.test(s), 'must not contain control characters');

/** An owner (tenant) name. */
export const OwnerSchema = shortText(100).refine(
  (s) => !/\p{Cc}/u.test(s),
  'must not contain control characters',
);

/** A code (a self-hosted agent's identity, a command error's code): no control characters. */
const codeText = (max: number) =>
  shortText(max).refine((s) => !/\p{Cc}/u.test(s), 'must not contain control characters');

const optionalText = (max: number) => z.string().max(max).optional();

// --- path parameters ---------------------------------------------------------------------

/** An agent id from a path. Any non-empty string up to 100 characters: the manager decides existence. */
export const AgentIdSchema = shortText(100).describe('Agent id (`agt_…`).');

/** A command id from a path. */
export const CommandIdSchema = shortText(100).describe('Command id.');

/** Path of `/agents/:id`. */
export const AgentParamsSchema = z.strictObject({ id: AgentIdSchema });

/** Path of `/agents/:id/actions/:action`. */
export const ActionParamsSchema = z.strictObject({ id: AgentIdSchema, action: ActionSchema });

/** Path of `/agents/:id/commands/:commandId/result`. */
export const CommandParamsSchema = z.strictObject({ id: AgentIdSchema, commandId: CommandIdSchema });

// --- operator bodies ---------------------------------------------------------------------

/** Body of `POST /agents`. */
export const CreateAgentBodySchema = named(
  z.strictObject({
    name: AgentNameSchema,
    owner: OwnerSchema.optional(),
    image: optionalText(500),
    runtime: optionalText(100),
    region: optionalText(100),
    size: optionalText(100),
    config: ConfigSchema.optional(),
  }),
  'CreateAgentBody',
  'Create a managed agent. `owner` is only for callers whose credentials do not fix one.',
);

/** Body of `POST /agents/:id/actions/:action`. */
export const ActionBodySchema = named(
  z.strictObject({
    reason: optionalText(1000).describe('Why (required by policy for some actions, e.g. pause).'),
    confirm: optionalText(200).describe("The agent's name, for destructive actions (recreate, destroy)."),
    revision: optionalText(100).describe('Rollback: the revision to go back to.'),
    image: optionalText(500).describe('Update: the new image or release.'),
    config: ConfigSchema.optional().describe('Update: the new configuration (replaces the current one).'),
  }),
  'ActionBody',
  'Options of an action.',
);

/** Body of `DELETE /agents/:id` (`confirm` is checked by the lifecycle: CONFIRMATION_REQUIRED). */
export const DestroyBodySchema = named(
  z.strictObject({
    confirm: optionalText(200).describe("The agent's name."),
    reason: optionalText(1000),
  }),
  'DestroyBody',
  "Destroy an agent: `confirm` must equal the agent's name.",
);

/** Body of `POST /registration-tokens`. */
export const RegistrationTokenBodySchema = named(
  z.strictObject({
    expiresInSeconds: z
      .number()
      .int()
      .min(1)
      .max(30 * 24 * 3600)
      .optional(),
    owner: OwnerSchema.optional(),
  }),
  'RegistrationTokenBody',
  'Mint a one-time registration token. `owner` is only for callers whose credentials do not fix one.',
);

/** Body of `POST /agents/:id/commands`. */
export const CommandBodySchema = named(
  z.strictObject({
    type: shortText(100),
    payload: JsonValueSchema.optional(),
  }),
  'CommandBody',
  'Queue a command for a self-hosted agent.',
);

// --- agent API bodies --------------------------------------------------------------------

/** Body of `POST /agents/register`. */
export const RegisterBodySchema = named(
  z.strictObject({
    registrationToken: shortText(500),
    code: codeText(200).describe('Stable identity of the agent: re-registering the same code reuses it.'),
    name: AgentNameSchema.optional(),
    runtime: optionalText(100),
  }),
  'RegisterBody',
  'Register a self-hosted agent with a one-time registration token.',
);

/** Body of `POST /agents/:id/heartbeat` (empty; the body may also be absent). */
export const HeartbeatBodySchema = named(
  z.strictObject({}),
  'HeartbeatBody',
  'A heartbeat carries no fields.',
);

/** An error a command reports. */
export const CommandErrorSchema = z.strictObject({ code: codeText(100), message: z.string().max(4000) });

/** Body of `POST /agents/:id/commands/:commandId/result`. */
export const CommandResultBodySchema = named(
  z.strictObject({
    ok: z.boolean(),
    output: JsonValueSchema.optional(),
    error: CommandErrorSchema.optional(),
  }),
  'CommandResultBody',
  'The outcome of a command.',
);

// --- queries -----------------------------------------------------------------------------

const profileQuery = { profile: ProfileNameSchema.optional() };
const nonNegativeInt = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Query of `GET /agents`. Unknown query parameters are ignored. */
export const ListQuerySchema = z.object({
  status: StatusSchema.optional(),
  owner: OwnerSchema.optional(),
  ...profileQuery,
});

/** Query of `GET /agents/:id`. */
export const GetQuerySchema = z.object({ ...profileQuery });

/** Query of `GET /agents/:id/wait`: the status to wait for and a timeout in seconds (no upper cap below a day). */
export const WaitQuerySchema = z.object({
  status: StatusSchema,
  timeout: z.coerce
    .number()
    .min(0)
    .max(24 * 3600)
    .default(30),
  ...profileQuery,
});

/** Query of `GET /agents/:id/audit`. */
export const AuditQuerySchema = z.object({ after: nonNegativeInt.optional() });

/** Query of `GET /agents/:id/commands` (agent API). */
export const PollQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(100).optional() });

// --- responses ---------------------------------------------------------------------------

const isoTime = z.string().describe('ISO-8601 time');

/** A refusal reason in the structured `actions` view. */
export const DenialSchema = z.object({
  code: z.string(),
  detail: z.string(),
  unblock: z.string(),
  guard: z.string().nullable(),
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

/** `GET /agents`. */
export const AgentListSchema = named(z.object({ agents: z.array(AgentSchema) }), 'AgentList', 'Agents.');

/** Response of an action: `operation` is present for asynchronous actions. */
export const ActionResultSchema = named(
  z.object({
    agent: AgentSchema,
    operation: z.object({ id: z.string(), action: ActionSchema }).optional(),
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
  }),
  'AuditEntry',
  'One entry of the audit trail.',
);

/** `GET /agents/:id/audit`. */
export const AuditListSchema = named(
  z.object({ entries: z.array(AuditEntrySchema) }),
  'AuditList',
  'Audit entries.',
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
  z.object({ token: z.string(), expiresAt: isoTime }),
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
  }),
  'Problem',
  'An error (application/problem+json).',
);

// --- parsing -----------------------------------------------------------------------------

function dotted(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'symbol' ? p.toString() : String(p))).join('.');
}

/**
 * Turn zod issues into {@link FieldIssue}s, one per field. An unknown key becomes an issue
 * whose path is that key (`status: unknown field`), so callers see which field to remove.
 *
 * @param error - A zod error.
 * @param prefix - Path segments to put in front (e.g. `['query']`); empty by default.
 */
export function toFieldIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push({ path: dotted([...prefix, ...issue.path, key]), message: 'unknown field' });
    } else {
      out.push({ path: dotted([...prefix, ...issue.path]), message: issue.message });
    }
  }
  return out;
}

/**
 * Validate `input` with `schema`; throw a `VALIDATION_FAILED` {@link ValidationError} naming
 * every failing field otherwise.
 *
 * @param schema - The schema.
 * @param input - Untrusted input.
 * @param what - What the input is (`body`, `query`, `path`), used in the message and as a path prefix when `prefix` is true.
 * @example
 * ```ts
 * const body = parseInput(CreateAgentBodySchema, req.body, 'body');
 * ```
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what = 'input',
  options: { prefix?: boolean } = {},
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = toFieldIssues(result.error, options.prefix === true ? [what] : []);
  const detail = errors.map((e) => (e.path === '' ? e.message : `${e.path}: ${e.message}`)).join('; ');
  throw new ValidationError(`invalid ${what}: ${detail}`, errors);
}
