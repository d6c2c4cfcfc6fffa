/**
 * Open a PostgreSQL store: connect (a `Pool` of yours, or one made from a connection string),
 * migrate the schema, and hand back the {@link LifecycleStore} over it.
 *
 * @module
 */
import type { LifecycleStore, OperationLeases, StoreChangeFeed } from '@berth/core';
import type { Pool } from 'pg';
import { agentMethods } from './agents.js';
import { catalogMethods } from './catalog.js';
import { type ChangeFeedMode, type ChangeFeedOptions, createChangeFeed } from './change-feed.js';
import { createContext } from './context.js';
import { PostgresStoreError } from './errors.js';
import { createLeases, type LeaseOptions } from './leases.js';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations.js';
import { sideMethods } from './side-tables.js';

/** Options of {@link createPostgresStore}. */
export interface PostgresStoreOptions {
  /**
   * The database: a `pg.Pool` you made (the store never ends it), or a connection string
   * (`postgres://user@host:5432/db`) for a pool the store makes and `close()` ends.
   */
  readonly connection: Pool | string;
  /**
   * The schema every table lives in (created when missing). Instances that share data use the
   * same schema; table names are schema-qualified in every statement, so no `search_path` is
   * needed. @default 'berth'
   */
  readonly schema?: string;
  /** Size of the pool made from a connection string. @default 10 */
  readonly poolSize?: number;
  /**
   * How this instance hears about other instances' commits (what `waitFor`, `GET …/wait` and
   * `GET …/events` wake on). `mode: 'listen'` (default) uses payload-free `LISTEN`/`NOTIFY`
   * wake-ups, a catch-up read after every reconnect and a slow poll; `mode: 'poll'` only polls —
   * for PgBouncer in transaction pooling mode, which cannot carry `LISTEN`.
   * @default { mode: 'listen', pollMs: 2000 }
   */
  readonly changes?: ChangeFeedOptions;
  /**
   * Leases on operations: an instance runs an operation's driver call under a lease it renews;
   * when it dies, another instance takes the operation over within twice `leaseMs` and re-drives
   * it with the same operation id (a fencing epoch makes a late outcome of the old attempt write
   * nothing). Lease times are the database's clock unless `clock` is given (tests).
   * @default { leaseMs: 15000, instanceId: a random UUID }
   */
  readonly leases?: LeaseOptions;
}

/** A {@link LifecycleStore} in a PostgreSQL schema that any number of instances share. */
export interface PostgresStore extends LifecycleStore {
  /** The schema the tables live in. */
  readonly schema: string;
  /** The schema version (the newest migration applied). */
  readonly schemaVersion: number;
  /** The pool the store runs its queries on. */
  readonly pool: Pool;
  /** Whether {@link PostgresStore.close} was called. */
  readonly closed: boolean;
  /** Leases on operations (see {@link PostgresStoreOptions.leases}). */
  readonly leases: OperationLeases;
  /** Wake-ups for other instances' commits (see {@link PostgresStoreOptions.changes}). */
  readonly changes: StoreChangeFeed & { readonly mode: ChangeFeedMode };
  /**
   * Close the store: later calls throw `PostgresStoreClosedError`. A pool the store made from a
   * connection string is ended; a pool you passed in is left open. Calling it again does
   * nothing. Close the manager first, so no commit is on its way.
   */
  close(): Promise<void>;
}

/** The schema version this version of the store writes. */
export const POSTGRES_SCHEMA_VERSION: number = MIGRATIONS.at(-1)?.version ?? 0;

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

async function makePool(connectionString: string, max: number): Promise<Pool> {
  let pg: typeof import('pg');
  try {
    pg = await import('pg');
  } catch (error) {
    throw new PostgresStoreError(
      'STORE_DRIVER_MISSING',
      "@berth/store-postgres needs the 'pg' package (node-postgres 8): install it beside the store",
      { cause: error },
    );
  }
  const PoolClass = pg.Pool ?? (pg as unknown as { default: typeof import('pg') }).default.Pool;
  const pool = new PoolClass({ connectionString, max });
  // An idle client the server dropped (a restart, pg_terminate_backend) is replaced by the pool;
  // without a listener its 'error' would end the process.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Open (or create) a PostgreSQL store. Resolves once the schema is migrated (several instances
 * starting together migrate it once) and the store is ready.
 *
 * Rejects with `PostgresStoreSchemaError` (`STORE_SCHEMA_TOO_NEW`) when a newer version of the
 * store migrated the schema, and with `PostgresStoreError` (`STORE_OPTIONS_INVALID`) for a
 * schema name that is not a plain identifier.
 *
 * @example
 * ```ts
 * import { createLifecycleManager } from '@berth/core';
 * import { createPostgresStore } from '@berth/store-postgres';
 *
 * const store = await createPostgresStore({ connection: process.env.DATABASE_URL! });
 * const manager = createLifecycleManager({ store, driver });
 * await manager.resume();
 * // … on shutdown:
 * await manager.close();
 * await store.close();
 * ```
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const schemaName = options.schema ?? 'berth';
  if (!SCHEMA_NAME.test(schemaName)) {
    throw new PostgresStoreError(
      'STORE_OPTIONS_INVALID',
      `schema must be a plain identifier (letters, digits, _; at most 63), got ${JSON.stringify(schemaName)}`,
    );
  }
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new PostgresStoreError(
      'STORE_OPTIONS_INVALID',
      `poolSize must be a positive integer, got ${poolSize}`,
    );
  }
  const leaseMs = options.leases?.leaseMs ?? 15_000;
  if (!Number.isInteger(leaseMs) || leaseMs < 100) {
    throw new PostgresStoreError(
      'STORE_OPTIONS_INVALID',
      `leases.leaseMs must be an integer ≥ 100, got ${leaseMs}`,
    );
  }
  const pollMs = options.changes?.pollMs;
  if (pollMs !== undefined && !(Number.isFinite(pollMs) && pollMs > 0)) {
    throw new PostgresStoreError(
      'STORE_OPTIONS_INVALID',
      `changes.pollMs must be a positive number, got ${pollMs}`,
    );
  }
  const owned = typeof options.connection === 'string';
  const pool =
    typeof options.connection === 'string'
      ? await makePool(options.connection, poolSize)
      : options.connection;
  let closed = false;
  const ctx = createContext(pool, schemaName, () => closed);
  let schemaVersion: number;
  try {
    schemaVersion = (await migrate(pool, schemaName, ctx.schema)).version;
  } catch (error) {
    if (owned) await pool.end().catch(() => undefined);
    throw error;
  }
  const changes = createChangeFeed(ctx, options.changes);
  const leases = createLeases(ctx, options.leases);
  ctx.appended = changes.notify;
  const catalog = catalogMethods(ctx);
  return {
    ...agentMethods(ctx, catalog.applyCatalog),
    ...sideMethods(ctx),
    ...catalog.methods,
    changes: { mode: changes.mode, watch: changes.watch },
    leases,
    schema: schemaName,
    schemaVersion,
    pool,
    get closed() {
      return closed;
    },
    async close() {
      if (closed) return;
      closed = true;
      await changes.close();
      if (owned) await pool.end();
    },
  };
}
