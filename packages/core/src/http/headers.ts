/**
 * Reading request headers: bearer tokens, `If-Match`, `Idempotency-Key`, `Last-Event-ID`.
 *
 * @module
 */
import { BerthError, ValidationError } from '../index.js';
import type { HttpHeaders } from './types.js';

/** One header as a string (the first of repeated values), or undefined. */
export function headerOf(headers: HttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

/** The bearer token of the request, or throw 401 UNAUTHORIZED. */
export function bearerToken(headers: HttpHeaders): string {
  const header = headerOf(headers, 'authorization');
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
export function ifMatchVersions(headers: HttpHeaders): number[] | undefined {
  const header = headerOf(headers, 'if-match');
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

/** The version `If-Match` asks for, checked against `current`; undefined without `If-Match`. */
export function checkIfMatch(headers: HttpHeaders, current: number): number | undefined {
  const versions = ifMatchVersions(headers);
  if (versions === undefined) return undefined;
  if (!versions.includes(current))
    throw new BerthError(
      'VERSION_MISMATCH',
      `If-Match names version ${versions.map((v) => (Number.isNaN(v) ? '?' : v)).join(', ')}; the agent is at version ${current}`,
      { meta: { version: current } },
    );
  return current;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** The `Idempotency-Key` header, or undefined; 400 when it is not 1–255 visible ASCII characters. */
export function idempotencyKey(headers: HttpHeaders): string | undefined {
  const key = headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !KEY_PATTERN.test(key))
    throw new ValidationError('invalid Idempotency-Key header', [
      { path: 'headers.idempotency-key', message: 'must be 1 to 255 visible ASCII characters' },
    ]);
  return key;
}

/** The `Last-Event-ID` header (or `?lastEventId=`) as a version, or undefined. */
export function lastEventIdOf(
  headers: HttpHeaders,
  query: Readonly<Record<string, unknown>>,
): number | undefined {
  const raw =
    headerOf(headers, 'last-event-id') ??
    (typeof query.lastEventId === 'string' ? query.lastEventId : undefined);
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}

/** True when `If-None-Match` names `etag` (weakly compared, as RFC 9110 asks for GET) or is `*`. */
export function notModified(headers: HttpHeaders, etag: string): boolean {
  const header = headerOf(headers, 'if-none-match');
  if (header === undefined) return false;
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || strip(tag) === strip(etag));
}
