/**
 * What the `berth` command's exit status means. Scripts can branch on these; docs/cli.md
 * lists them.
 *
 * @module
 */
import { BerthApiError, BerthConnectionError } from './client.js';

/** Exit statuses of `berth`. */
export const EXIT = {
  /** Done. */
  OK: 0,
  /** Something unexpected: a server error (5xx), a malformed answer, a bug. */
  UNEXPECTED: 1,
  /** Bad command line: unknown verb or flag, missing argument, invalid value. */
  USAGE: 2,
  /**
   * The server refused the request (4xx with a problem code other than the ones below):
   * the lifecycle does not allow the action now (ILLEGAL_TRANSITION, OPERATION_IN_PROGRESS),
   * a reason or the typed name is missing (REASON_REQUIRED, CONFIRMATION_REQUIRED), no slot is
   * free (QUOTA_EXCEEDED), the body is invalid (VALIDATION_FAILED), …
   */
  REFUSED: 3,
  /** No such agent (for this caller). */
  NOT_FOUND: 4,
  /** `wait` or `--wait` ran out of time. */
  TIMEOUT: 5,
  /** The server cannot be reached. */
  UNREACHABLE: 6,
  /** The server rejected the credentials (401) or the caller may not do this (403). */
  UNAUTHORIZED: 7,
  /** The action was accepted but its operation failed: the agent settled in `failed`. */
  OPERATION_FAILED: 8,
  /** `audit --verify` found the agent's hash chain broken (an entry was edited, removed or reordered). */
  AUDIT_BROKEN: 9,
  /** Interrupted (Ctrl-C). */
  INTERRUPTED: 130,
} as const;

/** One of {@link EXIT}'s values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI reports with a specific exit status and message. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  /** A stable code for `--json` output (`USAGE`, `TIMEOUT`, or the API's problem code). */
  readonly code: string;

  constructor(exitCode: ExitCode, code: string, message: string) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.code = code;
  }
}

/** A bad command line (exit 2). */
export function usageError(message: string): CliError {
  return new CliError(EXIT.USAGE, 'USAGE', message);
}

/** The exit status for anything thrown while running a verb. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof BerthConnectionError) return EXIT.UNREACHABLE;
  if (error instanceof BerthApiError) {
    if (error.code === 'WAIT_TIMEOUT' || error.status === 408) return EXIT.TIMEOUT;
    if (error.status === 404) return EXIT.NOT_FOUND;
    if (error.status === 401 || error.status === 403) return EXIT.UNAUTHORIZED;
    if (error.status >= 400 && error.status < 500) return EXIT.REFUSED;
    return EXIT.UNEXPECTED;
  }
  return EXIT.UNEXPECTED;
}
