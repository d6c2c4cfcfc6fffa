/**
 * `Idempotency-Key` support: the same key and body replay the stored response and act once;
 * the same key with another body is refused (422 `IDEMPOTENCY_KEY_REUSED`); the same key while
 * the first request still runs is refused (409 `IDEMPOTENCY_KEY_IN_USE`). Keys are scoped per
 * owner (operator API) or per agent / registration token (agent API).
 *
 * Only successful responses (status < 400) are stored: a refused request changed nothing, so
 * retrying it with the same key runs it again.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { BerthError, type IdempotencyRecord, type LifecycleStore } from '../index.js';

/** Where idempotent responses live: the idempotency part of a `LifecycleStore`. */
export type IdempotencyStore = Pick<
  LifecycleStore,
  'beginIdempotent' | 'finishIdempotent' | 'abandonIdempotent'
>;

/** Options of {@link createMemoryIdempotencyStore}. */
export interface MemoryIdempotencyStoreOptions {
  /** Time source for expiry. @default Date.now */
  readonly now?: () => number;
  /** Most records kept; the oldest are dropped beyond it. @default 100_000 */
  readonly maxEntries?: number;
}

/**
 * A small in-memory idempotency store: the default of `createBerthHandler` (and so of every binding). Expired records
 * are replaced; beyond `maxEntries` the oldest are forgotten. For several processes, pass a
 * store backed by your database (a `LifecycleStore` has the same three methods).
 *
 * @example
 * ```ts
 * const router = createBerthRouter(manager, { idempotencyStore: createMemoryIdempotencyStore() });
 * ```
 */
export function createMemoryIdempotencyStore(options: MemoryIdempotencyStoreOptions = {}): IdempotencyStore {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 100_000;
  const records = new Map<string, IdempotencyRecord>();
  const id = (scope: string, key: string) => `${scope.length}:${scope}:${key}`;
  return {
    async beginIdempotent(record) {
      const k = id(record.scope, record.key);
      const existing = records.get(k);
      if (existing !== undefined && existing.expiresAt > now()) return existing;
      records.delete(k);
      records.set(k, record);
      while (records.size > maxEntries) {
        const oldest = records.keys().next().value;
        if (oldest === undefined) break;
        records.delete(oldest);
      }
      return null;
    },
    async finishIdempotent(scope, key, response) {
      const k = id(scope, key);
      const existing = records.get(k);
      if (existing !== undefined) records.set(k, { ...existing, state: 'done', response });
    },
    async abandonIdempotent(scope, key) {
      records.delete(id(scope, key));
    },
  };
}

/** A JSON (or, with `body: undefined`, empty) answer: what idempotency stores and replays. */
export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

/** JSON with object keys sorted, so two equal bodies give one fingerprint. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** Fingerprint of a request: method, path and canonical body. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${canonicalJson(body)}`)
    .digest('hex');
}

/** What {@link runIdempotent} needs. */
export interface IdempotentRequest {
  readonly store: IdempotencyStore;
  /** The key the caller sent, or undefined (then `run` simply runs). */
  readonly key: string | undefined;
  /** Who the key belongs to (`owner:acme`, `agent:agt_1`). */
  readonly scope: string;
  readonly fingerprint: string;
  readonly now: number;
  readonly ttlMs: number;
}

/**
 * Run `run` at most once per (scope, key). Returns its response, or the stored one with
 * `replayed: true`.
 */
export async function runIdempotent(
  request: IdempotentRequest,
  run: () => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  const { store, key, scope, fingerprint } = request;
  if (key === undefined) return { ...(await run()), replayed: false };
  const existing = await store.beginIdempotent({
    scope,
    key,
    fingerprint,
    state: 'in_progress',
    response: null,
    createdAt: request.now,
    expiresAt: request.now + request.ttlMs,
  });
  if (existing !== null) {
    if (existing.fingerprint !== fingerprint)
      throw new BerthError(
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was used with a different request; use a new key for a new request',
      );
    if (existing.state !== 'done' || existing.response === null)
      throw new BerthError(
        'IDEMPOTENCY_KEY_IN_USE',
        'a request with this Idempotency-Key is still running; retry once it has finished',
      );
    return { ...existing.response, replayed: true };
  }
  let response: StoredResponse;
  try {
    response = await run();
  } catch (error) {
    await store.abandonIdempotent(scope, key);
    throw error;
  }
  if (response.status < 400) await store.finishIdempotent(scope, key, response);
  else await store.abandonIdempotent(scope, key);
  return { ...response, replayed: false };
}
