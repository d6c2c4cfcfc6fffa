/**
 * Opening a SQLite store: the file (created with its directory when missing), the pragmas
 * (WAL, `synchronous`, `locking_mode=EXCLUSIVE` so one process owns the file), the migrations,
 * and a {@link LifecycleStore} with `close()` and `backup()`.
 *
 * @module
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LifecycleStore } from '@berth/core';
import Database from 'better-sqlite3';
import { agentMethods } from './agents.js';
import { catalogMethods } from './catalog.js';
import { createContext } from './context.js';
import { SqliteStoreLockedError } from './errors.js';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations.js';
import { sideMethods } from './side-tables.js';

/**
 * When a commit counts as durable (SQLite's `PRAGMA synchronous` in WAL mode).
 *
 * - `FULL` (the default): the write-ahead log is fsynced at every commit. An acknowledged
 *   commit survives a crash of the process and of the machine (power loss, kernel panic).
 * - `NORMAL`: the log is fsynced only at checkpoints. An acknowledged commit survives a crash
 *   of the process (`kill -9`, an uncaught error); a power loss or OS crash may roll back the
 *   last commits (never corrupting the file). Several times faster per commit.
 */
export type SqliteSynchronous = 'FULL' | 'NORMAL';

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * The database file. Created, with its directory, when missing. `':memory:'` gives a
   * throwaway database (for tests; nothing is durable).
   */
  readonly path: string;
  /** Durability of each commit. @default 'FULL' */
  readonly synchronous?: SqliteSynchronous;
}

/** A {@link LifecycleStore} kept in one SQLite file. */
export interface SqliteStore extends LifecycleStore {
  /** The database file. */
  readonly path: string;
  /** The durability setting in force. */
  readonly synchronous: SqliteSynchronous;
  /** The schema version of the file (the newest migration applied). */
  readonly schemaVersion: number;
  /** Whether {@link SqliteStore.close} was called. */
  readonly closed: boolean;
  /**
   * Write a consistent copy of the whole database to `destination` while the store stays in
   * use (SQLite's online backup API). The copy is a complete SQLite file another store can
   * open. This is the way to back up a running store: the file is locked against other
   * processes.
   */
  backup(destination: string): Promise<void>;
  /**
   * Close the database: later calls throw `SqliteStoreClosedError`. The write-ahead log is
   * checkpointed into the file and removed, and the file's lock is released (another process
   * may open it now). Calling it again does nothing. Close the manager first, so no commit is
   * on its way.
   */
  close(): Promise<void>;
}

/** The schema version this version of the store writes. */
export const SQLITE_SCHEMA_VERSION: number = MIGRATIONS.at(-1)?.version ?? 0;

const LOCK_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_BUSY_RECOVERY', 'SQLITE_BUSY_SNAPSHOT']);

/**
 * Open (or create) a SQLite store. Synchronous: when it returns, the file is migrated, locked
 * for this process and ready.
 *
 * Throws `SqliteStoreLockedError` (`code: 'STORE_LOCKED'`) at once when another process has
 * the file open, and `SqliteStoreSchemaError` (`STORE_SCHEMA_TOO_NEW`) when a newer version of
 * the store wrote it.
 *
 * @example
 * ```ts
 * import { createLifecycleManager } from '@berth/core';
 * import { createSqliteStore } from '@berth/store-sqlite';
 *
 * const store = createSqliteStore({ path: '.berth/berth.sqlite' });
 * const manager = createLifecycleManager({ store, driver });
 * await manager.resume();
 * // … on shutdown:
 * await manager.close();
 * await store.close();
 * ```
 */
export function createSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const path = options.path;
  const synchronous: SqliteSynchronous = options.synchronous ?? 'FULL';
  if (synchronous !== 'FULL' && synchronous !== 'NORMAL') {
    throw new TypeError(`synchronous must be 'FULL' or 'NORMAL', got ${JSON.stringify(synchronous)}`);
  }
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  // No busy wait: the file is either ours or another process's, and then waiting cannot help.
  const db = new Database(path, { timeout: 0 });
  let schemaVersion: number;
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    // The first write takes the exclusive lock; it is held until close().
    schemaVersion = migrate(db, path, Date.now()).version;
  } catch (error) {
    db.close();
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && LOCK_CODES.has(code)) throw new SqliteStoreLockedError(path, error);
    throw error;
  }

  let closed = false;
  const ctx = createContext(db, path, () => closed);
  const catalog = catalogMethods(ctx);
  const store: SqliteStore = {
    ...agentMethods(ctx, catalog.applyCatalog),
    ...catalog.methods,
    ...sideMethods(ctx),
    path,
    synchronous,
    schemaVersion,
    get closed() {
      return closed;
    },
    async backup(destination) {
      ctx.check();
      await db.backup(destination);
    },
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
  return store;
}

/** The same as {@link createSqliteStore}. */
export const openSqliteStore: (options: SqliteStoreOptions) => SqliteStore = createSqliteStore;
