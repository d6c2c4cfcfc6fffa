/**
 * The shapes of idempotent work (`manager.idempotent`, `@berth/core/http`'s `Idempotency-Key`):
 * what is run once, what it answers, and what is stored and replayed.
 *
 * @module
 */

/** A JSON (or, with `body: undefined`, empty) answer: what idempotency stores and replays. */
export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

/** What an idempotent run answers: a response, marked when it holds a secret shown once. */
export interface IdempotentResponse extends StoredResponse {
  /** The body holds a secret: it is never stored, and a replay answers `SECRET_ALREADY_SHOWN`. */
  readonly secret?: boolean | undefined;
}

/** What `LifecycleManager.idempotent` is asked to run once. */
export interface IdempotentCall {
  /** Whose keys these are (`owner:acme`): the unit of the per-owner cap. */
  readonly scope: string;
  /** The caller's key, or undefined (then the work simply runs). */
  readonly key: string | undefined;
  /** Fingerprint of the request: the same key with another fingerprint is `IDEMPOTENCY_KEY_REUSED`. */
  readonly fingerprint: string;
  /** How long the key is remembered. @default 24 hours */
  readonly ttlMs?: number | undefined;
}
