/**
 * `@berth/store-sqlite`: a Berth `LifecycleStore` in one SQLite file, on better-sqlite3. The
 * embedded durable store: WAL with `synchronous=FULL` by default, one `BEGIN IMMEDIATE`
 * transaction per call, versioned migrations, and one process per file (a second one gets
 * `SqliteStoreLockedError`, never a corrupted file).
 *
 * @example
 * ```ts
 * import { createSqliteStore } from '@berth/store-sqlite';
 *
 * const store = createSqliteStore({ path: '.berth/berth.sqlite' }); // synchronous: 'FULL'
 * ```
 *
 * @module
 */
export {
  SqliteStoreClosedError,
  SqliteStoreError,
  type SqliteStoreErrorCode,
  SqliteStoreLockedError,
  SqliteStoreSchemaError,
} from './errors.js';
export {
  createSqliteStore,
  openSqliteStore,
  SQLITE_SCHEMA_VERSION,
  type SqliteStore,
  type SqliteStoreOptions,
  type SqliteSynchronous,
} from './open.js';
