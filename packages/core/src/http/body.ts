/**
 * Reading a JSON request body the same way in every binding: whether there is one, its media
 * type and charset (415), its size against the limit (413, before and while reading), JSON
 * syntax (400), and keys that could reach a prototype (`__proto__`, `constructor`,
 * `prototype`: 400 wherever they are). The Express binding parses with body-parser and shares
 * the key check; the fetch and `node:http` bindings read through {@link readJsonBody}.
 *
 * @module
 */
import { BerthError, ValidationError } from '../index.js';
import { headerOf } from './headers.js';
import type { HttpHeaders } from './types.js';

/** Keys refused anywhere in a body: they could reach an object's prototype. */
export const FORBIDDEN_BODY_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The default largest body: 100 KiB. */
export const DEFAULT_BODY_LIMIT = 100 * 1024;

const UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/**
 * A body limit in bytes: a number, or a `bytes` string such as `'100kb'` or `'1mb'` (units of 1024).
 *
 * @param limit - The limit as the `bodyLimit` option takes it.
 */
export function bodyLimitBytes(limit: number | string | undefined): number {
  if (limit === undefined) return DEFAULT_BODY_LIMIT;
  if (typeof limit === 'number') return limit;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(limit);
  if (m === null) throw new TypeError(`bodyLimit '${limit}' is not a size such as '100kb'`);
  return Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]!);
}

/**
 * Throw 400 VALIDATION_FAILED naming the first forbidden key found in `body`, at any depth.
 * Iterative: a deeply nested body cannot overflow the stack.
 */
export function refuseForbiddenKeys(body: unknown): void {
  const stack: { value: unknown; path: string }[] = [{ value: body, path: '' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
    for (const [key, child] of entries) {
      const at = path === '' ? String(key) : `${path}.${String(key)}`;
      if (typeof key === 'string' && FORBIDDEN_BODY_KEYS.has(key))
        throw new ValidationError(`the key '${key}' is not allowed in a body`, [
          { path: at, message: `the key '${key}' is not allowed` },
        ]);
      stack.push({ value: child, path: at });
    }
  }
}

/** True when the request announces a body (a non-zero `Content-Length`, or `Transfer-Encoding`). */
export function announcesBody(headers: HttpHeaders): boolean {
  if (headerOf(headers, 'transfer-encoding') !== undefined) return true;
  const length = headerOf(headers, 'content-length');
  return length !== undefined && length !== '0';
}

/**
 * Check the headers of a body before reading it: JSON media type (`application/json`,
 * `application/*+json`, or none), UTF-8, no content coding, and a `Content-Length` within
 * `limit`. Throws the Berth error to answer.
 */
export function checkBodyHeaders(headers: HttpHeaders, limit: number): void {
  const type = headerOf(headers, 'content-type');
  if (type !== undefined) {
    const [essence = '', ...params] = type.split(';').map((p) => p.trim().toLowerCase());
    if (essence !== 'application/json' && !/^application\/[^/]*\+json$/.test(essence))
      throw new BerthError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
    const charset = params
      .find((p) => p.startsWith('charset='))
      ?.slice(8)
      .replaceAll('"', '');
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')
      throw new BerthError('UNSUPPORTED_MEDIA_TYPE', `unsupported charset "${charset.toUpperCase()}"`);
  }
  const coding = headerOf(headers, 'content-encoding')?.trim().toLowerCase();
  if (coding !== undefined && coding !== '' && coding !== 'identity')
    throw new BerthError('UNSUPPORTED_MEDIA_TYPE', `unsupported content encoding "${coding}"`);
  const length = Number(headerOf(headers, 'content-length'));
  if (Number.isFinite(length) && length > limit) throw tooLarge(limit);
}

/** 413 PAYLOAD_TOO_LARGE for `limit`. */
export function tooLarge(limit: number): BerthError {
  return new BerthError('PAYLOAD_TOO_LARGE', `the body is larger than the limit of ${limit} bytes`);
}

/** Parse body text as JSON (an empty body reads as `{}`); 400 VALIDATION_FAILED when malformed. */
export function parseJsonText(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('the body is not valid JSON', [{ path: '', message: 'malformed JSON' }]);
  }
}

/**
 * Read and parse a JSON body from its chunks, stopping at `limit` bytes: `undefined` when the
 * request announces none. The checks of {@link checkBodyHeaders} run first.
 *
 * @param headers - The request headers.
 * @param chunks - The body as it arrives (a Node.js request, or a Web stream's chunks).
 * @param limit - Largest accepted body in bytes.
 */
export async function readJsonBody(
  headers: HttpHeaders,
  chunks: AsyncIterable<Uint8Array> | null,
  limit: number,
): Promise<unknown> {
  if (chunks === null || !announcesBody(headers)) return undefined;
  checkBodyHeaders(headers, limit);
  // Not fatal: invalid UTF-8 reads as U+FFFD, as Node's (and body-parser's) decoding does.
  const decoder = new TextDecoder('utf-8');
  let size = 0;
  let text = '';
  try {
    for await (const chunk of chunks) {
      size += chunk.byteLength;
      if (size > limit) throw tooLarge(limit);
      text += decoder.decode(chunk, { stream: true });
    }
    text += decoder.decode();
  } catch (error) {
    if (error instanceof BerthError) throw error;
    throw new ValidationError('the body could not be read', [{ path: '', message: 'unreadable body' }], {
      cause: error,
    });
  }
  return parseJsonText(text);
}
