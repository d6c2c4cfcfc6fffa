/**
 * Measurement 7's doomed instance: a manager over PostgreSQL whose provisions take a minute,
 * creating one agent and printing its id, then waiting to be killed with `kill -9` (the takeover
 * measurement). Run by postgres.ts as a child process.
 *
 * @module
 */
import { createLifecycleManager } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import { createPostgresStore } from '@berth/store-postgres';

const store = await createPostgresStore({
  connection: process.env.BERTH_PG_URL!,
  schema: process.env.BERTH_PG_SCHEMA!,
  poolSize: 2,
  leases: { leaseMs: Number(process.env.BERTH_LEASE_MS) },
});
const manager = createLifecycleManager({
  store,
  driver: createMemoryDriver({ latency: { provision: 60_000 } }),
});
const agent = await manager.create({ name: `doomed-${process.pid}` });
// Wait until the lease is taken: the provision runs here now.
const op = (await store.get(agent.id))!.operation!.id;
for (;;) {
  const { rows } = await store.pool.query(
    `SELECT 1 FROM "${store.schema}".operation_leases WHERE operation_id = $1 AND holder = $2`,
    [op, store.leases.holder],
  );
  if (rows.length === 1) break;
  await new Promise((r) => setTimeout(r, 5));
}
process.stdout.write(`AGENT ${agent.id}\n`);
await new Promise(() => {}); // until kill -9
