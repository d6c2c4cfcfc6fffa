/**
 * Idempotency, the one implementation the manager (`create`, `dispatch`) and `@berth/core/http`
 * (`Idempotency-Key`) share: the same key and request act once and answer the same, kept in the
 * store (`beginIdempotent`/`finishIdempotent`), so a durable store keeps keys across restarts.
 *
 * - Keys are scoped per owner (`owner:acme`) and capped per scope: one more record than
 *   `maxPerScope` drops that owner's oldest, never another owner's.
 * - A response that carried a secret (a registration token, an agent token, credentials) is
 *   never stored: the record keeps a marker, and a replay answers `SECRET_ALREADY_SHOWN`.
 * - Only successes are kept: a request that throws or answers ≥ 400 changed nothing, so
 *   retrying it under the same key runs it again.
 *
 * @module
 */
import { BerthError } from '../errors.js';
import type { IdempotentCall, IdempotentResponse, StoredResponse } from '../idempotency-types.js';
import type { LifecycleStore } from '../store.js';
import type { ManagerContext } from './context.js';
import { withoutCredentials } from './credentials.js';
import { DAY } from './policies.js';

/** Where idempotent responses live: the idempotency part of a `LifecycleStore`. */
export type IdempotencyStore = Pick<
  LifecycleStore,
  'beginIdempotent' | 'finishIdempotent' | 'abandonIdempotent'
>;

export type { IdempotentResponse, StoredResponse };

/** What {@link runIdempotent} needs. */
export interface IdempotentRequest {
  readonly store: IdempotencyStore;
  /** The key the caller sent, or undefined (then `run` simply runs). */
  readonly key: string | undefined;
  /** Who the key belongs to (`owner:acme`): the unit of the cap. */
  readonly scope: string;
  readonly fingerprint: string;
  readonly now: number;
  readonly ttlMs: number;
  /** Records kept per scope (the scope's oldest dropped beyond it). @default unlimited */
  readonly maxPerScope?: number | undefined;
}

/** The body stored in place of a response that held a secret. */
const SECRET_SHOWN = Object.freeze({ $berth: 'secret-already-shown' });

function isSecretMarker(body: unknown): boolean {
  return (
    typeof body === 'object' && body !== null && (body as { $berth?: unknown }).$berth === SECRET_SHOWN.$berth
  );
}

/**
 * Run `run` at most once per (scope, key). Returns its response, or the stored one with
 * `replayed: true`. Throws `IDEMPOTENCY_KEY_REUSED` (another request under the key),
 * `IDEMPOTENCY_KEY_IN_USE` (the first is still running) or `SECRET_ALREADY_SHOWN`.
 */
export async function runIdempotent(
  request: IdempotentRequest,
  run: () => Promise<IdempotentResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  const { store, key, scope, fingerprint } = request;
  if (key === undefined) {
    const { status, body } = await run();
    return { status, body, replayed: false };
  }
  const existing = await store.beginIdempotent(
    {
      scope,
      key,
      fingerprint,
      state: 'in_progress',
      response: null,
      createdAt: request.now,
      expiresAt: request.now + request.ttlMs,
    },
    request.maxPerScope === undefined ? {} : { maxPerScope: request.maxPerScope },
  );
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
    if (isSecretMarker(existing.response.body))
      throw new BerthError(
        'SECRET_ALREADY_SHOWN',
        'the response to this Idempotency-Key held a secret, which is shown only once; it is not replayed',
      );
    return { ...existing.response, replayed: true };
  }
  let response: IdempotentResponse;
  try {
    response = await run();
  } catch (error) {
    await store.abandonIdempotent(scope, key);
    throw error;
  }
  const { status, body } = response;
  if (status < 400)
    await store.finishIdempotent(scope, key, { status, body: response.secret ? SECRET_SHOWN : body });
  else await store.abandonIdempotent(scope, key);
  return { status, body, replayed: false };
}

/**
 * The manager's idempotency: run `work` once per (owner, key) in the manager's store. `key` is
 * the caller's key; `kind` keeps one owner's keys for different operations apart.
 */
export async function idempotent<T>(
  ctx: ManagerContext,
  owner: string,
  kind: string,
  key: string | undefined,
  fingerprint: string,
  work: () => Promise<T>,
): Promise<T> {
  if (key === undefined) return work();
  // Credentials in the answer are shown this once: the stored answer (what a replay gets) is
  // the same without them.
  let first: { value: T } | null = null;
  const result = await runIdempotent(
    {
      store: ctx.store,
      key: `${kind}:${key}`,
      scope: ownerScope(owner),
      fingerprint,
      now: ctx.clock.now(),
      ttlMs: DAY,
      maxPerScope: ctx.limits.maxIdempotencyKeysPerOwner,
    },
    async () => {
      first = { value: await work() };
      return { status: 200, body: withoutCredentials(first.value) };
    },
  );
  return first === null ? (result.body as T) : (first as { value: T }).value;
}

/** The idempotency scope of an owner: one owner's keys never evict another's. */
export function ownerScope(owner: string): string {
  return `owner:${owner}`;
}

/** `manager.idempotent`: {@link runIdempotent} in the manager's store, capped per scope. */
export function idempotentCall(
  ctx: ManagerContext,
  call: IdempotentCall,
  work: () => Promise<IdempotentResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  return runIdempotent(
    {
      store: ctx.store,
      key: call.key,
      scope: call.scope,
      fingerprint: call.fingerprint,
      now: ctx.clock.now(),
      ttlMs: call.ttlMs ?? DAY,
      maxPerScope: ctx.limits.maxIdempotencyKeysPerOwner,
    },
    work,
  );
}
