/**
 * Request bodies of the operator and agent APIs.
 *
 * @module
 */
import { z } from 'zod';
import { named } from './registry.js';
import {
  ConfigSchema,
  JsonValueSchema,
  AgentNameSchema,
  OwnerSchema,
  SelfHostedNameSchema,
  ActionSchema,
  codeText,
  optionalText,
  shortText,
  specText,
} from './fields.js';

// --- operator bodies ---------------------------------------------------------------------

/** Body of `POST /agents`. */
export const CreateAgentBodySchema = named(
  z.strictObject({
    name: AgentNameSchema,
    owner: OwnerSchema.optional(),
    image: specText(200).optional(),
    runtime: specText(100).optional(),
    region: specText(100).optional(),
    size: specText(100).optional(),
    config: ConfigSchema.optional(),
    restoreFrom: shortText(100)
      .optional()
      .describe('A backup id: the new agent starts with that backup’s workspace.'),
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
    release: specText(200)
      .optional()
      .describe("Update: the release to run (resolved by the embedder's release catalog)."),
    size: specText(100).optional().describe('Recreate: the new size.'),
  }),
  'ActionBody',
  'Options of an action. Each action takes only its own fields (reason and confirm: all; size: recreate; image, config, release: update; revision: rollback); another is a 400.',
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
    code: codeText(200).optional().describe('Bind the token: it can only register this code.'),
  }),
  'RegistrationTokenBody',
  'Mint a one-time registration token. `owner` is only for callers whose credentials do not fix one.',
);

/** Body of `POST /agents/:id/commands`. */
export const CommandBodySchema = named(
  z.strictObject({
    type: specText(100),
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
    name: SelfHostedNameSchema.optional(),
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
