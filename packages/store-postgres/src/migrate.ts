/**
 * Applies the pending {@link MIGRATIONS} to a schema. Several instances may start at once: the
 * whole run holds a transaction-level advisory lock on the schema's name, so exactly one of
 * them migrates and the others find the schema up to date.
 *
 * @module
 */
import type { Pool } from 'pg';
import { lockKey } from './context.js';
import { PostgresStoreSchemaError } from './errors.js';
import { type Migration, MIGRATIONS } from './migrations.js';

/** What {@link migrate} found and did. */
export interface MigrateResult {
  /** The schema version after migrating. */
  readonly version: number;
  /** The versions applied now (empty when the schema was up to date). */
  readonly applied: readonly number[];
}

/**
 * Bring the schema up to date: every pending migration, each with its row in
 * `schema_migrations`, in one transaction (they apply together or not at all). Throws {@link PostgresStoreSchemaError} when the schema has a migration
 * this version does not know (a newer store migrated it).
 */
export async function migrate(
  pool: Pool,
  schemaName: string,
  schema: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrateResult> {
  const known = migrations.at(-1)?.version ?? 0;
  const applied: number[] = [];
  const client = await pool.connect();
  try {
    const current = async () =>
      Number(
        (
          await client.query<{ v: number | null }>(
            `SELECT max(version) AS v FROM ${schema}.schema_migrations`,
          )
        ).rows[0]?.v ?? 0,
      );
    await client.query('BEGIN');
    try {
      await client.query(`SELECT pg_advisory_xact_lock(${lockKey('$1')})`, [`berth:migrate:${schemaName}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const at = await current();
      if (at > known) throw new PostgresStoreSchemaError(schemaName, at, known);
      for (const m of migrations) {
        if (m.version <= at) continue;
        // One savepoint per migration: the advisory lock stays held across all of them.
        await client.query('SAVEPOINT migration');
        await client.query(m.sql(schema));
        await client.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, $2)`, [
          m.version,
          m.name,
        ]);
        await client.query('RELEASE SAVEPOINT migration');
        applied.push(m.version);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    return { version: await current(), applied };
  } finally {
    client.release();
  }
}
