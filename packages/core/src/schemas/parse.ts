/**
 * Parsing untrusted input with a schema into a VALIDATION_FAILED error naming each field.
 *
 * @module
 */
import type { z } from 'zod';
import { type FieldIssue, ValidationError } from '../errors.js';

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
