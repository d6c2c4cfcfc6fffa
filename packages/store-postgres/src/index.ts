/**
 * `@berth/store-postgres`: a Berth `LifecycleStore` in PostgreSQL, on node-postgres (`pg` 8), that
 * any number of manager instances share. One transaction per commit, compare-and-set on the
 * record's version (`UPDATE … WHERE id = $1 AND version = $2`), one hash chain per agent,
 * versioned migrations.
 *
 * @example
 * ```ts
 * import { createPostgresStore } from '@berth/store-postgres';
 *
 * const store = await createPostgresStore({ connection: 'postgres://berth@db.internal/berth' });
 * ```
 *
 * @module
 */
export type { ChangeFeedMode, ChangeFeedOptions } from './change-feed.js';
export type { LeaseOptions } from './leases.js';
export {
  PostgresStoreClosedError,
  PostgresStoreError,
  type PostgresStoreErrorCode,
  PostgresStoreSchemaError,
} from './errors.js';
export {
  createPostgresStore,
  POSTGRES_SCHEMA_VERSION,
  type PostgresStore,
  type PostgresStoreOptions,
} from './open.js';
