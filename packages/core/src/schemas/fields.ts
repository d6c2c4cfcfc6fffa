/**
 * The building blocks of Berth's schemas: free-form JSON, names, owners, codes, statuses, actions and path parameters.
 *
 * @module
 */
import { z } from 'zod';
import { ACTIONS, STATUSES } from '../vocabulary.js';
import { MAX_JSON_DEPTH, PROFILE_NAMES } from './registry.js';

// --- building blocks ---------------------------------------------------------------------

/**
 * Characters a terminal acts on rather than shows: C0 and C1 controls, and the bidirectional
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069) that reorder what a row seems to say.
 * Names, owners and codes refuse them; a reason or a message may hold anything (the CLI escapes).
 */
export const CONTROL_CHARACTERS = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;

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

/** A non-empty string of at most `max` characters. @internal */
export const shortText = (max: number) => z.string().min(1, 'must not be empty').max(max);

/** A canonical status. */
export const StatusSchema = z.enum(STATUSES).describe('A canonical, effective agent status.');

/** A canonical operator action. */
export const ActionSchema = z.enum(ACTIONS).describe('A canonical operator action.');

/** A vendor profile name. */
export const ProfileNameSchema = z.enum(PROFILE_NAMES).describe('A vendor profile for `vendorStatus`.');

/**
 * The one agent name rule, served and published (the OpenAPI `pattern` of every `name`): 1–63
 * letters, digits, `.`, `_` or `-`, starting with a letter or digit — no spaces, so a name is
 * safe as a container, host or file name.
 */
export const AGENT_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/;

/** The message of a name that breaks {@link AGENT_NAME_PATTERN}. @internal */
export const AGENT_NAME_RULE =
  '1–63 letters, digits, dots, dashes or underscores, starting with a letter or digit';

/** An agent name (also what destructive actions are confirmed with): {@link AGENT_NAME_PATTERN}. */
export const AgentNameSchema = z
  .string()
  .regex(AGENT_NAME_PATTERN, AGENT_NAME_RULE)
  .describe(`The agent's name: ${AGENT_NAME_RULE}.`);

/**
 * The name a self-hosted agent registers with (a host's display name, `Host one`): up to 100
 * characters, no leading or trailing whitespace, no control characters. Managed agents are
 * named by {@link AgentNameSchema}.
 */
export const SelfHostedNameSchema = shortText(100)
  .refine((s) => s.trim() === s, 'must not start or end with whitespace')
  .refine((s) => !CONTROL_CHARACTERS.test(s), 'must not contain control characters');

/** Not blank: passes `''` so that a `min`/`max` check next to it reports the one issue. */
const notBlank = (s: string) => s === '' || s.trim() !== '';

/**
 * A non-empty, non-blank string of at most `max` characters, each failure one issue (an
 * agent's image, runtime, region, size). @internal
 */
export const specText = (max: number) => shortText(max).refine(notBlank, 'must not be blank');

/** An owner (tenant) name: not blank, no control characters. */
export const OwnerSchema = specText(100).refine(
  (s) => !CONTROL_CHARACTERS.test(s),
  'must not contain control characters',
);

/** A code (a self-hosted agent's identity, a command error's code): no control characters. */
/** @internal */
export const codeText = (max: number) =>
  specText(max).refine((s) => !CONTROL_CHARACTERS.test(s), 'must not contain control characters');

/** An optional string of at most `max` characters. @internal */
export const optionalText = (max: number) => z.string().max(max).optional();

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
