/**
 * The platform server: started as `pnpm start` starts it (a child process running src/main.ts)
 * and in-process on ephemeral ports; its configuration reaching the manager (quota, capacity,
 * heartbeat sweeps, reasons, operator keys), its dashboard assets and its live feed.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { readEventStream } from '@berth/cli/client';
import { lifecycleContract } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import { afterEach, describe, expect, it } from 'vitest';
import { diagramGraph } from '../src/statechart-svg.js';
import { loadConfig, type Platform, startPlatform } from '../src/index.js';

const platformDir = fileURLToPath(new URL('../', import.meta.url));

interface Started {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly stderr: () => string;
  readonly exit: Promise<number | null>;
}

/** Run src/main.ts as `pnpm start` does, and wait for its "listening" line. */
function startMain(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--conditions=@berth/source', '--import', 'tsx', 'src/main.ts'], {
    cwd: platformDir,
    env: { ...process.env, PORT: '0', BERTH_STORE: 'memory', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      const match = /Berth platform listening on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve({ child, url: match[1]!, stderr: () => stderr, exit });
    });
    void exit.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
}

/** Run src/main.ts to its end; for configurations that must not start. */
function runMain(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--conditions=@berth/source', '--import', 'tsx', 'src/main.ts'], {
    cwd: platformDir,
    env: { ...process.env, BERTH_STORE: 'memory', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.close()));
});

async function platformWith(env: Record<string, string>, latency = 20): Promise<Platform> {
  const platform = await startPlatform(loadConfig({ PORT: '0', BERTH_STORE: 'memory', ...env }), {
    driver: createMemoryDriver({ latency }),
    log: () => {},
  });
  running.push(platform);
  return platform;
}

async function api(platform: Platform, method: string, path: string, body?: unknown, key?: string) {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (key) headers.authorization = `Bearer ${key}`;
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(platform.apiUrl + path, init);
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

describe('pnpm start (src/main.ts)', () => {
  it('prints its URL, serves the dashboard and the API, warns about dev mode, and exits 0 on SIGTERM with streams open', async () => {
    const started = await startMain({});
    try {
      expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(started.stderr()).toContain('BERTH_OPERATOR_KEYS is not set');
      const page = await fetch(`${started.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>Berth platform</title>');
      expect((await fetch(`${started.url}/api/agents`)).status).toBe(200);
      // An open event stream must not keep the server from closing.
      const feed = await fetch(`${started.url}/platform/feed`);
      expect(feed.headers.get('content-type')).toContain('text/event-stream');
      started.child.kill('SIGTERM');
      expect(await started.exit).toBe(0);
      await feed.body?.cancel().catch(() => {});
    } finally {
      if (started.child.exitCode === null) started.child.kill('SIGKILL');
    }
  });

  it('exits 0 on SIGINT', async () => {
    const started = await startMain({ BERTH_OPERATOR_KEYS: 'acme:acme-key' });
    try {
      expect(started.stderr()).not.toContain('dev mode');
      started.child.kill('SIGINT');
      expect(await started.exit).toBe(0);
    } finally {
      if (started.child.exitCode === null) started.child.kill('SIGKILL');
    }
  });

  it('refuses a bad environment with exit 2 and a message, not a stack trace', async () => {
    const result = await runMain({ PORT: '3000', BERTH_REQUIRE_REASON: 'pause,nap' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("BERTH_REQUIRE_REASON: 'nap' is not an action");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).not.toContain('listening');
  });

  it('says so when the port is taken (exit 1)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (blocker.address() as { port: number }).port;
      const result = await runMain({ PORT: String(port) });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`port ${port} is in use`);
    } finally {
      blocker.close();
    }
  });
});

describe('configuration reaches the manager', () => {
  it('BERTH_SLOTS_PER_OWNER: a second agent is refused with QUOTA_EXCEEDED', async () => {
    const platform = await platformWith({ BERTH_SLOTS_PER_OWNER: '1' });
    expect((await api(platform, 'POST', '/agents', { name: 'one' })).status).toBe(201);
    const second = await api(platform, 'POST', '/agents', { name: 'two' });
    expect(second.status).toBe(409);
    expect(second.body?.code).toBe('QUOTA_EXCEEDED');
  });

  it('BERTH_MEMORY_CAPACITY: beyond it agents wait in waitlisted, and get room when some frees up', async () => {
    const platform = await startPlatform(
      loadConfig({
        PORT: '0',
        BERTH_STORE: 'memory',
        BERTH_MEMORY_CAPACITY: '1',
        BERTH_MEMORY_LATENCY_MS: '0',
      }),
      {
        log: () => {},
      },
    );
    running.push(platform);
    const first = await api(platform, 'POST', '/agents', { name: 'first' });
    const firstId = first.body?.id as string;
    await platform.manager.waitFor(firstId, 'running', { timeout: 10_000 });
    const second = await api(platform, 'POST', '/agents', { name: 'second' });
    const secondId = second.body?.id as string;
    await platform.manager.waitFor(secondId, 'waitlisted', { timeout: 10_000 });
    const destroyed = await api(platform, 'DELETE', `/agents/${firstId}`, { confirm: 'first' });
    expect(destroyed.status).toBe(202);
    await platform.manager.waitFor(secondId, 'running', { timeout: 30_000 });
  });

  it('BERTH_HEARTBEAT_TIMEOUT_MS: the sweeper marks a silent self-hosted agent degraded; a heartbeat brings it back', async () => {
    const platform = await platformWith({ BERTH_HEARTBEAT_TIMEOUT_MS: '1000' });
    const token = await api(platform, 'POST', '/registration-tokens', {});
    const registered = await api(platform, 'POST', '/agents/register', {
      registrationToken: token.body?.token,
      code: 'edge-box-1',
    });
    expect(registered.status).toBe(201);
    const agentId = registered.body?.agentId as string;
    const heartbeat = () =>
      fetch(`${platform.apiUrl}/agents/${agentId}/heartbeat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${registered.body?.agentToken}` },
      });
    expect((await heartbeat()).status).toBe(204);
    expect((await platform.manager.get(agentId)).status).toBe('running');
    await platform.manager.waitFor(agentId, 'degraded', { timeout: 15_000 });
    expect((await heartbeat()).status).toBe(204);
    expect((await platform.manager.get(agentId)).status).toBe('running');
  });

  it('BERTH_REQUIRE_REASON: the listed actions need a reason, the others do not', async () => {
    const platform = await platformWith({ BERTH_REQUIRE_REASON: 'stop' });
    const created = await api(platform, 'POST', '/agents', { name: 'r' });
    const id = created.body?.id as string;
    await platform.manager.waitFor(id, 'running', { timeout: 10_000 });
    const stop = await api(platform, 'POST', `/agents/${id}/actions/stop`, {});
    expect(stop.body?.code).toBe('REASON_REQUIRED');
    const pause = await api(platform, 'POST', `/agents/${id}/actions/pause`, {});
    expect(pause.status).toBe(200);
  });

  it('BERTH_OPERATOR_KEYS: no key is 401; each key sees its own agents only, in the API and in the feed', async () => {
    const platform = await platformWith({ BERTH_OPERATOR_KEYS: 'acme:acme-key,globex:globex-key' });
    expect((await api(platform, 'GET', '/agents')).status).toBe(401);
    expect((await fetch(`${platform.url}/platform/feed`)).status).toBe(401);

    const controller = new AbortController();
    const feed = await fetch(`${platform.url}/platform/feed`, {
      headers: { authorization: 'Bearer acme-key' },
      signal: controller.signal,
    });
    expect(feed.status).toBe(200);
    const seen: { agentId: string; status: string }[] = [];
    const reading = (async () => {
      for await (const event of readEventStream(feed.body!, controller.signal)) {
        if (event.event === 'transition')
          seen.push(JSON.parse(event.data) as { agentId: string; status: string });
      }
    })().catch(() => {});

    const globex = await api(platform, 'POST', '/agents', { name: 'g' }, 'globex-key');
    const acme = await api(platform, 'POST', '/agents', { name: 'a' }, 'acme-key');
    expect(acme.body?.owner).toBe('acme');
    await platform.manager.waitFor(globex.body?.id as string, 'running', { timeout: 10_000 });
    await platform.manager.waitFor(acme.body?.id as string, 'running', { timeout: 10_000 });
    await expect
      .poll(() => seen.some((e) => e.agentId === acme.body?.id && e.status === 'running'))
      .toBe(true);
    expect(seen.some((e) => e.agentId === globex.body?.id)).toBe(false);
    expect((await api(platform, 'GET', `/agents/${acme.body?.id}`, undefined, 'globex-key')).status).toBe(
      404,
    );
    controller.abort();
    await reading;
  });
});

describe('dashboard assets', () => {
  it('serves the page with a strict content security policy, the bundle and the statechart', async () => {
    const platform = await platformWith({});
    const page = await fetch(`${platform.url}/`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const js = await fetch(`${platform.url}/assets/app.js`);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(await js.text()).toContain('/platform/feed');
    const svg = await (await fetch(`${platform.url}/assets/statechart.svg`)).text();
    for (const status of lifecycleContract().statuses) expect(svg).toContain(`data-status="${status.name}"`);
    const info = (await (await fetch(`${platform.url}/platform/info`)).json()) as {
      driver: string;
      authRequired: boolean;
    };
    expect(info).toMatchObject({ driver: 'memory', authRequired: false });
  });

  it('draws every status-level transition of the machine', () => {
    const contract = lifecycleContract();
    const { edges } = diagramGraph(contract);
    for (const t of contract.transitions) {
      if (t.from === t.to || t.targetless) continue;
      const drawn = edges.some(
        (e) =>
          e.events.includes(t.event) && e.sources.includes(t.from) && (e.to === t.to || e.to === 'hub:back'),
      );
      expect(drawn, `${t.from} --${t.event}--> ${t.to}`).toBe(true);
    }
  });
});
