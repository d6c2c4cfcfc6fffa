/**
 * The example platform: a small agent-hosting control plane. An Express 5 server with the
 * Berth adapter at `/api`, a live dashboard at `/`, and a lifecycle manager running the memory
 * driver (simulated latency) or the Docker driver (real containers) over the store `BERTH_STORE`
 * names (SQLite by default). It answers only once it is ready (`readiness.ts`) and recovers what
 * an earlier run left on every start (`recovery.ts`).
 *
 * @module
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type LifecycleDriver,
  type LifecycleManager,
  lifecycleContract,
  type LifecycleStore,
  type TransitionEvent,
  createLifecycleManager,
} from '@berth/core';
import { createDockerDriver, DEFAULT_AGENT_IMAGE, ensureAgentImage } from '@berth/driver-docker';
import { createMemoryDriver } from '@berth/driver-memory';
import express, { type Request, type Response } from 'express';
import { createAuthenticator, DEV_OWNER } from './auth.js';
import type { LatencyRange, PlatformConfig } from './config.js';
import { buildDashboardAssets } from './dashboard-assets.js';
import { mountApi } from './http-binding.js';
import { mountReadiness } from './readiness.js';
import { type RecoveryReport, reconcileAfterStart, resumeOnStart } from './recovery.js';
import { type OpenedStore, openStore } from './store.js';

/** Options of {@link startPlatform} beyond the configuration. */
export interface StartPlatformOptions {
  /** Where log lines go. @default console.log */
  readonly log?: (line: string) => void;
  /** Docker only: the engine address (`DOCKER_HOST` syntax). @default DOCKER_HOST or the local socket */
  readonly dockerHost?: string;
  /** Docker only: extra labels on everything the driver creates (tests use it to clean up). @default config.dockerLabels */
  readonly dockerLabels?: Readonly<Record<string, string>>;
  /**
   * Use this store instead of the one `config.store` names. The caller keeps it: `close()`
   * leaves it open.
   */
  readonly store?: LifecycleStore;
  /**
   * Use this driver instead of the one `config.driver` names (tests pass a memory driver they
   * keep a handle on, to inject faults).
   */
  readonly driver?: LifecycleDriver;
}

/** A running platform. */
export interface Platform {
  /** `http://127.0.0.1:3000` (no trailing slash). */
  readonly url: string;
  /** `http://127.0.0.1:3000/api`. */
  readonly apiUrl: string;
  readonly manager: LifecycleManager;
  /** The store the manager keeps its state in. */
  readonly store: LifecycleStore;
  /** What the start-up banner says about the store (`SQLite /…/.berth/berth.sqlite`). */
  readonly storeDescription: string;
  /** Start-up reconciling, which runs once the platform answers (rejects if it failed). */
  readonly recovered: Promise<RecoveryReport>;
  readonly server: Server;
  readonly config: PlatformConfig;
  /** Close the server, the manager and the store it opened (idempotent). */
  close(): Promise<void>;
}

/** What the dashboard reads from `GET /platform/info`. */
export interface PlatformInfo {
  readonly driver: string;
  /** True when operator keys are configured (the dashboard then asks for one). */
  readonly authRequired: boolean;
  /** The owner in dev mode, else null. */
  readonly devOwner: string | null;
  readonly requireReason: readonly string[];
  readonly heartbeatTimeoutMs: number;
  readonly defaultImage: string;
  /** Every status with its kind and description, from the lifecycle contract. */
  readonly statuses: readonly { name: string; kind: string; description: string }[];
  /** The compound states the statechart draws as handles (`settled`, `up`). */
  readonly groups: readonly { label: string; statuses: readonly string[] }[];
}

/**
 * The memory driver's latency per operation for a range: slow operations (provision,
 * recreate, redeploy) take the top of the range, quick ones (stop, destroy) the bottom.
 */
export function memoryLatency(range: LatencyRange): Record<string, number> {
  const at = (f: number) => Math.round(range.min + (range.max - range.min) * f);
  return {
    provision: at(1),
    recreate: at(1),
    redeploy: at(0.8),
    restart: at(0.6),
    start: at(0.5),
    stop: at(0.2),
    destroy: at(0),
  };
}

/**
 * Start the platform: listen (answering 503 `NOT_READY` until ready), open the store, build the
 * driver and the manager, resume what an earlier run left in flight, start the sweeper (every
 * second at most, so heartbeat staleness is noticed in time), mount the API and the dashboard,
 * answer — and then reconcile with the driver in the background (`Platform.recovered`).
 *
 * @param config - From {@link loadConfig}. Port 0 picks a free port.
 * @param options - Logging and Docker details.
 * @example
 * ```ts
 * const platform = await startPlatform(loadConfig(process.env));
 * console.log(platform.url);
 * ```
 */
export async function startPlatform(
  config: PlatformConfig,
  options: StartPlatformOptions = {},
): Promise<Platform> {
  const log = options.log ?? ((line: string) => console.log(line));
  const app = express();
  app.disable('x-powered-by');
  const readiness = mountReadiness(app);
  const server = createServer(
    {
      headersTimeout: config.headersTimeoutSeconds * 1000,
      requestTimeout: config.requestTimeoutSeconds * 1000,
      // Node checks both timeouts on this period (30 s by default): check every second.
      connectionsCheckingInterval: 1000,
    },
    app,
  );
  server.listen(config.port, config.host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;
  const apiUrl = `${url}/api`;

  let opened: OpenedStore | null = null;
  let manager: LifecycleManager | null = null;
  try {
    opened = options.store
      ? { store: options.store, description: 'a store given by the caller', close: async () => {} }
      : await openStore(config.store, undefined, { leaseMs: config.leaseMs });
    const store = opened.store;
    const driver = options.driver ?? (await createDriver(config, options, address.port, log));
    const running = createLifecycleManager({
      driver,
      store,
      defaultOwner: DEV_OWNER,
      ...(config.maxCommandsPerAgent === undefined
        ? {}
        : { maxCommandsPerAgent: config.maxCommandsPerAgent }),
      policies: {
        requireReason: config.requireReason,
        heartbeatTimeoutMs: config.heartbeatTimeoutMs,
        ...(config.slotsPerOwner === undefined ? {} : { slotsPerOwner: config.slotsPerOwner }),
      },
    });
    manager = running;
    running.events.on('error', (error) => log(`berth: background error: ${error.message}`));
    await resumeOnStart(running, store, driver, log);
    running.start({ intervalMs: Math.min(1000, Math.max(100, Math.floor(config.heartbeatTimeoutMs / 4))) });

    const authenticate = createAuthenticator(config.operatorKeys);
    const assets = await buildDashboardAssets();
    const contract = lifecycleContract();
    const info: PlatformInfo = {
      driver: running.driverName,
      authRequired: config.operatorKeys !== null,
      devOwner: config.operatorKeys === null ? DEV_OWNER : null,
      requireReason: config.requireReason,
      heartbeatTimeoutMs: config.heartbeatTimeoutMs,
      defaultImage: DEFAULT_AGENT_IMAGE,
      statuses: contract.statuses.map(({ name, kind, description }) => ({ name, kind, description })),
      groups: assets.statechart.groups.map(({ label, statuses }) => ({ label, statuses })),
    };

    app.use(securityHeaders);
    mountApi(app, server, running, config.http ?? 'express', {
      authenticate,
      onError: (error) => log(`berth: internal error: ${error.stack ?? error.message}`),
      edge: {
        headersTimeoutSeconds: config.headersTimeoutSeconds,
        bodyTimeoutSeconds: config.requestTimeoutSeconds,
      },
    });
    app.get('/platform/info', (_req, res) => {
      res.json(info);
    });
    const feeds = new Set<Response>();
    app.get('/platform/feed', (req, res) => {
      const identity = authenticate(req);
      if (identity === null) {
        res.status(401).type('application/problem+json').json({
          type: 'urn:berth:error:UNAUTHORIZED',
          title: 'Unauthorized',
          status: 401,
          code: 'UNAUTHORIZED',
          detail: 'send Authorization: Bearer <operator key>',
        });
        return;
      }
      serveFeed(running, identity.owner, req, res, feeds);
    });
    for (const [path, asset] of assets.files) {
      app.get(path, (_req, res) => {
        res.type(asset.type).set('Cache-Control', 'no-cache').send(asset.body);
      });
    }

    readiness.ready({ store, driver });
    // Reads every agent: in the background, once the platform answers (after this turn, so
    // a synchronous store's long read does not hold up the answer).
    const recovered = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      reconcileAfterStart(running, store, driver, log),
    );
    recovered.catch((error: unknown) => {
      if (readiness.phase !== 'closing')
        log(`berth: reconciling after start failed: ${(error as Error).message}`);
    });

    const storeOpened = opened;
    let closing: Promise<void> | null = null;
    const close = () => {
      closing ??= (async () => {
        readiness.closing();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const res of feeds) res.end();
        // Operations in flight stay recorded (not failed): the next start resumes them.
        await running.close();
        await recovered.catch(() => {});
        await storeOpened.close();
        // Event streams never go idle by themselves: cut what is still open.
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    };
    return {
      url,
      apiUrl,
      manager: running,
      store,
      storeDescription: opened.description,
      recovered,
      server,
      config,
      close,
    };
  } catch (error) {
    await manager?.close().catch(() => {});
    await opened?.close().catch(() => {});
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
}

async function createDriver(
  config: PlatformConfig,
  options: StartPlatformOptions,
  port: number,
  log: (line: string) => void,
): Promise<LifecycleDriver> {
  if (config.driver === 'memory') {
    return createMemoryDriver({
      latency: memoryLatency(config.memoryLatencyMs),
      ...(config.memoryCapacity === undefined ? {} : { capacity: config.memoryCapacity }),
    });
  }
  log(`Checking the agent image ${DEFAULT_AGENT_IMAGE} (built locally on first use)…`);
  await ensureAgentImage(options.dockerHost === undefined ? {} : { host: options.dockerHost });
  // Agents run with host networking and reach the agent API on the loopback address.
  const agentApiHost = ['0.0.0.0', '::', '127.0.0.1', 'localhost'].includes(config.host)
    ? '127.0.0.1'
    : config.host;
  return createDockerDriver({
    networkMode: 'host',
    apiUrl: `http://${agentApiHost}:${port}/api`,
    ...(options.dockerHost === undefined ? {} : { host: options.dockerHost }),
    ...((options.dockerLabels ?? config.dockerLabels) === undefined
      ? {}
      : { labels: options.dockerLabels ?? config.dockerLabels }),
  });
}

/** Same-origin only, nothing inline, no framing. */
function securityHeaders(_req: Request, res: Response, next: () => void): void {
  res.set({
    'Content-Security-Policy':
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  next();
}

/**
 * `GET /platform/feed`: every status transition of the caller's agents as server-sent events
 * (`event: transition`, data `{agentId, status, from, action, version, at}`). The dashboard
 * keeps its agent list live with this one stream; one `GET /api/agents/:id/events` per agent
 * would run into the browser's limit of six connections per host.
 */
function serveFeed(
  manager: LifecycleManager,
  owner: string | undefined,
  req: Request,
  res: Response,
  feeds: Set<Response>,
): void {
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  res.write(': connected\n\n');
  const onTransition = (e: TransitionEvent) => {
    if (owner !== undefined && e.owner !== owner) return;
    if (e.from === e.to) return;
    const data = {
      agentId: e.agentId,
      status: e.to,
      from: e.from,
      action: e.action,
      version: e.version,
      at: new Date(e.at).toISOString(),
    };
    res.write(`event: transition\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), 15_000);
  keepalive.unref();
  manager.events.on('transition', onTransition);
  feeds.add(res);
  const stop = () => {
    clearInterval(keepalive);
    manager.events.off('transition', onTransition);
    feeds.delete(res);
  };
  req.on('close', stop);
  res.on('close', stop);
}
