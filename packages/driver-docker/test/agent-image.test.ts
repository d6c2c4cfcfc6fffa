/**
 * The default agent image: built locally by ensureAgentImage (idempotent), run by the driver on
 * host networking against a real agent API listening on 127.0.0.1. It heartbeats with its token,
 * runs the commands it polls, reports their results, and exits cleanly on SIGTERM.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDockerDriver, type DockerDriver, ensureAgentImage } from '../src/index.js';
import {
  cleanupRun,
  dockerCli,
  dockerDescribe,
  eventually,
  makeTarget,
  op,
  RUN_LABEL,
  runId,
} from './support/docker-env.js';

const describeDocker = await dockerDescribe();
const TAG = `berth-test/agent-${runId}:latest`;

interface Result {
  readonly ok: boolean;
  readonly output?: unknown;
  readonly error?: { code: string; message: string };
}

/** The three agent routes of API.md, for one agent and token. */
function agentApi(agentId: string, token: string) {
  const heartbeats: number[] = [];
  const rejected: string[] = [];
  const queue: { id: string; type: string; payload?: unknown }[] = [];
  const results = new Map<string, Result>();
  const body = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
  };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const prefix = `/api/agents/${agentId}`;
    if (req.headers.authorization !== `Bearer ${token}` || !url.pathname.startsWith(prefix)) {
      rejected.push(`${req.method} ${url.pathname}`);
      res.writeHead(401).end();
      return;
    }
    const rest = url.pathname.slice(prefix.length);
    if (req.method === 'POST' && rest === '/heartbeat') {
      heartbeats.push(Date.now());
      res.writeHead(204).end();
    } else if (req.method === 'GET' && rest === '/commands') {
      const commands = queue.splice(0).map((c) => ({ ...c, status: 'running' }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ commands }));
    } else if (req.method === 'POST' && rest.startsWith('/commands/') && rest.endsWith('/result')) {
      results.set(rest.split('/')[2]!, (await body(req)) as Result);
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  });
  return { server, heartbeats, rejected, queue, results };
}

describeDocker('default agent image', () => {
  let imageId = '';
  let driver: DockerDriver;
  const target = makeTarget(TAG);
  const api = agentApi(target.agentId, target.credentials!.agentToken);

  beforeAll(async () => {
    imageId = await ensureAgentImage({ tag: TAG });
    api.server.listen(0, '127.0.0.1');
    await once(api.server, 'listening');
    const { port } = api.server.address() as AddressInfo;
    driver = createDockerDriver({
      networkMode: 'host',
      apiUrl: `http://127.0.0.1:${port}/api`,
      env: { BERTH_HEARTBEAT_INTERVAL_MS: '200', BERTH_POLL_INTERVAL_MS: '100' },
      labels: { [RUN_LABEL]: runId },
      stopTimeoutSeconds: 5,
    });
  }, 120_000);

  afterAll(async () => {
    try {
      await driver?.destroy(target, op('destroy'));
      await driver?.dispose();
      api.server.close();
      await cleanupRun();
    } finally {
      await dockerCli(['rmi', '-f', TAG]).catch(() => {});
    }
  });

  it('ensureAgentImage is idempotent: the second call reuses the image', async () => {
    expect(imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await ensureAgentImage({ tag: TAG })).toBe(imageId);
    expect(
      await dockerCli([
        'image',
        'inspect',
        '--format',
        '{{index .Config.Labels "berth.agent-image-hash"}}',
        TAG,
      ]),
    ).toMatch(/^[0-9a-f]{32}$/);
  });

  it('heartbeats with its token and runs the commands it polls', async () => {
    const made = await driver.provision(target, op('provision'));
    expect(made?.resolvedImage).toBe(imageId);
    await eventually(() => (api.heartbeats.length >= 2 ? true : undefined), 'two heartbeats');
    expect(api.rejected).toEqual([]);

    api.queue.push(
      { id: 'cmd_echo', type: 'echo', payload: { hello: 'world' } },
      { id: 'cmd_sleep', type: 'sleep', payload: { ms: 20 } },
      { id: 'cmd_write', type: 'write', payload: { path: 'notes/a.txt', content: 'kept' } },
      { id: 'cmd_escape', type: 'read', payload: { path: '../etc/passwd' } },
      { id: 'cmd_nope', type: 'explode' },
    );
    await eventually(() => (api.results.size === 5 ? true : undefined), 'five results');
    expect(api.results.get('cmd_echo')).toEqual({ ok: true, output: { hello: 'world' } });
    expect(api.results.get('cmd_sleep')).toEqual({ ok: true, output: { sleptMs: 20 } });
    expect(api.results.get('cmd_write')).toEqual({ ok: true, output: { path: 'notes/a.txt', bytes: 4 } });
    expect(api.results.get('cmd_escape')).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(api.results.get('cmd_nope')).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });

    // The workspace survives a redeploy: the new container reads what the old one wrote.
    await driver.redeploy(target, op('redeploy'));
    api.queue.push({ id: 'cmd_read', type: 'read', payload: { path: 'notes/a.txt' } });
    await eventually(() => api.results.get('cmd_read'), 'the read result');
    expect(api.results.get('cmd_read')).toEqual({
      ok: true,
      output: { path: 'notes/a.txt', content: 'kept' },
    });
  });

  it('stops cleanly on SIGTERM', async () => {
    await driver.stop(target, op('stop'));
    expect(await driver.inspect(target.agentId)).toMatchObject({ state: 'stopped', exitCode: 0 });
    const logs = await dockerCli(['logs', driver.containerName(target.agentId)]);
    expect(logs).toContain('received SIGTERM, stopping');
  });
});
