/**
 * The one place that turns anything thrown into an RFC 9457 `application/problem+json`
 * response. Berth errors keep their code and HTTP status (from `ERROR_CODES`); anything else
 * becomes a 500 `INTERNAL` whose detail never leaks the original message; a framework's own 4xx
 * errors (a malformed path, say) keep their 4xx.
 *
 * @module
 */
import {
  BerthError,
  ERROR_CODES,
  type ErrorCode,
  type FieldIssue,
  isBerthError,
  toBerthError,
  ValidationError,
} from '../index.js';

/** The media type of every error response. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An RFC 9457 problem with Berth's stable `code`. */
export interface Problem {
  /** A URI naming the problem type (`urn:berth:error:<code>` by default). */
  readonly type: string;
  /** Short, human title of the code. */
  readonly title: string;
  /** The HTTP status. */
  readonly status: number;
  /** Stable UPPER_SNAKE code: match on this. */
  readonly code: ErrorCode;
  /** What went wrong, for this request. */
  readonly detail: string;
  /** For refused actions: what IS allowed now. */
  readonly allowedActions?: readonly string[];
  /** For validation failures: each failing field. */
  readonly errors?: readonly FieldIssue[];
  /** For `PRECONDITION_FAILED`: the embedder's reason code (e.g. `MODEL_PRICE_BOOK_MISSING`). */
  readonly reason?: string;
}

/** The default `type` URI of a problem. */
export function defaultProblemType(code: ErrorCode): string {
  return `urn:berth:error:${code.toLowerCase().replaceAll('_', '-')}`;
}

/**
 * Errors a framework itself raises for a bad request (`http-errors` with a 4xx `status`, e.g. a
 * path that is not valid percent-encoding) are the client's mistake, not an internal error.
 */
function fromHttpError(error: unknown): BerthError | null {
  if (isBerthError(error) || typeof error !== 'object' || error === null) return null;
  const { status, statusCode, expose, message } = error as {
    status?: unknown;
    statusCode?: unknown;
    expose?: unknown;
    message?: unknown;
  };
  const code = typeof status === 'number' ? status : statusCode;
  if (typeof code !== 'number' || code < 400 || code > 499) return null;
  const detail = expose === true && typeof message === 'string' ? message : 'the request is malformed';
  switch (code) {
    case 404:
      return new BerthError('NOT_FOUND', detail, { cause: error });
    case 413:
      return new BerthError('PAYLOAD_TOO_LARGE', detail, { cause: error });
    case 415:
      return new BerthError('UNSUPPORTED_MEDIA_TYPE', detail, { cause: error });
    default:
      return new ValidationError(detail, [{ path: '', message: detail }], { cause: error });
  }
}

/**
 * Map anything thrown to a problem. Unknown errors become `INTERNAL` (500) with a generic
 * detail: their message may hold internals and is never sent to the caller.
 *
 * @param error - Whatever was thrown.
 * @param problemType - How a code becomes the `type` URI.
 * @returns The problem and the {@link BerthError} it came from (for logging).
 */
export function toProblem(
  error: unknown,
  problemType: (code: ErrorCode) => string = defaultProblemType,
): { problem: Problem; error: BerthError } {
  const berth = fromHttpError(error) ?? toBerthError(error);
  const code: ErrorCode = Object.hasOwn(ERROR_CODES, berth.code) ? berth.code : 'INTERNAL';
  const { status, title } = ERROR_CODES[code];
  const detail = code === 'INTERNAL' ? 'An internal error occurred.' : berth.message;
  const problem: Problem = {
    type: problemType(code),
    title,
    status,
    code,
    detail,
    ...(berth.allowedActions !== undefined ? { allowedActions: [...berth.allowedActions] } : {}),
    ...(berth.errors !== undefined ? { errors: [...berth.errors] } : {}),
    ...(code === 'PRECONDITION_FAILED' && typeof berth.meta?.reason === 'string'
      ? { reason: berth.meta.reason }
      : {}),
  };
  return { problem, error: berth };
}
