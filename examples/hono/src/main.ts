/**
 * `pnpm --filter @berth/example-hono start`: Berth on Hono, on 127.0.0.1:$PORT (default 3001),
 * over the memory driver. `BERTH_OPERATOR_KEYS=owner:key,…` requires operator keys (else
 * everyone is the `default` owner, for trying it out).
 */
import { createLifecycleManager } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import { createApp, keyAuthenticator, serveApp } from './app.js';

const manager = createLifecycleManager({ driver: createMemoryDriver(), defaultOwner: 'default' });
const keys = process.env.BERTH_OPERATOR_KEYS;
const authenticate =
  keys === undefined
    ? () => ({ actor: 'operator:default', owner: 'default' })
    : keyAuthenticator(new Map(keys.split(',').map((pair) => pair.split(':').reverse() as [string, string])));
const served = await serveApp(createApp(manager, { authenticate }), {
  port: Number(process.env.PORT ?? 3001),
});
console.log(`Berth on Hono listening on ${served.url} (API at ${served.url}/api)`);
const stop = async () => {
  await served.close();
  await manager.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
