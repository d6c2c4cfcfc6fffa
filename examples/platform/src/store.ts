/**
 * Where the platform keeps its state, from `BERTH_STORE`: `memory` (lost on exit), `sqlite:<path>`
 * (one process; relative to the working directory) or `postgres://…` (any number of instances,
 * each with operation leases of `BERTH_LEASE_MS`).
 *
 * @module
 */
import { createMemoryStore, type LifecycleStore } from '@berth/core';

/** A parsed `BERTH_STORE`. */
export type StoreSpec =
  | { readonly kind: 'memory' }
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string };

/** Parse `BERTH_STORE`; null when it names no store this platform knows. */
export function parseStoreSpec(value: string): StoreSpec | null {
  const v = value.trim();
  if (v === 'memory') return { kind: 'memory' };
  if (v.startsWith('sqlite:') && v.length > 'sqlite:'.length) return { kind: 'sqlite', path: v.slice(7) };
  if (/^postgres(ql)?:\/\/./.test(v)) return { kind: 'postgres', url: v };
  return null;
}

/** An open store, what to call it in the start-up banner, and how to close it. */
export interface OpenedStore {
  readonly store: LifecycleStore;
  /** E.g. `PostgreSQL (schema berth, leases of 15000 ms)`; never the password. */
  readonly description: string;
  close(): Promise<void>;
}

/** Open the store `spec` names. */
export async function openStore(spec: StoreSpec, options: { leaseMs: number }): Promise<OpenedStore> {
  switch (spec.kind) {
    case 'memory':
      return { store: createMemoryStore(), description: 'in memory (lost on exit)', close: async () => {} };
    case 'sqlite': {
      const { createSqliteStore } = await import('@berth/store-sqlite');
      const store = createSqliteStore({ path: spec.path });
      return { store, description: `SQLite (${spec.path})`, close: () => store.close() };
    }
    case 'postgres': {
      const { createPostgresStore } = await import('@berth/store-postgres');
      const store = await createPostgresStore({ connection: spec.url, leases: { leaseMs: options.leaseMs } });
      const where = new URL(spec.url);
      return {
        store,
        description: `PostgreSQL (${where.host}${where.pathname}, schema ${store.schema}, leases of ${options.leaseMs} ms)`,
        close: () => store.close(),
      };
    }
  }
}
