/**
 * Validation of the manager's inputs: every bad field named, nothing changed.
 *
 * @module
 */
import { ValidationError } from '../errors.js';
import type { CreateAgentInput, DispatchOptions } from '../manager-types.js';
import type { Action } from '../vocabulary.js';

/** The agent name rule. */
export const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/;

/** Check what `create` takes; throws VALIDATION_FAILED naming every bad field. */
export function validateCreate(input: CreateAgentInput): CreateAgentInput {
  const issues: { path: string; message: string }[] = [];
  if (typeof input !== 'object' || input === null)
    throw new ValidationError('the agent spec must be an object', []);
  if (typeof input.name !== 'string' || !NAME.test(input.name)) {
    issues.push({
      path: 'name',
      message: '1–63 letters, digits, dots, dashes or underscores, starting with a letter or digit',
    });
  }
  for (const field of ['owner', 'image', 'runtime', 'region', 'size'] as const) {
    const v = input[field];
    if (v !== undefined && (typeof v !== 'string' || v.trim() === '' || v.length > 200)) {
      issues.push({ path: field, message: 'a non-empty string of at most 200 characters' });
    }
  }
  if (
    input.config !== undefined &&
    (typeof input.config !== 'object' || input.config === null || Array.isArray(input.config))
  ) {
    issues.push({ path: 'config', message: 'an object' });
  }
  if (issues.length > 0)
    throw new ValidationError(`invalid agent spec: ${issues.map((i) => i.path).join(', ')}`, issues);
  return input;
}

/** Check the options of a dispatch; throws VALIDATION_FAILED naming every bad field. */
export function validateDispatch(action: Action, opts: DispatchOptions): void {
  const issues: { path: string; message: string }[] = [];
  for (const field of ['reason', 'confirm', 'revision', 'image', 'actor'] as const) {
    const v = opts[field];
    if (v !== undefined && (typeof v !== 'string' || v.length > 1000)) {
      issues.push({ path: field, message: 'a string of at most 1000 characters' });
    }
  }
  if (action === 'rollback' && (typeof opts.revision !== 'string' || opts.revision === '')) {
    issues.push({ path: 'revision', message: 'rollback needs the revision to go back to' });
  }
  if (
    opts.config !== undefined &&
    (typeof opts.config !== 'object' || opts.config === null || Array.isArray(opts.config))
  ) {
    issues.push({ path: 'config', message: 'an object' });
  }
  if (opts.expectedVersion !== undefined && !Number.isInteger(opts.expectedVersion)) {
    issues.push({ path: 'expectedVersion', message: 'an integer' });
  }
  if (issues.length > 0)
    throw new ValidationError(`invalid ${action} request: ${issues.map((i) => i.path).join(', ')}`, issues);
}
