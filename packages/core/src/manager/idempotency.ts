/**
 * Idempotency: the same key and request act once and answer the same.
 *
 * @module
 */
import { BerthError } from '../errors.js';
import type { ManagerContext } from './context.js';
import { DAY } from './policies.js';

/**
 * Run `work` once per (scope, key): a repeat with the same fingerprint returns the first
 * result; another fingerprint is IDEMPOTENCY_KEY_REUSED; one still running IDEMPOTENCY_KEY_IN_USE.
 */
export async function idempotent<T>(
  ctx: ManagerContext,
  scope: string,
  key: string | undefined,
  fingerprint: string,
  work: () => Promise<T>,
) {
  const { store, clock } = ctx;
  if (key === undefined) return work();
  const now = clock.now();
  const existing = await store.beginIdempotent({
    scope,
    key,
    fingerprint,
    state: 'in_progress',
    response: null,
    createdAt: now,
    expiresAt: now + DAY,
  });
  if (existing) {
    if (existing.fingerprint !== fingerprint) {
      throw new BerthError(
        'IDEMPOTENCY_KEY_REUSED',
        `idempotency key '${key}' was used with a different request`,
      );
    }
    if (existing.state !== 'done' || !existing.response) {
      throw new BerthError(
        'IDEMPOTENCY_KEY_IN_USE',
        `a request with idempotency key '${key}' is still running`,
      );
    }
    return existing.response.body as T;
  }
  try {
    const result = await work();
    await store.finishIdempotent(scope, key, { status: 200, body: result });
    return result;
  } catch (error) {
    await store.abandonIdempotent(scope, key);
    throw error;
  }
}
