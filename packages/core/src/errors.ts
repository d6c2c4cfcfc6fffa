/**
 * One error family with stable UPPER_SNAKE codes, and one table from code to HTTP status.
 * Every error Berth throws on purpose is a {@link BerthError}; {@link toBerthError} turns
 * anything else into one (an `INTERNAL` error that keeps the original as `cause`).
 *
 * @module
 */
import type { Action } from './vocabulary.js';

/** Every error code, with its HTTP status and a short title. The single source of truth. */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400, title: 'Validation failed' },
  REASON_REQUIRED: { status: 400, title: 'Reason required' },
  CONFIRMATION_REQUIRED: { status: 400, title: 'Confirmation required' },
  UNAUTHORIZED: { status: 401, title: 'Unauthorized' },
  REGISTRATION_TOKEN_INVALID: { status: 401, title: 'Registration token invalid' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  AGENT_DISABLED: { status: 403, title: 'Agent disabled' },
  AGENT_REVOKED: { status: 403, title: 'Agent revoked' },
  AGENT_NOT_FOUND: { status: 404, title: 'Agent not found' },
  COMMAND_NOT_FOUND: { status: 404, title: 'Command not found' },
  REVISION_NOT_FOUND: { status: 404, title: 'Revision not found' },
  BACKUP_NOT_FOUND: { status: 404, title: 'Backup not found' },
  REGISTRATION_TOKEN_NOT_FOUND: { status: 404, title: 'Registration token not found' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  WAIT_TIMEOUT: { status: 408, title: 'Wait timed out' },
  REQUEST_TIMEOUT: { status: 408, title: 'Request timed out' },
  ILLEGAL_TRANSITION: { status: 409, title: 'Illegal transition' },
  OPERATION_IN_PROGRESS: { status: 409, title: 'Operation in progress' },
  AGENT_PAUSED: { status: 409, title: 'Agent paused' },
  QUOTA_EXCEEDED: { status: 409, title: 'Quota exceeded' },
  COMMAND_QUEUE_FULL: { status: 409, title: 'Command queue full' },
  SECRET_ALREADY_SHOWN: { status: 409, title: 'Secret already shown' },
  BACKUP_NOT_READY: { status: 409, title: 'Backup not ready' },
  REGISTRATION_TOKEN_USED: { status: 409, title: 'Registration token used' },
  VERSION_CONFLICT: { status: 409, title: 'Concurrent update' },
  IDEMPOTENCY_KEY_IN_USE: { status: 409, title: 'Idempotency key in use' },
  STALE_OPERATION: { status: 409, title: 'Stale operation' },
  PRECONDITION_FAILED: { status: 409, title: 'Precondition failed' },
  VERSION_MISMATCH: { status: 412, title: 'Version mismatch' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'Idempotency key reused with another body' },
  RELEASE_NOT_FOUND: { status: 422, title: 'Release not found' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  HEADERS_TOO_LARGE: { status: 431, title: 'Request header fields too large' },
  DRIVER_ERROR: { status: 502, title: 'Driver error' },
  MANAGER_CLOSED: { status: 503, title: 'Manager closed' },
  NOT_READY: { status: 503, title: 'Not ready' },
  INTERNAL: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** A field-level validation problem. */
export interface FieldIssue {
  /** Dotted path of the field (`config.memory`, `reason`); empty for the whole input. */
  readonly path: string;
  readonly message: string;
}

/** Options every Berth error accepts. */
export interface BerthErrorOptions {
  /** The error that caused this one. */
  readonly cause?: unknown;
  /** For refusals: the actions that ARE allowed now. */
  readonly allowedActions?: readonly Action[];
  /** For validation: each field that failed. */
  readonly errors?: readonly FieldIssue[];
  /** Anything else worth returning to the caller. */
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** The base of every error Berth throws on purpose. `code` is stable; match on it, not on the message. */
export class BerthError extends Error {
  /** Stable UPPER_SNAKE code. */
  readonly code: ErrorCode;
  /** The HTTP status the code maps to. */
  readonly status: number;
  /** For refusals: the actions allowed now. */
  readonly allowedActions: readonly Action[] | undefined;
  /** For validation: each failing field. */
  readonly errors: readonly FieldIssue[] | undefined;
  /** Extra data. */
  readonly meta: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: BerthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BerthError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.allowedActions = options.allowedActions;
    this.errors = options.errors;
    this.meta = options.meta;
  }
}

/** An action refused by the statechart. Carries the actions that are allowed instead. */
export class TransitionDeniedError extends BerthError {
  constructor(code: ErrorCode, message: string, options: BerthErrorOptions = {}) {
    super(code, message, options);
    this.name = 'TransitionDeniedError';
  }
}

/** Input that failed its schema. `errors` names every field. */
export class ValidationError extends BerthError {
  constructor(
    message: string,
    errors: readonly FieldIssue[],
    options: Omit<BerthErrorOptions, 'errors'> = {},
  ) {
    super('VALIDATION_FAILED', message, { ...options, errors });
    this.name = 'ValidationError';
  }
}

/** A compare-and-set commit found a newer version: nothing was written. */
export class VersionConflictError extends BerthError {
  constructor(
    readonly agentId: string,
    readonly expected: number,
    readonly actual: number | null,
  ) {
    super('VERSION_CONFLICT', `agent ${agentId} is at version ${actual ?? 'none'}, expected ${expected}`);
    this.name = 'VersionConflictError';
  }
}

/** No agent with that id (for this caller). */
export class AgentNotFoundError extends BerthError {
  constructor(readonly agentId: string) {
    super('AGENT_NOT_FOUND', `no agent '${agentId}'`);
    this.name = 'AgentNotFoundError';
  }
}

/** An error a driver raises. `code` is the driver's own (e.g. `NO_CAPACITY`), kept in `driverCode`. */
export class DriverError extends BerthError {
  constructor(
    readonly driverCode: string,
    message: string,
    options: BerthErrorOptions = {},
  ) {
    super('DRIVER_ERROR', message, options);
    this.name = 'DriverError';
  }
}

/** Driver error code meaning "no room for another agent now": the agent is waitlisted. */
export const NO_CAPACITY = 'NO_CAPACITY';

/** True when `value` is a {@link BerthError} (works across package copies by checking the shape). */
export function isBerthError(value: unknown): value is BerthError {
  return (
    value instanceof BerthError ||
    (value instanceof Error &&
      typeof (value as { code?: unknown }).code === 'string' &&
      Object.hasOwn(ERROR_CODES, (value as unknown as { code: string }).code) &&
      typeof (value as { status?: unknown }).status === 'number')
  );
}

/** Normalise anything thrown into a {@link BerthError}; unknown errors become `INTERNAL`. */
export function toBerthError(value: unknown): BerthError {
  if (isBerthError(value)) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new BerthError('INTERNAL', message, { cause: value });
}
