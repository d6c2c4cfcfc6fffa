/**
 * The error codes routes document, in the groups most routes share.
 *
 * @module
 */
import type { ErrorCode } from '../index.js';

/** Operator authentication and `authorize`. */
export const AUTH: ErrorCode[] = ['UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED'];
/** A body that fails its schema, is too large or is not JSON. */
export const BODY: ErrorCode[] = ['VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];
/** `Idempotency-Key` misuse. */
export const IDEM: ErrorCode[] = ['IDEMPOTENCY_KEY_IN_USE', 'IDEMPOTENCY_KEY_REUSED'];
/** The agent API's bearer token checks. */
export const AGENT_AUTH: ErrorCode[] = ['UNAUTHORIZED', 'AGENT_DISABLED', 'AGENT_REVOKED'];
/** What the lifecycle may refuse an action with. */
export const REFUSALS: ErrorCode[] = [
  'REASON_REQUIRED',
  'CONFIRMATION_REQUIRED',
  'ILLEGAL_TRANSITION',
  'OPERATION_IN_PROGRESS',
  'QUOTA_EXCEEDED',
  'PRECONDITION_FAILED',
  'VERSION_CONFLICT',
  'VERSION_MISMATCH',
  'DRIVER_ERROR',
];
