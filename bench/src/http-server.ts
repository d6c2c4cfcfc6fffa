/**
 * A server for the HTTP measurement (run in its own process, pinned to one core by the parent):
 * `berth-express` (the Express adapter over a real manager), `express-zod` (a bare Express 5
 * route doing the same zod validation), `node-http` (bare `node:http`, the same validation) or
 * `berth-node-http` (the manager behind bare `node:http`: what a framework-agnostic handler
 * would allow). Prints `{ "port": …, "ids": [...] }` on stdout once it listens on 127.0.0.1.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBerthRouter } from '@berth/adapter-express';
import {
  ActionBodySchema,
  ActionParamsSchema,
  createLifecycleManager,
  isBerthError,
  type LifecycleManager,
  parseInput,
} from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import express from 'express';
import { createWaiter } from './lib/waiter.js';

/** The servers this script can run. */
export type ServerKind = 'berth-express' | 'express-zod' | 'node-http' | 'berth-node-http';

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

/** The bare contenders' state: a status per agent, toggled by pause and resume. */
function bareAgents(): {
  ids: string[];
  act: (id: string, action: string) => { status: number; body: unknown };
} {
  const state = new Map<string, { status: 'running' | 'paused'; version: number }>();
  const ids = Array.from({ length: agents }, (_, i) => `agt_bare${String(i).padStart(16, '0')}`);
  for (const id of ids) state.set(id, { status: 'running', version: 1 });
  return {
    ids,
    act(id, action) {
      const agent = state.get(id);
      if (!agent) return { status: 404, body: { code: 'AGENT_NOT_FOUND' } };
      const next =
        action === 'pause' && agent.status === 'running'
          ? 'paused'
          : action === 'resume' && agent.status === 'paused'
            ? 'running'
            : null;
      if (next === null) return { status: 409, body: { code: 'ILLEGAL_TRANSITION' } };
      agent.status = next;
      agent.version++;
      return { status: 200, body: { agent: { id, status: agent.status, version: agent.version } } };
    },
  };
}

const ACTION_PATH = /^\/agents\/([^/]+)\/actions\/([^/?]+)$/;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function main(): Promise<void> {
  let ids: string[];
  let listener: Parameters<typeof createServer>[1];
  if (kind === 'berth-express') {
    const made = await managerWithAgents();
    ids = made.ids;
    const app = express();
    app.use(createBerthRouter(made.manager, { onError: () => {} }));
    listener = app;
  } else if (kind === 'express-zod') {
    const bare = bareAgents();
    ids = bare.ids;
    const app = express();
    app.post('/agents/:id/actions/:action', express.json(), (req, res) => {
      try {
        const { id, action } = parseInput(ActionParamsSchema, req.params, 'path');
        parseInput(ActionBodySchema, req.body ?? {}, 'body');
        const out = bare.act(id, action);
        res.status(out.status).json(out.body);
      } catch (error) {
        res.status(isBerthError(error) ? error.status : 500).json({ code: 'VALIDATION_FAILED' });
      }
    });
    listener = app;
  } else if (kind === 'node-http' || kind === 'berth-node-http') {
    let act: (
      id: string,
      action: string,
      body: { reason?: string },
    ) => Promise<{ status: number; body: unknown }>;
    if (kind === 'node-http') {
      const bare = bareAgents();
      ids = bare.ids;
      act = async (id, action) => bare.act(id, action);
    } else {
      const { manager, ids: made } = await managerWithAgents();
      ids = made;
      act = async (id, action, body) => {
        try {
          const result = await manager.dispatch(id, action as 'pause', { ...body, actor: 'anonymous' });
          return { status: result.operation ? 202 : 200, body: { agent: result.agent } };
        } catch (error) {
          return isBerthError(error)
            ? { status: error.status, body: { code: error.code } }
            : { status: 500, body: {} };
        }
      };
    }
    listener = (req, res) => {
      const match = req.method === 'POST' ? ACTION_PATH.exec(req.url ?? '') : null;
      if (!match) return send(res, 404, { code: 'NOT_FOUND' });
      readBody(req)
        .then(async (text) => {
          const { id, action } = parseInput(ActionParamsSchema, { id: match[1], action: match[2] }, 'path');
          const body = parseInput(ActionBodySchema, text === '' ? {} : JSON.parse(text), 'body');
          const out = await act(id, action, body);
          send(res, out.status, out.body);
        })
        .catch((error: unknown) =>
          send(res, isBerthError(error) ? error.status : 400, { code: 'VALIDATION_FAILED' }),
        );
    };
  } else {
    throw new Error(`unknown server kind '${kind}'`);
  }
  const server = createServer(listener);
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`${JSON.stringify({ port, ids })}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

await main();
