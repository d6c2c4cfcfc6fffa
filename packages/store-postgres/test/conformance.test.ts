/**
 * The store conformance kit from `@berth/core/testing`, unchanged, against a real PostgreSQL 15.
 * Each test gets a fresh schema; `connect` gives two more stores with pools of their own on the
 * same schema, so the kit's races go through the database, not through one pool's queue.
 */
import { testStore } from '@berth/core/testing';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { freshSchema, pgDescribe } from './support/pg-env.js';

const { describePg, url } = await pgDescribe();

describePg('postgres store', () => {
  testStore<PostgresStore>({
    name: 'postgres',
    create: () => createPostgresStore({ connection: url, schema: freshSchema('kit'), poolSize: 8 }),
    connect: (store) => createPostgresStore({ connection: url, schema: store.schema, poolSize: 8 }),
  });
});
