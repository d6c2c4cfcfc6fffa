/**
 * Opening the store: migrations applied once when several instances start together, a newer
 * schema refused, bad options refused before anything is touched, calls after close() refused,
 * and a caller's own Pool left open.
 */
import pg from 'pg';
import { expect, it } from 'vitest';
import { createPostgresStore, POSTGRES_SCHEMA_VERSION } from '../src/index.js';
import { freshSchema, pgDescribe } from './support/pg-env.js';

const { describePg, url } = await pgDescribe();

describePg('opening a postgres store', () => {
  it('five instances opening one fresh schema at once migrate it once', async () => {
    const schema = freshSchema('open');
    const stores = await Promise.all(
      Array.from({ length: 5 }, () => createPostgresStore({ connection: url, schema, poolSize: 2 })),
    );
    try {
      for (const s of stores) expect(s.schemaVersion).toBe(POSTGRES_SCHEMA_VERSION);
      const { rows } = await stores[0]!.pool.query(
        `SELECT version FROM "${schema}".schema_migrations ORDER BY version`,
      );
      // Each migration once, in order.
      expect(rows.map((r) => r.version)).toEqual(
        Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1),
      );
    } finally {
      for (const s of stores) await s.close();
    }
  });

  it('a schema migrated by a newer store is refused with STORE_SCHEMA_TOO_NEW', async () => {
    const schema = freshSchema('newer');
    const first = await createPostgresStore({ connection: url, schema });
    await first.pool.query(
      `INSERT INTO "${schema}".schema_migrations (version, name) VALUES ($1, 'future')`,
      [POSTGRES_SCHEMA_VERSION + 1],
    );
    await first.close();
    await expect(createPostgresStore({ connection: url, schema })).rejects.toMatchObject({
      code: 'STORE_SCHEMA_TOO_NEW',
      databaseVersion: POSTGRES_SCHEMA_VERSION + 1,
      knownVersion: POSTGRES_SCHEMA_VERSION,
    });
  });

  it('a schema name that is not a plain identifier is refused before connecting', async () => {
    await expect(
      createPostgresStore({
        connection: 'postgres://nobody@127.0.0.1:1/none',
        schema: 'x"; DROP TABLE y; --',
      }),
    ).rejects.toMatchObject({ code: 'STORE_OPTIONS_INVALID' });
    await expect(createPostgresStore({ connection: url, poolSize: 0 })).rejects.toMatchObject({
      code: 'STORE_OPTIONS_INVALID',
    });
  });

  it('calls after close() throw STORE_CLOSED; a Pool passed in stays open', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    try {
      const store = await createPostgresStore({ connection: pool, schema: freshSchema('pool') });
      expect(await store.get('agt_none')).toBeNull();
      await store.close();
      await store.close();
      await expect(store.get('agt_none')).rejects.toMatchObject({ code: 'STORE_CLOSED' });
      await expect(store.commit({} as never)).rejects.toMatchObject({ code: 'STORE_CLOSED' });
      expect((await pool.query('SELECT 1 AS one')).rows[0]).toEqual({ one: 1 });
    } finally {
      await pool.end();
    }
  });
});
