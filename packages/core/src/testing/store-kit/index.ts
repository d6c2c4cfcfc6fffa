/**
 * The store conformance kit: every guarantee of the {@link LifecycleStore} contract, under real
 * concurrency, as vitest tests. Every store passes it unchanged (the memory store, SQLite,
 * PostgreSQL): a store is done when it passes.
 *
 * Areas: commit (compare-and-set, quotas, revisions, agent tokens, listing, purge), audit
 * (pages, refusals as links of the chain, folding, re-stamping), registration tokens (single
 * hand-out, list, revoke, expiry), commands (single hand-out, pending cap, results),
 * idempotency (begin/finish races, expiry, per-scope caps), due (order, `nextDueAt`), backups
 * (the catalog with a commit or alone, listing, deleting, outliving a purge) and services
 * (upsert by owner and code, moves between agents, active agent tokens counted).
 *
 * @module
 */
import { describe } from 'vitest';
import type { LifecycleStore } from '../../store.js';
import { auditArea } from './areas/audit.js';
import { backupsArea } from './areas/backups.js';
import { commandsArea } from './areas/commands.js';
import { commitArea } from './areas/commit.js';
import { dueArea } from './areas/due.js';
import { idempotencyArea } from './areas/idempotency.js';
import { servicesArea } from './areas/services.js';
import { tokensArea } from './areas/tokens.js';
import { registerStoreArea } from './env.js';
import type { StoreTestOptions } from './types.js';

export type { StoreTestOptions } from './types.js';

const STORE_AREAS = [
  commitArea,
  auditArea,
  tokensArea,
  commandsArea,
  idempotencyArea,
  dueArea,
  backupsArea,
  servicesArea,
];

/**
 * Register the store conformance suite with vitest. Call it at the top level of a test file.
 * Each test gets a fresh store from `options.create` and closes it afterwards.
 *
 * @param options - How to build an empty store (and, for shared databases, more handles on it).
 * @example
 * ```ts
 * import { testStore } from '@berth/core/testing';
 * import { createSqliteStore } from '@berth/store-sqlite';
 *
 * testStore({ name: 'sqlite', create: () => createSqliteStore({ path: freshPath() }) });
 * ```
 */
export function testStore<S extends LifecycleStore>(options: StoreTestOptions<S>): void {
  describe(`store conformance: ${options.name}`, () => {
    for (const area of STORE_AREAS) registerStoreArea(area, options);
  });
}
