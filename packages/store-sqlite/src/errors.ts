/**
 * The errors the SQLite store throws on its own account (everything the store contract names,
 * such as `VERSION_CONFLICT` or `QUOTA_EXCEEDED`, stays a `BerthError` from `@berth/core`).
 * Each carries a stable UPPER_SNAKE `code`.
 *
 * @module
 */

/** Codes of {@link SqliteStoreError}. */
export type SqliteStoreErrorCode = 'STORE_LOCKED' | 'STORE_CLOSED' | 'STORE_SCHEMA_TOO_NEW';

/** The base of the SQLite store's own errors. Match on `code`, not on the message. */
export class SqliteStoreError extends Error {
  /** Stable UPPER_SNAKE code. */
  readonly code: SqliteStoreErrorCode;
  /** The database file. */
  readonly path: string;

  constructor(code: SqliteStoreErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SqliteStoreError';
    this.code = code;
    this.path = path;
  }
}

/**
 * Another process (or another store in this process) has the database file open. A SQLite
 * store is single-process: the file is locked exclusively for as long as its store is open.
 */
export class SqliteStoreLockedError extends SqliteStoreError {
  constructor(path: string, cause?: unknown) {
    super(
      'STORE_LOCKED',
      path,
      `the SQLite store '${path}' is in use by another process (a SQLite store is opened by one process at a time; stop the other one, or give this one its own file)`,
      { cause },
    );
    this.name = 'SqliteStoreLockedError';
  }
}

/** A call on a store after `close()`. */
export class SqliteStoreClosedError extends SqliteStoreError {
  constructor(path: string) {
    super('STORE_CLOSED', path, `the SQLite store '${path}' is closed`);
    this.name = 'SqliteStoreClosedError';
  }
}

/** The file was written by a newer version of the store (it has migrations this one does not know). */
export class SqliteStoreSchemaError extends SqliteStoreError {
  /** The newest migration applied to the file. */
  readonly fileVersion: number;
  /** The newest migration this version of the store knows. */
  readonly knownVersion: number;

  constructor(path: string, fileVersion: number, knownVersion: number) {
    super(
      'STORE_SCHEMA_TOO_NEW',
      path,
      `the SQLite store '${path}' has schema version ${fileVersion}; this @berth/store-sqlite knows up to ${knownVersion} (upgrade it, or open a backup)`,
    );
    this.name = 'SqliteStoreSchemaError';
    this.fileVersion = fileVersion;
    this.knownVersion = knownVersion;
  }
}
