/**
 * The errors the PostgreSQL store throws on its own account (everything the store contract
 * names, such as `VERSION_CONFLICT` or `QUOTA_EXCEEDED`, stays a `BerthError` from
 * `@berth/core`). Each carries a stable UPPER_SNAKE `code`.
 *
 * @module
 */

/** Codes of {@link PostgresStoreError}. */
export type PostgresStoreErrorCode =
  | 'STORE_CLOSED'
  | 'STORE_SCHEMA_TOO_NEW'
  | 'STORE_OPTIONS_INVALID'
  | 'STORE_DRIVER_MISSING';

/** The base of the PostgreSQL store's own errors. Match on `code`, not on the message. */
export class PostgresStoreError extends Error {
  /** Stable UPPER_SNAKE code. */
  readonly code: PostgresStoreErrorCode;

  constructor(code: PostgresStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PostgresStoreError';
    this.code = code;
  }
}

/** A call on a store after `close()`. */
export class PostgresStoreClosedError extends PostgresStoreError {
  constructor(schema: string) {
    super('STORE_CLOSED', `the PostgreSQL store (schema '${schema}') is closed`);
    this.name = 'PostgresStoreClosedError';
  }
}

/** The schema was migrated by a newer version of the store (it has migrations this one does not know). */
export class PostgresStoreSchemaError extends PostgresStoreError {
  /** The newest migration applied to the database. */
  readonly databaseVersion: number;
  /** The newest migration this version of the store knows. */
  readonly knownVersion: number;

  constructor(schema: string, databaseVersion: number, knownVersion: number) {
    super(
      'STORE_SCHEMA_TOO_NEW',
      `the PostgreSQL store's schema '${schema}' has version ${databaseVersion}; this @berth/store-postgres knows up to ${knownVersion} (upgrade every instance)`,
    );
    this.name = 'PostgresStoreSchemaError';
    this.databaseVersion = databaseVersion;
    this.knownVersion = knownVersion;
  }
}
