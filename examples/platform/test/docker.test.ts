/**
 * `BERTH_DRIVER=docker`: the platform runs a real container per agent with the default agent
 * image, on host networking, and the agent inside heartbeats back to the platform's agent API.
 *
 * Needs a Docker Engine (scripts/ci/start-docker.sh). Skips only when none answers and
 * BERTH_REQUIRE_INFRA is unset; with it set, a missing engine fails the file.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Platform, startPlatform } from '../src/index.js';

const run = promisify(execFile);
const requireInfra = Boolean(process.env.BERTH_REQUIRE_INFRA);
const socketPath = process.env.DOCKER_HOST?.startsWith('unix://')
  ? process.env.DOCKER_HOST.slice('unix://'.length)
  : '/var/run/docker.sock';

/** True when the engine answers `GET /_ping`. */
function engineAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

const engine = await engineAnswers();
/** Labels everything this file creates, so cleanup removes exactly that. */
const runLabel = { 'berth.test-run': `platform-${process.pid}-${randomBytes(4).toString('hex')}` };
const labelFilter = `label=berth.test-run=${runLabel['berth.test-run']}`;

async function cleanup(): Promise<void> {
  const containers = (await run('docker', ['ps', '-aq', '--filter', labelFilter])).stdout
    .split('\n')
    .filter(Boolean);
  if (containers.length > 0) await run('docker', ['rm', '-f', ...containers]);
  const volumes = (await run('docker', ['volume', 'ls', '-q', '--filter', labelFilter])).stdout
    .split('\n')
    .filter(Boolean);
  if (volumes.length > 0) await run('docker', ['volume', 'rm', '-f', ...volumes]);
}

describe.skipIf(!engine && !requireInfra)('platform with BERTH_DRIVER=docker', () => {
  let platform: Platform;

  beforeAll(async () => {
    if (!engine) throw new Error(`BERTH_REQUIRE_INFRA is set but no Docker Engine answers at ${socketPath}`);
    platform = await startPlatform(loadConfig({ PORT: '0', BERTH_STORE: 'memory', BERTH_DRIVER: 'docker' }), {
      dockerLabels: runLabel,
      log: () => {},
    });
  }, 300_000);

  afterAll(async () => {
    await platform?.close();
    if (engine) await cleanup();
  });

  it('deploys a container that heartbeats back over host networking, and destroys it', async () => {
    expect(platform.manager.driverName).toBe('docker');
    const created = await fetch(`${platform.apiUrl}/agents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'container-bot' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await platform.manager.waitFor(id, 'running', { timeout: 120_000 });

    // One container, running the default agent image (the driver pins it by image id).
    const states = (await run('docker', ['ps', '-a', '--filter', labelFilter, '--format', '{{.State}}']))
      .stdout;
    expect(states.trim()).toBe('running');
    const containerImage = (
      await run('docker', [
        'inspect',
        '--format',
        '{{.Image}}',
        ...(await run('docker', ['ps', '-q', '--filter', labelFilter])).stdout.split('\n').filter(Boolean),
      ])
    ).stdout.trim();
    const agentImage = (
      await run('docker', ['image', 'inspect', '--format', '{{.Id}}', 'berth/agent:latest'])
    ).stdout.trim();
    expect(containerImage).toBe(agentImage);

    // The agent in the container reached the agent API on 127.0.0.1 with its credentials.
    await platform.manager.waitFor(id, (agent) => agent.lastHeartbeatAt !== null, { timeout: 60_000 });
    expect((await platform.manager.get(id)).status).toBe('running');

    const destroyed = await fetch(`${platform.apiUrl}/agents/${id}`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ confirm: 'container-bot', reason: 'test over' }),
    });
    expect(destroyed.status).toBe(202);
    await platform.manager.waitFor(id, 'deleted', { timeout: 120_000 });
    const left = (await run('docker', ['ps', '-aq', '--filter', labelFilter])).stdout.trim();
    expect(left).toBe('');
  });
});
