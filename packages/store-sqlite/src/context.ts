/**
 * What every part of the SQLite store shares: the connection, the file's path, the guard that
 * refuses calls after `close()`, and the JSON document helpers.
 *
 * @module
 */
import type Database from 'better-sqlite3';
import { SqliteStoreClosedError } from './errors.js';

/** The open connection and its guard. */
export interface StoreContext {
  readonly db: Database.Database;
  readonly path: string;
  /** Throws `SqliteStoreClosedError` once the store is closed. */
  check(): void;
}

/** A row holding one JSON document. */
export interface DocRow {
  readonly doc: string;
}

/** Parse a stored document. */
export const parse = <T>(row: DocRow | undefined): T | null =>
  row === undefined ? null : (JSON.parse(row.doc) as T);

/** Parse every stored document of a result. */
export const parseAll = <T>(rows: readonly DocRow[]): T[] => rows.map((r) => JSON.parse(r.doc) as T);

/** Serialise a document. */
export const doc = (value: unknown): string => JSON.stringify(value);

/** `LIMIT` for an optional limit (SQLite reads a negative limit as none). */
export const limitOf = (limit: number | undefined): number =>
  limit === undefined || !Number.isFinite(limit) ? -1 : Math.max(0, Math.floor(limit));

/** Build a context. */
export function createContext(db: Database.Database, path: string, isClosed: () => boolean): StoreContext {
  return {
    db,
    path,
    check() {
      if (isClosed()) throw new SqliteStoreClosedError(path);
    },
  };
}
