/**
 * Refusals: telling a statechart refusal apart from other errors.
 *
 * @module
 */
import { isBerthError, TransitionDeniedError } from '../errors.js';

/** True when an error is a refusal by the statechart (typed, with allowed actions). */
export function isTransitionDenied(error: unknown): error is TransitionDeniedError {
  return (
    error instanceof TransitionDeniedError || (isBerthError(error) && error.allowedActions !== undefined)
  );
}
