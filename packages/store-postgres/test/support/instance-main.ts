/**
 * One manager instance as its own process, for the multi-instance tests: a PostgreSQL store on
 * BERTH_PG_URL / BERTH_PG_SCHEMA with leases of BERTH_LEASE_MS, a driver (BERTH_TEST_DRIVER:
 * `memory`, whose provision takes BERTH_PROVISION_MS of real time, or `docker`), the sweeper and
 * the takeover scan running, and the HTTP API on a random loopback port. Prints `READY <port>`.
 */
import { createLifecycleManager, type LifecycleDriver } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import { createPostgresStore } from '../../src/index.js';
import { serve } from './serve.js';

const env = (name: string, fallback?: string): string => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};

async function driverOf(): Promise<LifecycleDriver> {
  if (env('BERTH_TEST_DRIVER', 'memory') === 'docker') {
    const { createDockerDriver } = await import('@berth/driver-docker');
    return createDockerDriver({ labels: JSON.parse(env('BERTH_TEST_LABELS', '{}')), stopTimeoutSeconds: 2 });
  }
  return createMemoryDriver({ latency: { provision: Number(env('BERTH_PROVISION_MS', '0')) } });
}

const store = await createPostgresStore({
  connection: env('BERTH_PG_URL'),
  schema: env('BERTH_PG_SCHEMA'),
  poolSize: 6,
  leases: { leaseMs: Number(env('BERTH_LEASE_MS', '15000')) },
});
const manager = createLifecycleManager({
  store,
  driver: await driverOf(),
  defaultImage: env('BERTH_TEST_IMAGE', 'berth/agent:latest'),
});
manager.start();
await manager.resume();
const { base, server } = await serve(manager, (req) => {
  const h = req.headers.authorization ?? '';
  return { actor: h.startsWith('Bearer ') ? `user:${h.slice(7)}` : 'anonymous' };
});
process.stdout.write(`READY ${new URL(base).port}\n`);
const stop = async () => {
  server.closeAllConnections();
  server.close();
  await manager.close();
  await store.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
