/**
 * A server for the HTTP measurement (run in its own process, pinned to one core by the parent):
 * Berth's three bindings over a real manager — `berth-express` (the Express adapter),
 * `berth-node` (`@berth/core/node`), `berth-fetch-hono` (`@berth/core/fetch` mounted in a Hono app
 * under `@hono/node-server`) — or the bare references with the same zod validation
 * (`express-zod`, `node-http`, `hono-zod`, `fastify-zod`: see http-bare.ts), and bare `node:http`
 * answering the same agent view Berth answers (`node-http-view`: the bytes without the work). Prints
 * `{ "port": …, "ids": [...] }` on stdout once it listens on 127.0.0.1.
 *
 * @module
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBerthRouter } from '@berth/adapter-express';
import { type AgentView, createLifecycleManager, type LifecycleManager } from '@berth/core';
import { createBerthFetchHandler } from '@berth/core/fetch';
import { createBerthNodeHandler } from '@berth/core/node';
import { createMemoryDriver } from '@berth/driver-memory';
import { getRequestListener } from '@hono/node-server';
import express from 'express';
import { Hono } from 'hono';
import { bareAgents, expressZod, fastifyZod, honoZod, nodeHttpZod } from './http-bare.js';
import { createWaiter } from './lib/waiter.js';

/** The servers this script can run. */
export type ServerKind =
  | 'berth-express'
  | 'berth-node'
  | 'berth-fetch-hono'
  | 'express-zod'
  | 'node-http'
  | 'node-http-view'
  | 'hono-zod'
  | 'fastify-zod';

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
    case 'berth-node': {
      const { manager, ids } = await managerWithAgents();
      return { ids, server: onServer(createBerthNodeHandler(manager, { onError: () => {} })) };
    }
    case 'berth-fetch-hono': {
      const { manager, ids } = await managerWithAgents();
      const berth = createBerthFetchHandler(manager, { onError: () => {} });
      const app = new Hono();
      app.all('*', (c) => berth(c.req.raw));
      return { ids, server: onServer(getRequestListener(app.fetch) as RequestListener) };
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
    case 'node-http-view': {
      // The same bare route, answering a real agent view (of a real manager, for the status
      // reached) with this agent's id and version: the answer's size without Berth's work.
      const bare = bareAgents(agents);
      const { manager, ids } = await managerWithAgents();
      const running = await manager.get(ids[0]!);
      const paused = (await manager.dispatch(ids[0]!, 'pause', { reason: 'bench' })).agent;
      const views: Record<string, AgentView> = { running, paused };
      const answer = async (id: string, action: string) => {
        const out = bare.act(id, action);
        if (out.status !== 200) return out;
        const { version, status } = (out.body as { agent: { version: number; status: string } }).agent;
        return { status: 200, body: { agent: { ...views[status], id, version } } };
      };
      return { ids: bare.ids, server: onServer(nodeHttpZod(answer)) };
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
