/**
 * A fixed-window rate limiter per client, for the edge's two limits: registration attempts and
 * failed operator authentications. Bounded: it remembers at most `maxClients` clients (the
 * oldest window is dropped first), so many addresses cannot grow the process.
 *
 * @module
 */
import { BerthError } from '../index.js';

/** Limits of one rate limiter. */
export interface RateLimit {
  /** Window length in milliseconds. @default 60_000 */
  readonly windowMs?: number;
  /** Counted events per client per window; the next one is refused. */
  readonly limit?: number;
}

/** A rate limiter keyed by client. */
export interface RateLimiter {
  /** Seconds until `client` may try again (it used up its window), or 0 when it may go on. */
  retryAfter(client: string): number;
  /** Count one event for `client`. */
  hit(client: string): void;
}

interface Window {
  start: number;
  count: number;
}

/**
 * Create a rate limiter.
 *
 * @param limits - Window and limit.
 * @param fallbackLimit - The limit when `limits.limit` is absent.
 * @param now - The clock. @default Date.now
 * @param maxClients - Most clients remembered at once. @default 10_000
 */
export function createRateLimiter(
  limits: RateLimit,
  fallbackLimit: number,
  now: () => number = Date.now,
  maxClients = 10_000,
): RateLimiter {
  const windowMs = limits.windowMs ?? 60_000;
  const limit = limits.limit ?? fallbackLimit;
  const windows = new Map<string, Window>();

  const current = (client: string): Window | undefined => {
    const w = windows.get(client);
    if (w !== undefined && now() - w.start >= windowMs) {
      windows.delete(client);
      return undefined;
    }
    return w;
  };
  const retryAfter = (client: string): number => {
    const w = current(client);
    if (w === undefined || w.count < limit) return 0;
    return Math.max(1, Math.ceil((w.start + windowMs - now()) / 1000));
  };
  return {
    retryAfter,
    hit(client) {
      let w = current(client);
      if (w === undefined) {
        if (windows.size >= maxClients) windows.delete(windows.keys().next().value as string);
        w = { start: now(), count: 0 };
        windows.set(client, w);
      }
      w.count++;
    },
  };
}

/** 429 RATE_LIMITED, carrying the seconds to wait (sent as `Retry-After`). */
export function rateLimited(message: string, retryAfterSeconds: number): BerthError {
  return new BerthError('RATE_LIMITED', message, { meta: { retryAfter: retryAfterSeconds } });
}
