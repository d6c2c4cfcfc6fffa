/**
 * The JSON body parser of the binding: 415 / 413 / malformed JSON as Berth errors (never a 500
 * for the caller's mistakes). Headers are read by `@berth/core/http`.
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
 * Read the JSON body of `req` on demand (the handler asks after authenticating): resolves
 * with the body (undefined when there is none), rejects with the Berth error to answer.
 */
export function bodyReader(parse: RequestHandler, req: Request, res: Response): () => Promise<unknown> {
  return () =>
    new Promise((resolve, reject) => {
      parse(req, res, (error?: unknown) => (error === undefined ? resolve(req.body) : reject(error)));
    });
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
