/**
 * What every part of the PostgreSQL store shares: the pool, the schema every table lives in
 * (names are schema-qualified in the SQL, so nothing depends on a session's `search_path` and
 * PgBouncer's transaction pooling works), the guard that refuses calls after `close()`, one
 * transaction helper, and the JSON document helpers.
 *
 * @module
 */
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { PostgresStoreClosedError } from './errors.js';

/** Anything that runs a query: the pool, or a client inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** The pool, the schema and the guard. */
export interface StoreContext {
  readonly pool: Pool;
  /** The schema, quoted for SQL (`"berth"`). */
  readonly schema: string;
  /** The schema's name as given. */
  readonly schemaName: string;
  /** Throws `PostgresStoreClosedError` once the store is closed. */
  check(): void;
  /** Run `fn` in one transaction on one client (retried on a deadlock or serialization failure). */
  tx<T>(fn: (client: PoolClient) => Promise<T>): Promise<T>;
  /** Called after a transaction that appended to an audit trail committed (tells other instances). */
  appended: () => void;
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

/** `LIMIT` for an optional limit (`null` is no limit in PostgreSQL). */
export const limitOf = (limit: number | undefined): number | null =>
  limit === undefined || !Number.isFinite(limit) ? null : Math.max(0, Math.floor(limit));

/** An identifier quoted for SQL. */
export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** A 64-bit advisory lock key for `text` (computed by the server: `hashtextextended`). */
export const lockKey = (param: string): string => `hashtextextended(${param}, 0)`;

const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

/** Build a context. */
export function createContext(pool: Pool, schemaName: string, isClosed: () => boolean): StoreContext {
  const check = () => {
    if (isClosed()) throw new PostgresStoreClosedError(schemaName);
  };
  return {
    appended: () => {},
    pool,
    schema: quoteIdent(schemaName),
    schemaName,
    check,
    async tx(fn) {
      check();
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        let broken: unknown;
        try {
          await client.query('BEGIN');
          const out = await fn(client);
          await client.query('COMMIT');
          return out;
        } catch (error) {
          await client.query('ROLLBACK').catch((e: unknown) => {
            broken = e;
          });
          const code = (error as { code?: unknown }).code;
          if (attempt < MAX_ATTEMPTS && typeof code === 'string' && RETRYABLE.has(code)) continue;
          throw error;
        } finally {
          // A client whose ROLLBACK failed is not handed out again.
          client.release(broken instanceof Error ? broken : undefined);
        }
      }
    },
  };
}
