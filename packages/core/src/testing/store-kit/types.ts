/**
 * The options of the store conformance kit.
 *
 * @module
 */
import type { LifecycleStore } from '../../store.js';

/** Options of `testStore`. */
export interface StoreTestOptions<S extends LifecycleStore = LifecycleStore> {
  /** Shown in describe() titles. */
  readonly name: string;
  /** A fresh, empty store. Called once per test: tests never see each other's data. */
  readonly create: () => S | Promise<S>;
  /**
   * Another handle on the same data as `store` (a second pool, connection or process-local
   * client). When given, the kit spreads its concurrent calls over several handles, so races
   * go through the database and not one client's queue. Stores that allow only one handle per
   * data set (SQLite: one process) leave it out.
   */
  readonly connect?: (store: S) => LifecycleStore | Promise<LifecycleStore>;
  /** Close a handle (every handle `create` and `connect` gave). @default calls `close()` when the store has one */
  readonly dispose?: (store: LifecycleStore) => void | Promise<void>;
  /** How many concurrent calls each race makes. @default 16 */
  readonly concurrency?: number;
  /** Per-test timeout in ms. @default 30_000 */
  readonly timeoutMs?: number;
}
