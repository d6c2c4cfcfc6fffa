/**
 * Applies the pending {@link MIGRATIONS} to a database, each in its own `BEGIN IMMEDIATE`
 * transaction together with its row in `schema_migrations`.
 *
 * @module
 */
import type Database from 'better-sqlite3';
import { SqliteStoreSchemaError } from './errors.js';
import { type Migration, MIGRATIONS } from './migrations.js';

/** What {@link migrate} found and did. */
export interface MigrateResult {
  /** The schema version after migrating. */
  readonly version: number;
  /** The versions applied now (empty when the file was up to date). */
  readonly applied: readonly number[];
}

/**
 * Bring the schema up to date. Throws {@link SqliteStoreSchemaError} when the file has a
 * migration this version does not know (it was written by a newer store).
 */
export function migrate(
  db: Database.Database,
  path: string,
  now: number,
  migrations: readonly Migration[] = MIGRATIONS,
): MigrateResult {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const current = () =>
    (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  const known = migrations.at(-1)?.version ?? 0;
  const applied: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    db.transaction(() => {
      const at = current();
      if (at > known) throw new SqliteStoreSchemaError(path, at, known);
      if (at >= m.version) return;
      db.exec(m.sql);
      record.run(m.version, m.name, now);
      applied.push(m.version);
    }).immediate();
  }
  const version = current();
  if (version > known) throw new SqliteStoreSchemaError(path, version, known);
  return { version, applied };
}
