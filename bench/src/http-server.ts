/**
 * A server for the HTTP measurement (run in its own process, pinned to one core by the parent):
 * `berth-express` (the Express adapter over a real manager), the bare references with the same
 * zod validation (`express-zod`, `node-http`, `hono-zod`, `fastify-zod`: see http-bare.ts) or
 * `berth-node-http` (the manager behind bare `node:http`). Prints `{ "port": …, "ids": [...] }`
 * on stdout once it listens on 127.0.0.1.
 *
 * @module
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBerthRouter } from '@berth/adapter-express';
import { createLifecycleManager, isBerthError, type LifecycleManager } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import express from 'express';
import { bareAgents, expressZod, fastifyZod, honoZod, nodeHttpZod } from './http-bare.js';
import { createWaiter } from './lib/waiter.js';

/** The servers this script can run. */
export type ServerKind =
  | 'berth-express'
  | 'express-zod'
  | 'node-http'
  | 'hono-zod'
  | 'fastify-zod'
  | 'berth-node-http';

const kind = process.argv[2] as ServerKind;
const agents = Number(process.argv[3] ?? 16);

async function managerWithAgents(): Promise<{ manager: LifecycleManager; ids: string[] }> {
  const manager = createLifecycleManager({ driver: createMemoryDriver({ maxCalls: 100 }) });
  const waiter = createWaiter(manager);
  const ids: string[] = [];
  for (let i = 0; i < agents; i++) {
    const agent = await manager.create({ name: `http-${i}` });
    const running = (await manager.get(agent.id)).status === 'running';
    if (!running) await waiter.expect(agent.id, 'running');
    ids.push(agent.id);
  }
  return { manager, ids };
}

/** The agents' ids and the server (not yet listening) of one kind. */
async function serverOf(which: ServerKind): Promise<{ ids: string[]; server: Server }> {
  const onServer = (listener: RequestListener) => createServer(listener);
  switch (which) {
    case 'berth-express': {
      const { manager, ids } = await managerWithAgents();
      const app = express();
      app.use(createBerthRouter(manager, { onError: () => {} }));
      return { ids, server: onServer(app) };
    }
    case 'berth-node-http': {
      const { manager, ids } = await managerWithAgents();
      const listener = nodeHttpZod(async (id, action, body) => {
        try {
          const result = await manager.dispatch(id, action as 'pause', { ...body, actor: 'anonymous' });
          return { status: result.operation ? 202 : 200, body: { agent: result.agent } };
        } catch (error) {
          return isBerthError(error)
            ? { status: error.status, body: { code: error.code } }
            : { status: 500, body: {} };
        }
      });
      return { ids, server: onServer(listener) };
    }
    case 'express-zod': {
      const bare = bareAgents(agents);
      return { ids: bare.ids, server: onServer(expressZod(bare.act)) };
    }
    case 'hono-zod': {
      const bare = bareAgents(agents);
      return { ids: bare.ids, server: onServer(honoZod(bare.act)) };
    }
    case 'fastify-zod': {
      const bare = bareAgents(agents);
      return { ids: bare.ids, server: await fastifyZod(bare.act) };
    }
    case 'node-http': {
      const bare = bareAgents(agents);
      return { ids: bare.ids, server: onServer(nodeHttpZod(async (id, action) => bare.act(id, action))) };
    }
    default:
      throw new Error(`unknown server kind '${which}'`);
  }
}

async function main(): Promise<void> {
  const { ids, server } = await serverOf(kind);
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`${JSON.stringify({ port, ids })}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

await main();
