/**
 * Measurement 4 — HTTP: an action round trip (POST pause, then resume, alternating, one agent
 * per connection) through the Express adapter, the bare references doing the same zod validation
 * (Express 5, `node:http` — the limit —, Hono under `@hono/node-server`, Fastify 5), and
 * Berth's manager behind bare `node:http`. Loopback only; servers pinned to core 0, this load
 * generator (autocannon) to core 1.
 *
 * @module
 */
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { type BenchMode, log, median, runMeasurement, type Section, si, spread, times } from './lib/bench.js';
import type { ServerKind } from './http-server.js';

const SERVER = fileURLToPath(new URL('./http-server.mjs', import.meta.url));
const CONNECTIONS = 16;

/** Pin a process to a core with `taskset`; false when taskset is missing or refuses. */
function pin(pid: number, core: number): boolean {
  try {
    execFileSync('taskset', ['-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Server {
  readonly kind: ServerKind;
  readonly port: number;
  readonly ids: readonly string[];
  stop(): Promise<void>;
}

async function startServer(kind: ServerKind, pinned: boolean): Promise<Server> {
  const child = spawn(process.execPath, [SERVER, kind, String(CONNECTIONS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (pinned) pin(child.pid!, 0);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server ${kind} exited with ${code}`)));
  });
  const { port, ids } = JSON.parse(line) as { port: number; ids: string[] };
  return {
    kind,
    port,
    ids,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

interface Round {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly bad: number;
}

/** One bounded autocannon run: every connection alternates pause and resume on its own agent. */
async function load(server: Server, seconds: number): Promise<Round> {
  // A bounded run can stop between pause and resume: every agent starts the run running.
  for (const id of server.ids) {
    const res = await fetch(`http://127.0.0.1:${server.port}/agents/${id}/actions/resume`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    await res.arrayBuffer();
  }
  let next = 0;
  const json = { 'content-type': 'application/json' };
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}`,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
    setupClient(client) {
      const id = server.ids[next++ % server.ids.length]!;
      client.setRequests([
        { method: 'POST', path: `/agents/${id}/actions/pause`, headers: json, body: '{"reason":"bench"}' },
        { method: 'POST', path: `/agents/${id}/actions/resume`, headers: json, body: '{}' },
      ]);
    },
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    bad: result.non2xx + result.errors + result.timeouts,
  };
}

/** A share as a whole percentage. */
const pct = (ratio: number) => `${(ratio * 100).toFixed(0)} %`;

/** Microseconds a request at a rate (wall time on the server's one core). */
const us = (rps: number) => Math.round(1e6 / rps);

/** autocannon reports whole milliseconds. */
const latency = (v: number) => (v < 1 ? '< 1 ms' : `${Math.round(v)} ms`);

const LABELS: Record<ServerKind, string> = {
  'berth-node': 'Berth `node:http` binding (`createBerthNodeHandler`)',
  'node-http': 'bare `node:http` + the same zod validation (the limit)',
  'node-http-view': 'bare `node:http` + zod, answering the same ~2.9 KB agent view (reference)',
  'berth-express': 'Berth Express binding (`createBerthRouter`)',
  'express-zod': 'bare Express 5 route + the same zod validation',
  'berth-fetch-hono': 'Berth fetch binding in Hono (`createBerthFetchHandler`, `@hono/node-server`)',
  'hono-zod': 'bare Hono 4 (`@hono/node-server`) + the same zod validation',
  'fastify-zod': 'bare Fastify 5 + the same zod validation (reference)',
};

/** Each binding against the bare server it runs on, and the share it must reach. */
const PAIRS: readonly { berth: ServerKind; bare: ServerKind; name: string; target: number }[] = [
  {
    berth: 'berth-node',
    bare: 'node-http',
    name: '`node:http` binding vs bare `node:http` + zod',
    target: 0.5,
  },
  {
    berth: 'berth-express',
    bare: 'express-zod',
    name: 'Express binding vs bare Express + zod',
    target: 0.85,
  },
  {
    berth: 'berth-fetch-hono',
    bare: 'hono-zod',
    name: 'fetch binding in Hono vs bare Hono + zod (same `@hono/node-server`)',
    target: 0.8,
  },
];

async function measure(mode: BenchMode): Promise<Section> {
  const pinned = pin(process.pid, 1);
  const seconds = mode.quick ? 1 : 3;
  // Untimed load first, until every server runs at its steady rate: V8 optimises Berth's longer
  // request path and sizes its young generation over the first ~10 s (the first 3 s run about
  // half as fast as the seventh); the bare routes settle sooner, the same warm-up serves both.
  const warmUp = mode.quick ? 1 : 10;
  const kinds = Object.keys(LABELS) as ServerKind[];
  const servers: Server[] = [];
  const rounds = new Map<ServerKind, Round[]>(kinds.map((k) => [k, []]));
  try {
    for (const kind of kinds) servers.push(await startServer(kind, pinned));
    for (const s of servers) await load(s, warmUp);
    for (let r = 0; r < mode.rounds; r++) {
      for (let i = 0; i < servers.length; i++) {
        const s = servers[(i + r) % servers.length]!;
        rounds.get(s.kind)!.push(await load(s, seconds));
      }
      log(`http: round ${r + 1}/${mode.rounds}`);
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
  const rps = (k: ServerKind) => median(rounds.get(k)!.map((x) => x.rps));
  const bad = [...rounds.values()].flat().reduce((n, x) => n + x.bad, 0);
  if (bad > 0)
    throw new Error(`${bad} requests failed (non-2xx, errors or timeouts): the comparison is void`);
  const bare = rps('express-zod');
  return {
    id: 'http',
    title: '4. HTTP',
    method: [
      `Each server runs in its own process${pinned ? ', pinned to core 0 (`taskset`)' : ''}, listening on 127.0.0.1; the load generator (autocannon, in this process${pinned ? ', pinned to core 1' : ''}) opens ${CONNECTIONS} keep-alive connections, each alternating \`POST /agents/:id/actions/pause\` (body \`{"reason":"bench"}\`) and \`POST /agents/:id/actions/resume\` on its own agent, so every request is an accepted transition. Each server is first loaded for ${warmUp} s untimed (warm-up: V8 optimises and sizes its heap), then bounded runs of ${seconds} s, ${mode.rounds} rounds, the servers' order rotating every round; all ${kinds.length} servers stay up, idle while another is loaded. Every response must be 2xx, or the run fails.`,
      "Berth's bindings (memory store, memory driver), each on the same server as its bare reference: `createBerthNodeHandler(manager)` as the `node:http` listener, `createBerthRouter(manager)` in an Express app, `createBerthFetchHandler(manager)` mounted with `app.all('*', …)` in a Hono app under `@hono/node-server` — each with the authentication hook, the owner-scoped load, `If-Match`/idempotency handling, `manager.dispatch` and the full agent view as the body. Bare Express: `express.json()` and the same zod schemas (`ActionParamsSchema`, `ActionBodySchema`) with a status toggle in a Map. Bare `node:http`: the same, without Express; its second row answers a real agent view (taken once from a real manager for each status, with the request's id and version: the same bytes as Berth's answer, none of Berth's work) instead of `{agent: {id, status, version}}`. Bare Hono: the route on `new Hono()` served by `@hono/node-server`'s `getRequestListener`, the body read with `c.req.text()`. Bare Fastify: the route with Fastify's own JSON body parser.",
    ],
    tables: [
      {
        columns: [
          'server',
          'req/s (median)',
          'min – max',
          'p50',
          'p99',
          'vs its bare server',
          'vs bare Express',
        ],
        rows: kinds.map((k) => {
          const rs = rounds.get(k)!;
          return [
            LABELS[k],
            si(rps(k)),
            spread(
              rs.map((x) => x.rps),
              si,
            ),
            latency(median(rs.map((x) => x.p50))),
            latency(median(rs.map((x) => x.p99))),
            ((pair) => (pair === undefined ? '—' : `${((rps(k) / rps(pair.bare)) * 100).toFixed(0)} %`))(
              PAIRS.find((p) => p.berth === k),
            ),
            `${((rps(k) / bare) * 100).toFixed(0)} %`,
          ];
        }),
      },
    ],
    targets: PAIRS.map((p) => ({
      name: `HTTP action round trip: ${p.name}`,
      measured: `${si(rps(p.berth))} req/s`,
      reference: `${si(rps(p.bare))} req/s`,
      ratio: `${((rps(p.berth) / rps(p.bare)) * 100).toFixed(0)} %`,
      target: `≥ ${(p.target * 100).toFixed(0)} %`,
      met: rps(p.berth) / rps(p.bare) >= p.target,
    })),
    notes: [
      `Bare Hono answers ${times(rps('hono-zod') / bare)} and bare Fastify ${times(rps('fastify-zod') / bare)} the requests of bare Express; bare \`node:http\` is the ceiling every framework pays its share of.`,
      `Answering the same ~2.9 KB agent view instead of a ~60-byte one, bare \`node:http\` serves ${pct(rps('node-http-view') / rps('node-http'))} of its requests (${us(rps('node-http-view')) - us(rps('node-http'))} µs a request more: copying the frozen view with the request's id and version, \`JSON.stringify\` of it, and the bytes written). Berth's \`node:http\` binding serves ${pct(rps('berth-node') / rps('node-http-view'))} of that same-bytes reference.`,
      `Bare \`node:http\` answers ${times(rps('node-http') / bare)} the requests of bare Express with the same validation; Berth's \`node:http\` binding answers ${times(rps('berth-node') / rps('berth-express'))} its Express binding.`,
    ],
  };
}

await runMeasurement(measure);
