#!/usr/bin/env node
// Berth's default agent program: heartbeats to the platform's agent API and runs the commands it
// polls. It needs nothing but Node ≥ 20 (global fetch). Configuration comes from the environment
// the Docker driver sets:
//   BERTH_AGENT_ID, BERTH_AGENT_TOKEN  credentials issued at provision
//   BERTH_API_URL                      e.g. http://127.0.0.1:3000/api (no API: the agent idles)
//   BERTH_WORKSPACE                    the workspace volume's mount point (default /workspace)
//   BERTH_HEARTBEAT_INTERVAL_MS        default 10000
//   BERTH_POLL_INTERVAL_MS             default 1000
//   BERTH_AGENT_PORT                   set on host networking: the agent serves GET / (its id,
//                                      name and uptime as JSON) on 127.0.0.1 at that port
// Commands: echo (output = payload), sleep ({ms} or a number; at most 10 minutes),
// write ({path, content}) and read ({path}) inside the workspace; anything else fails with
// UNKNOWN_COMMAND. SIGTERM or SIGINT ends it with exit code 0.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, relative, resolve } from 'node:path';

const env = process.env;
const agentId = env.BERTH_AGENT_ID ?? '';
const token = env.BERTH_AGENT_TOKEN ?? '';
const apiUrl = (env.BERTH_API_URL ?? '').replace(/\/+$/, '');
const workspace = env.BERTH_WORKSPACE || '/workspace';
const heartbeatMs = Number(env.BERTH_HEARTBEAT_INTERVAL_MS) || 10_000;
const pollMs = Number(env.BERTH_POLL_INTERVAL_MS) || 1_000;
const MAX_SLEEP_MS = 600_000;

const stopping = new AbortController();
const log = (level, message, extra = {}) =>
  console.log(JSON.stringify({ at: new Date().toISOString(), level, agentId, message, ...extra }));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    log('info', `received ${signal}, stopping`);
    stopping.abort();
  });
}

const wait = (ms) =>
  new Promise((done) => {
    const timer = setTimeout(done, ms);
    stopping.signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        done();
      },
      { once: true },
    );
  });

async function api(method, path, body) {
  const response = await fetch(`${apiUrl}/agents/${encodeURIComponent(agentId)}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    throw new Error(`${method} ${path} answered ${response.status} ${text.slice(0, 200)}`);
  }
  return response.status === 204 ? null : response.json();
}

/** A path inside the workspace, or an error for anything that escapes it. */
function workspacePath(path) {
  if (typeof path !== 'string' || path === '')
    throw commandError('INVALID_PAYLOAD', 'payload.path must be a non-empty string');
  const full = resolve(workspace, path);
  const rel = relative(workspace, full);
  if (rel.startsWith('..') || rel === '' || resolve(workspace, rel) !== full) {
    throw commandError('INVALID_PAYLOAD', 'payload.path must stay inside the workspace');
  }
  return full;
}

function commandError(code, message) {
  return Object.assign(new Error(message), { code });
}

const handlers = {
  echo: async (payload) => payload ?? null,
  sleep: async (payload) => {
    const ms = typeof payload === 'number' ? payload : payload?.ms;
    if (typeof ms !== 'number' || !(ms >= 0) || ms > MAX_SLEEP_MS) {
      throw commandError('INVALID_PAYLOAD', `payload.ms must be a number between 0 and ${MAX_SLEEP_MS}`);
    }
    await wait(ms);
    return { sleptMs: ms };
  },
  write: async (payload) => {
    const full = workspacePath(payload?.path);
    if (typeof payload?.content !== 'string')
      throw commandError('INVALID_PAYLOAD', 'payload.content must be a string');
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, payload.content);
    return { path: payload.path, bytes: Buffer.byteLength(payload.content) };
  },
  read: async (payload) => {
    const full = workspacePath(payload?.path);
    try {
      return { path: payload.path, content: await readFile(full, 'utf8') };
    } catch (error) {
      if (error?.code === 'ENOENT')
        throw commandError('NOT_FOUND', `no file ${payload.path} in the workspace`);
      throw error;
    }
  },
};

async function run(command) {
  const handler = Object.hasOwn(handlers, command.type) ? handlers[command.type] : null;
  let result;
  if (!handler) {
    result = {
      ok: false,
      error: { code: 'UNKNOWN_COMMAND', message: `unknown command type '${command.type}'` },
    };
  } else {
    try {
      result = { ok: true, output: await handler(command.payload) };
    } catch (error) {
      result = {
        ok: false,
        error: { code: error?.code ?? 'COMMAND_FAILED', message: String(error?.message ?? error) },
      };
    }
  }
  log('info', 'command done', { commandId: command.id, type: command.type, ok: result.ok });
  await api('POST', `/commands/${encodeURIComponent(command.id)}/result`, result);
}

async function heartbeatLoop() {
  while (!stopping.signal.aborted) {
    try {
      await api('POST', '/heartbeat');
    } catch (error) {
      log('warn', 'heartbeat failed', { error: String(error?.message ?? error) });
    }
    await wait(heartbeatMs);
  }
}

async function pollLoop() {
  while (!stopping.signal.aborted) {
    try {
      const body = await api('GET', '/commands?limit=10');
      for (const command of body?.commands ?? []) {
        if (stopping.signal.aborted) break;
        await run(command).catch((error) =>
          log('warn', 'reporting a result failed', {
            commandId: command.id,
            error: String(error?.message ?? error),
          }),
        );
      }
    } catch (error) {
      log('warn', 'polling failed', { error: String(error?.message ?? error) });
    }
    await wait(pollMs);
  }
}

// The endpoint the driver reported for this agent: a small status page on 127.0.0.1.
const port = Number(env.BERTH_AGENT_PORT);
const startedAt = new Date().toISOString();
const server =
  Number.isInteger(port) && port > 0
    ? createServer((req, res) => {
        const body = JSON.stringify({ agentId, name: env.BERTH_AGENT_NAME ?? '', status: 'ok', startedAt });
        res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'application/json' }).end(body);
      }).listen(port, '127.0.0.1', () => log('info', 'serving', { port }))
    : null;
server?.on('error', (error) => log('warn', 'cannot serve', { port, error: String(error?.message ?? error) }));
stopping.signal.addEventListener('abort', () => server?.close(), { once: true });

if (!apiUrl || !agentId || !token) {
  log('warn', 'BERTH_API_URL, BERTH_AGENT_ID or BERTH_AGENT_TOKEN missing: idling until stopped');
  const keepAlive = setInterval(() => {}, 1 << 30); // nothing else keeps the event loop busy
  await new Promise((done) => stopping.signal.addEventListener('abort', done, { once: true }));
  clearInterval(keepAlive);
} else {
  log('info', 'agent started', { apiUrl });
  await Promise.all([heartbeatLoop(), pollLoop()]);
}
log('info', 'agent stopped');
process.exit(0);
