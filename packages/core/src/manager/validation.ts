/**
 * Validation of the manager's inputs with the exported zod schemas (`@berth/core/schemas`):
 * what the HTTP API and its OpenAPI document accept is exactly what the manager accepts. Every
 * bad field named, nothing changed.
 *
 * @module
 */
import { type FieldIssue, ValidationError } from '../errors.js';
import type { CreateAgentInput, DispatchOptions, LifecycleManager } from '../manager-types.js';
import {
  ActionBodySchema,
  CommandBodySchema,
  CreateAgentBodySchema,
  RegisterBodySchema,
  RegistrationTokenBodySchema,
} from '../schemas/bodies.js';
import { ACTION_FIELDS } from '../schemas/action-fields.js';
import { parseInput, toFieldIssues } from '../schemas/parse.js';
import type { Action } from '../vocabulary.js';

/** Check what `create` takes (`CreateAgentBodySchema`); throws VALIDATION_FAILED naming every bad field. */
export function validateCreate(input: CreateAgentInput): CreateAgentInput {
  return parseInput(CreateAgentBodySchema, input, 'agent spec');
}

/** Check what `register` takes (`RegisterBodySchema`); throws VALIDATION_FAILED naming every bad field. */
export function validateRegister(
  input: Parameters<LifecycleManager['register']>[0],
): Parameters<LifecycleManager['register']>[0] {
  return parseInput(RegisterBodySchema, input, 'registration');
}

/** Check a command to queue (`CommandBodySchema`); throws VALIDATION_FAILED naming every bad field. */
export function validateCommand(command: { type: string; payload?: unknown }): void {
  parseInput(CommandBodySchema, { type: command.type, payload: command.payload }, 'command');
}

/** The options of a dispatch that are the action's body (`ActionBodySchema`'s fields). */
const BODY_FIELDS = Object.keys(ActionBodySchema.shape) as (keyof DispatchOptions)[];

/**
 * Check the options of a dispatch: the action's body with `ActionBodySchema` (and only the fields
 * the action takes, {@link ACTION_FIELDS}), then what only
 * the manager takes (`actor`, `expectedVersion`) and what the action needs (rollback: a
 * revision). Throws VALIDATION_FAILED naming every bad field.
 */
export function validateDispatch(action: Action, opts: DispatchOptions): void {
  const body: Record<string, unknown> = {};
  for (const field of BODY_FIELDS) if (opts[field] !== undefined) body[field] = opts[field];
  const parsed = ActionBodySchema.safeParse(body);
  const issues: FieldIssue[] = parsed.success ? [] : toFieldIssues(parsed.error);
  if (opts.actor !== undefined && (typeof opts.actor !== 'string' || opts.actor.length > 1000)) {
    issues.push({ path: 'actor', message: 'a string of at most 1000 characters' });
  }
  for (const field of Object.keys(body)) {
    if (!ACTION_FIELDS[action].includes(field) && !issues.some((i) => i.path === field)) {
      issues.push({
        path: field,
        message: `${action} does not take ${field} (it takes ${ACTION_FIELDS[action].join(', ')})`,
      });
    }
  }
  if (
    action === 'rollback' &&
    (typeof opts.revision !== 'string' || opts.revision === '') &&
    !issues.some((i) => i.path === 'revision')
  ) {
    issues.push({ path: 'revision', message: 'rollback needs the revision to go back to' });
  }
  if (opts.expectedVersion !== undefined && !Number.isInteger(opts.expectedVersion)) {
    issues.push({ path: 'expectedVersion', message: 'an integer' });
  }
  if (issues.length > 0)
    throw new ValidationError(`invalid ${action} request: ${issues.map((i) => i.path).join(', ')}`, issues);
}

/** Check the code a registration token is bound to (the rule of `RegisterBody.code`); returns it. */
export function validateTokenCode(code: string): string {
  return parseInput(RegistrationTokenBodySchema.pick({ code: true }), { code }, 'registration token').code!;
}
