/**
 * Cancellation for the memory driver: abortable delays on a clock, and hangs (racing a call
 * against its signal is `defineDriver`'s job).
 *
 * @module
 */
import type { Clock } from '@berth/core';

/** The error an aborted call rejects with: `name === 'AbortError'`, the signal's reason as `cause`. */
export function abortError(message: string, signal: AbortSignal): Error {
  const error = new Error(message, { cause: signal.reason });
  error.name = 'AbortError';
  return error;
}

/** Resolve after `ms` on `clock`, or reject with an AbortError as soon as `signal` aborts. */
export function delay(clock: Clock, ms: number, signal: AbortSignal, message: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError(message, signal));
    const onAbort = () => {
      cancel();
      reject(abortError(message, signal));
    };
    const cancel = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Never resolve; reject with an AbortError when `signal` aborts. */
export function hang(signal: AbortSignal, message: string): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(abortError(message, signal));
    signal.addEventListener('abort', () => reject(abortError(message, signal)), { once: true });
  });
}
