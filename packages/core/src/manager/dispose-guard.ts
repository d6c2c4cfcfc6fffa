/**
 * The dispose guard: once `close()` has begun, every method of the manager throws
 * `MANAGER_CLOSED` before it reads or writes anything (so a `create()` after `close()` commits
 * nothing), and `close()` itself is idempotent.
 *
 * @module
 */
import { BerthError } from '../errors.js';
import type { LifecycleManager } from '../manager-types.js';

/** Methods that return no promise: after close they throw synchronously. */
const SYNC_METHODS: ReadonlySet<string> = new Set(['start']);

/** The error every call after `close()` throws. */
export function managerClosedError(method: string): BerthError {
  return new BerthError('MANAGER_CLOSED', `the manager is closed: ${method}() cannot run after close()`);
}

/**
 * Guard `manager` in place: each method refuses with `MANAGER_CLOSED` once `close` has been
 * called; `close` runs once (a second call answers the first call's promise, so `await using`
 * after an explicit `close()` is fine).
 *
 * @param manager - The manager as wired, with its own `close`.
 */
export function guardClosed(manager: LifecycleManager): LifecycleManager {
  let closing: Promise<void> | null = null;
  const close = manager.close.bind(manager);
  const target = manager as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(target)) {
    if (name === 'close' || typeof value !== 'function') continue;
    const method = value as (...args: unknown[]) => unknown;
    target[name] = (...args: unknown[]): unknown => {
      if (closing !== null) {
        const error = managerClosedError(name);
        if (SYNC_METHODS.has(name)) throw error;
        return Promise.reject(error);
      }
      return method(...args);
    };
  }
  manager.close = () => {
    if (closing === null) {
      closing = close();
    }
    return closing;
  };
  return manager;
}
