/**
 * Request plumbing: the JSON body parser (415 / 413 / malformed JSON as problems), bearer
 * tokens, `If-Match` and `Idempotency-Key` headers.
 *
 * @module
 */
import { BerthError, ValidationError } from '@berth/core';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';

/** True when the request carries a body (a non-zero Content-Length or chunked encoding). */
function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

interface BodyParserError {
  readonly type?: unknown;
  readonly status?: unknown;
  readonly message?: unknown;
}

/** Map a body-parser failure to a Berth error (never a 500 for the caller's mistakes). */
function bodyError(error: unknown, limit: number | string): BerthError {
  const e = (error ?? {}) as BodyParserError;
  switch (e.type) {
    case 'entity.too.large':
      return new BerthError('PAYLOAD_TOO_LARGE', `the body is larger than the limit of ${limit}`);
    case 'entity.parse.failed':
      return new ValidationError('the body is not valid JSON', [{ path: '', message: 'malformed JSON' }]);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new BerthError(
        'UNSUPPORTED_MEDIA_TYPE',
        typeof e.message === 'string' ? e.message : 'unsupported body encoding',
      );
    default:
      if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
        return new ValidationError('the body could not be read', [{ path: '', message: 'unreadable body' }]);
      return new BerthError('INTERNAL', 'body parsing failed', { cause: error });
  }
}

/**
 * A JSON body parser. No body → `req.body` is undefined; a body that is not JSON → 415;
 * beyond `limit` → 413; malformed JSON → 400 VALIDATION_FAILED.
 */
export function jsonBody(limit: number | string): RequestHandler {
  const parse = express.json({ limit, strict: false, type: () => true });
  return (req: Request, res: Response, next: NextFunction) => {
    if (!hasBody(req)) {
      req.body = undefined;
      next();
      return;
    }
    if (req.is(['application/json', 'application/*+json']) === false) {
      next(new BerthError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json'));
      return;
    }
    parse(req, res, (error?: unknown) => next(error === undefined ? undefined : bodyError(error, limit)));
  };
}

/** The bearer token of the request, or throw 401 UNAUTHORIZED. */
export function bearerToken(req: Request): string {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (match === null)
    throw new BerthError('UNAUTHORIZED', 'send the agent token as Authorization: Bearer <token>');
  return match[1]!;
}

/**
 * The versions an `If-Match` header accepts: `undefined` when absent or `*`, otherwise the
 * list of versions named (`"7"`, `W/"7"` and `7` all name 7). Tags that are not versions
 * are kept as `NaN`: they match nothing, so the request answers 412.
 */
export function ifMatchVersions(req: Request): number[] | undefined {
  const header = req.headers['if-match'];
  if (header === undefined) return undefined;
  const tags = header
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (tags.length === 0 || tags.includes('*')) return undefined;
  return tags.map((tag) => {
    const m = /^(?:W\/)?"?(\d{1,15})"?$/.exec(tag);
    return m === null ? Number.NaN : Number(m[1]);
  });
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** The `Idempotency-Key` header, or undefined; 400 when it is not 1–255 visible ASCII characters. */
export function idempotencyKey(req: Request): string | undefined {
  const key = req.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !KEY_PATTERN.test(key))
    throw new ValidationError('invalid Idempotency-Key header', [
      { path: 'headers.idempotency-key', message: 'must be 1 to 255 visible ASCII characters' },
    ]);
  return key;
}
