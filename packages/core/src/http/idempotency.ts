/**
 * `Idempotency-Key` support over HTTP: the request fingerprint, and the one implementation of
 * the manager ({@link runIdempotent}, re-exported): the same key and body replay the stored
 * response and act once; another body is refused (422 `IDEMPOTENCY_KEY_REUSED`); a key whose
 * first request still runs is refused (409 `IDEMPOTENCY_KEY_IN_USE`); a replay of a response
 * that held a secret answers 409 `SECRET_ALREADY_SHOWN`. By default keys live in the manager's
 * store (`manager.idempotent`), scoped and capped per owner.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { IdempotencyRecord } from '../index.js';
import type { IdempotencyStore } from '../manager/idempotency.js';

export {
  type IdempotencyStore,
  type IdempotentRequest,
  type IdempotentResponse,
  runIdempotent,
  type StoredResponse,
} from '../manager/idempotency.js';

/** Options of {@link createMemoryIdempotencyStore}. */
export interface MemoryIdempotencyStoreOptions {
  /** Time source for expiry. @default Date.now */
  readonly now?: () => number;
  /** Most records kept; the oldest are dropped beyond it. @default 100_000 */
  readonly maxEntries?: number;
}

/**
 * A small in-memory idempotency store, process-wide: expired records are replaced; beyond
 * `maxEntries` the oldest are forgotten, whoever they belong to.
 *
 * @deprecated `createBerthHandler` keeps keys in the manager's store by default (durable,
 * capped per owner); pass this only to keep the old process-wide behaviour.
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
