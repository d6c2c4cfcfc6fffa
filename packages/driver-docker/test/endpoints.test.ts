/**
 * Endpoints on host networking, against a real Docker Engine: the driver gives each agent a port
 * of 127.0.0.1 (`BERTH_AGENT_PORT`), the default agent image serves there, the port survives
 * stop/start and redeploy, and destroy releases it. The login (username, password) reaches the
 * container with the runtime token and is kept by a redeploy that carries no credentials.
 */
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
const TAG = `berth-test/agent-endpoints-${runId}:latest`;

/** What the agent answers at its endpoint, or undefined while it is not serving yet. */
async function served(url: string): Promise<{ agentId: string; status: string } | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return response.ok ? ((await response.json()) as { agentId: string; status: string }) : undefined;
  } catch {
    return undefined;
  }
}

describeDocker('docker driver endpoints (host networking)', () => {
  let driver: DockerDriver;
  let none: DockerDriver;
  const a = makeTarget(TAG);
  const b = makeTarget(TAG);
  const login = { username: 'agent-login', password: 'pw-1234567890' };

  beforeAll(async () => {
    await ensureAgentImage({ tag: TAG });
    driver = createDockerDriver({
      networkMode: 'host',
      labels: { [RUN_LABEL]: runId },
      stopTimeoutSeconds: 5,
    });
    none = createDockerDriver({ labels: { [RUN_LABEL]: runId } });
  }, 120_000);

  afterAll(async () => {
    try {
      for (const t of [a, b]) await driver?.destroy(t, op('destroy')).catch(() => {});
      await driver?.dispose();
      await none?.dispose();
      await cleanupRun();
    } finally {
      await dockerCli(['rmi', '-f', TAG]).catch(() => {});
    }
  });

  it('only host networking declares the capability', () => {
    expect(typeof driver.endpoints).toBe('function');
    expect(none.endpoints).toBeUndefined();
  });

  it('each agent gets its own port, serves there, keeps it across stop/start and redeploy; destroy releases it', async () => {
    const made = await driver.provision(
      { ...a, credentials: { ...a.credentials!, ...login } },
      op('provision'),
    );
    await driver.provision(b, op('provision'));
    const [ea] = await driver.endpoints!(a.agentId);
    const [eb] = await driver.endpoints!(b.agentId);
    expect(ea).toEqual({ name: 'http', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/) });
    expect(made?.endpoints).toEqual([ea]);
    expect(eb!.url).not.toBe(ea!.url);
    await eventually(() => served(ea!.url), `agent ${a.agentId} serving at ${ea!.url}`);
    await eventually(() => served(eb!.url), `agent ${b.agentId} serving at ${eb!.url}`);
    expect(await served(ea!.url)).toMatchObject({ agentId: a.agentId, status: 'ok' });
    expect(await served(eb!.url)).toMatchObject({ agentId: b.agentId });

    const env = async () =>
      (
        await dockerCli(['inspect', '--format', '{{json .Config.Env}}', driver.containerName(a.agentId)])
      ).trim();
    expect(await env()).toContain(`BERTH_AGENT_PASSWORD=${login.password}`);

    await driver.stop(a, op('stop'));
    await driver.start({ ...a, credentials: null }, op('start'));
    expect(await driver.endpoints!(a.agentId)).toEqual([ea]);
    await driver.redeploy({ ...a, credentials: null }, op('redeploy'));
    expect(await driver.endpoints!(a.agentId)).toEqual([ea]);
    expect(await env()).toContain(`BERTH_AGENT_USERNAME=${login.username}`);
    await eventually(() => served(ea!.url), 'serving again after the redeploy');

    await driver.destroy(a, op('destroy'));
    expect(await driver.endpoints!(a.agentId)).toEqual([]);
    await eventually(async () => ((await served(ea!.url)) === undefined ? true : undefined), 'port released');
  }, 120_000);
});
