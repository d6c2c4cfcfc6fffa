/**
 * The store kit's machinery: each test gets a fresh store (and, when the options can connect,
 * more handles on the same data), closed afterwards even when the test fails.
 *
 * @module
 */
import { describe, it } from 'vitest';
import type { LifecycleStore } from '../../store.js';
import type { StoreTestOptions } from './types.js';

/** What each store test receives. */
export interface StoreEnv {
  /** The fresh store. */
  readonly store: LifecycleStore;
  /** The store and every other handle on its data (at least one). */
  readonly handles: readonly LifecycleStore[];
  /** The handle the i-th concurrent caller uses (round robin). */
  at(i: number): LifecycleStore;
  /** How many concurrent calls a race makes. */
  readonly concurrency: number;
}

/** One store conformance test. */
export type StoreTest = (env: StoreEnv) => Promise<void>;

/** One area of the store contract: a title and its tests (title → body, in order). */
export interface StoreArea {
  readonly title: string;
  readonly tests: Readonly<Record<string, StoreTest>>;
}

const EXTRA_HANDLES = 2;

async function close<S extends LifecycleStore>(
  options: StoreTestOptions<S>,
  handle: LifecycleStore,
): Promise<void> {
  if (options.dispose) return void (await options.dispose(handle));
  const closable = handle as { close?: () => unknown };
  if (typeof closable.close === 'function') await closable.close();
}

/** Register one area as a describe block. */
export function registerStoreArea<S extends LifecycleStore>(
  area: StoreArea,
  options: StoreTestOptions<S>,
): void {
  const timeout = options.timeoutMs ?? 30_000;
  const concurrency = options.concurrency ?? 16;
  describe(area.title, () => {
    for (const [title, body] of Object.entries(area.tests)) {
      it(
        title,
        async () => {
          const store = await options.create();
          const handles: LifecycleStore[] = [store];
          try {
            if (options.connect) {
              for (let i = 0; i < EXTRA_HANDLES; i++) handles.push(await options.connect(store));
            }
            await body({ store, handles, at: (i) => handles[i % handles.length]!, concurrency });
          } finally {
            for (const h of handles.reverse()) await close(options, h);
          }
        },
        timeout,
      );
    }
  });
}

/** Run `n` calls at once (the i-th on handle `env.at(i)`) and settle them all. */
export function race<T>(env: StoreEnv, n: number, call: (store: LifecycleStore, i: number) => Promise<T>) {
  return Promise.allSettled(Array.from({ length: n }, (_, i) => call(env.at(i), i)));
}
