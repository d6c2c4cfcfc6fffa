/**
 * The bare references of the HTTP measurement: the same action route (`POST
 * /agents/:id/actions/:action`), the same zod validation (`ActionParamsSchema`,
 * `ActionBodySchema`) and a status toggle in a Map, on bare `node:http`, Express 5, Hono (under
 * `@hono/node-server`) and Fastify 5. Each returns the request listener of a `node:http` server
 * (Fastify: the server itself).
 *
 * @module
 */
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { ActionBodySchema, ActionParamsSchema, isBerthError, parseInput } from '@berth/core';
import { getRequestListener } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';

/** What a bare server answers for one action. */
export interface BareOutcome {
  readonly status: 200 | 404 | 409;
  readonly body: unknown;
}

/** The bare contenders' state: `count` agents, each running or paused, toggled by pause and resume. */
export function bareAgents(count: number): {
  ids: string[];
  act: (id: string, action: string) => BareOutcome;
} {
  const state = new Map<string, { status: 'running' | 'paused'; version: number }>();
  const ids = Array.from({ length: count }, (_, i) => `agt_bare${String(i).padStart(16, '0')}`);
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

/** Validate the path and the parsed body with the exported schemas; the action's outcome. */
function validated(
  act: (id: string, action: string) => BareOutcome,
  params: unknown,
  body: unknown,
): BareOutcome | { status: 400; body: unknown } {
  try {
    const { id, action } = parseInput(ActionParamsSchema, params, 'path');
    parseInput(ActionBodySchema, body ?? {}, 'body');
    return act(id, action);
  } catch (error) {
    return { status: isBerthError(error) ? (error.status as 400) : 400, body: { code: 'VALIDATION_FAILED' } };
  }
}

/** Bare Express 5: `express.json()` and the route. */
export function expressZod(act: (id: string, action: string) => BareOutcome): RequestListener {
  const app = express();
  app.post('/agents/:id/actions/:action', express.json(), (req, res) => {
    const out = validated(act, req.params, req.body);
    res.status(out.status).json(out.body);
  });
  return app;
}

/** Bare Hono under `@hono/node-server`'s request listener. */
export function honoZod(act: (id: string, action: string) => BareOutcome): RequestListener {
  const app = new Hono();
  app.post('/agents/:id/actions/:action', async (c) => {
    let body: unknown;
    try {
      const text = await c.req.text();
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      return c.json({ code: 'VALIDATION_FAILED' }, 400);
    }
    const out = validated(act, c.req.param(), body);
    return c.json(out.body, out.status);
  });
  return getRequestListener(app.fetch) as RequestListener;
}

/** Bare Fastify 5 (its own JSON body parser) on a `node:http` server it is handed (not yet listening). */
export async function fastifyZod(act: (id: string, action: string) => BareOutcome): Promise<Server> {
  let server: Server | undefined;
  const app = Fastify({
    logger: false,
    serverFactory: (handler) => {
      server = createServer(handler);
      return server;
    },
  });
  app.post('/agents/:id/actions/:action', async (req, reply) => {
    const out = validated(act, req.params, req.body);
    return reply.code(out.status).send(out.body);
  });
  await app.ready();
  if (!server) throw new Error('fastify did not create its server');
  return server;
}

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

/** Write a JSON answer on a bare `node:http` response. */
export function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const ACTION_PATH = /^\/agents\/([^/]+)\/actions\/([^/?]+)$/;

/**
 * Bare `node:http`: match the path, read the body, validate, act (`act` may be async).
 */
export function nodeHttpZod(
  act: (id: string, action: string, body: { reason?: string }) => Promise<{ status: number; body: unknown }>,
): RequestListener {
  return (req, res) => {
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
}
