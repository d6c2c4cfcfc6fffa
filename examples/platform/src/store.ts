/**
 * Where the platform keeps its state (`BERTH_STORE`): the value parsed into a {@link StoreSpec},
 * and {@link openStore}, one switch over the kinds of store.
 *
 * @module
 */
import { resolve } from 'node:path';
import { createMemoryStore, type LifecycleStore } from '@berth/core';
import { createPostgresStore } from '@berth/store-postgres';
import { createSqliteStore } from '@berth/store-sqlite';

/** A store named by `BERTH_STORE`. */
export type StoreSpec =
  | { readonly kind: 'memory' }
  /** `path` as written: relative paths are resolved against the working directory when opened. */
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string };

/** `BERTH_STORE` when it is not set. */
export const DEFAULT_STORE = 'sqlite:.berth/berth.sqlite';

/**
 * Read a `BERTH_STORE` value: `sqlite:<path>`, `postgres://…` (or `postgresql://…`) or `memory`.
 *
 * @throws Error saying what the value must look like.
 */
export function parseStoreSpec(value: string): StoreSpec {
  const text = value.trim();
  if (text === 'memory') return { kind: 'memory' };
  if (text.startsWith('sqlite:')) {
    const path = text.slice('sqlite:'.length).trim();
    if (path === '') throw new Error('sqlite: needs a file path, e.g. sqlite:.berth/berth.sqlite');
    return { kind: 'sqlite', path };
  }
  if (/^postgres(?:ql)?:\/\//.test(text)) return { kind: 'postgres', url: text };
  throw new Error("must be sqlite:<path>, postgres://… or 'memory'");
}

/** An open store, with what the banner says about it. */
export interface OpenedStore {
  readonly store: LifecycleStore;
  /** For the start-up banner: `SQLite /srv/berth/.berth/berth.sqlite`, `memory (lost on exit)`. */
  readonly description: string;
  /** Release the store (close the file, the pool); the manager must be closed first. */
  close(): Promise<void>;
}

/**
 * Open the store a {@link StoreSpec} names.
 *
 * @param spec - From `BERTH_STORE`.
 * @param cwd - What a relative SQLite path is relative to. @default process.cwd()
 * @param options - `leaseMs` for a PostgreSQL store's operation leases. @default 15000
 * @throws `SqliteStoreLockedError` when another process has the SQLite file open.
 */
export async function openStore(
  spec: StoreSpec,
  cwd: string = process.cwd(),
  options: { leaseMs?: number | undefined } = {},
): Promise<OpenedStore> {
  switch (spec.kind) {
    case 'memory':
      return { store: createMemoryStore(), description: 'memory (lost on exit)', close: async () => {} };
    case 'sqlite': {
      const store = createSqliteStore({ path: resolve(cwd, spec.path) });
      return { store, description: `SQLite ${store.path}`, close: () => store.close() };
    }
    case 'postgres': {
      // Any number of instances over one database; operations under leases of BERTH_LEASE_MS.
      const leaseMs = options.leaseMs ?? 15_000;
      const store = await createPostgresStore({ connection: spec.url, leases: { leaseMs } });
      const where = new URL(spec.url);
      return {
        store,
        // Never the password: the host, the database and the schema.
        description: `PostgreSQL ${where.host}${where.pathname} (schema ${store.schema}, leases of ${leaseMs} ms)`,
        close: () => store.close(),
      };
    }
  }
}
