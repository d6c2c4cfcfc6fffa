/**
 * Credentials, secrets and configuration reach the container as environment at creation. A
 * changed secret therefore rebuilds the container on start/restart (same image, same volume,
 * same token); an unchanged one does not.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDockerDriver, DOCKER_ERRORS } from '../src/index.js';
import {
  buildTestImage,
  cleanupRun,
  dockerCli,
  dockerDescribe,
  execIn,
  GRACEFUL_CMD,
  makeTarget,
  op,
  RUN_LABEL,
  runId,
} from './support/docker-env.js';

const describeDocker = await dockerDescribe();
const IMAGE = `berth-test/env:${runId}`;

describeDocker('environment', () => {
  const driver = createDockerDriver({
    labels: { [RUN_LABEL]: runId },
    stopTimeoutSeconds: 2,
    apiUrl: 'http://127.0.0.1:3000/api',
    env: { LOG_LEVEL: 'debug' },
  });
  beforeAll(() => buildTestImage(IMAGE, { cmd: GRACEFUL_CMD }));
  afterAll(async () => {
    await driver.dispose();
    await cleanupRun();
  });

  const envOf = async (agentId: string): Promise<Record<string, string>> => {
    const lines = JSON.parse(
      await dockerCli(['inspect', '--format', '{{json .Config.Env}}', driver.containerName(agentId)]),
    );
    return Object.fromEntries(
      (lines as string[]).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  };

  it('hands credentials, secrets, config.env and the agent identity to the container', async () => {
    const target = makeTarget(IMAGE, {
      revision: { id: 'rev_env', image: IMAGE, config: { env: { FEATURE: 'on' } } },
      secrets: { API_KEY: 'k-1', DB_URL: 'postgres://x' },
    });
    try {
      await driver.provision(target, op('provision'));
      expect(await envOf(target.agentId)).toMatchObject({
        BERTH_AGENT_ID: target.agentId,
        BERTH_AGENT_TOKEN: target.credentials!.agentToken,
        BERTH_AGENT_NAME: target.name,
        BERTH_OWNER: target.owner,
        BERTH_API_URL: 'http://127.0.0.1:3000/api',
        BERTH_WORKSPACE: '/workspace',
        BERTH_REVISION: 'rev_env',
        API_KEY: 'k-1',
        DB_URL: 'postgres://x',
        FEATURE: 'on',
        LOG_LEVEL: 'debug',
      });
      // The process really sees it.
      expect((await execIn(driver.containerName(target.agentId), ['sh', '-c', 'echo $API_KEY'])).trim()).toBe(
        'k-1',
      );
    } finally {
      await driver.destroy(target, op('destroy'));
    }
  });

  it('a changed secret rebuilds the container on start, keeping image, volume and token', async () => {
    const target = makeTarget(IMAGE, { secrets: { API_KEY: 'old' } });
    try {
      const made = await driver.provision(target, op('provision'));
      await execIn(driver.containerName(target.agentId), ['sh', '-c', 'echo data > /workspace/f']);
      await driver.stop(target, op('stop'));

      // What the manager hands to start: the same secrets and no credentials → nothing to rebuild.
      const same = { ...target, credentials: null };
      const started = await driver.start(same, op('start'));
      expect(started?.resourceId).toBe(made?.resourceId);

      const rotated = { ...target, credentials: null, secrets: { API_KEY: 'new' } };
      await driver.stop(target, op('stop'));
      const restarted = await driver.start(rotated, op('start'));
      expect(restarted?.resourceId, 'environment is fixed at creation: a new container').not.toBe(
        made?.resourceId,
      );
      expect(restarted?.resolvedImage).toBe(made?.resolvedImage);
      const env = await envOf(target.agentId);
      expect(env.API_KEY).toBe('new');
      expect(env.BERTH_AGENT_TOKEN, 'the token is carried over').toBe(target.credentials!.agentToken);
      expect((await execIn(driver.containerName(target.agentId), ['cat', '/workspace/f'])).trim()).toBe(
        'data',
      );

      const again = { ...target, credentials: null, secrets: { API_KEY: 'newer' } };
      const viaRestart = await driver.restart(again, op('restart'));
      expect(viaRestart.resourceId).not.toBe(restarted?.resourceId);
      expect((await envOf(target.agentId)).API_KEY).toBe('newer');
    } finally {
      await driver.destroy(target, op('destroy'));
    }
  });

  it('refuses secrets and config that would shadow the driver’s own variables, naming the field', async () => {
    const reservedSecret = makeTarget(IMAGE, { secrets: { BERTH_AGENT_TOKEN: 'forged' } });
    await expect(driver.provision(reservedSecret, op('provision'))).rejects.toMatchObject({
      driverCode: DOCKER_ERRORS.INVALID_TARGET,
      message: expect.stringContaining('BERTH_AGENT_TOKEN'),
    });
    const badConfig = makeTarget(IMAGE, {
      revision: { id: 'r', image: IMAGE, config: { env: { 'NOT-A-NAME': 'x' } } },
    });
    await expect(driver.provision(badConfig, op('provision'))).rejects.toMatchObject({
      driverCode: DOCKER_ERRORS.INVALID_CONFIG,
      errors: [{ path: 'config.env.NOT-A-NAME', message: expect.any(String) }],
    });
    const badCmd = makeTarget(IMAGE, { revision: { id: 'r', image: IMAGE, config: { cmd: 'sleep 1' } } });
    await expect(driver.provision(badCmd, op('provision'))).rejects.toMatchObject({
      driverCode: DOCKER_ERRORS.INVALID_CONFIG,
      errors: [{ path: 'config.cmd', message: expect.any(String) }],
    });
    for (const t of [reservedSecret, badConfig, badCmd])
      expect((await driver.inspect(t.agentId)).state).toBe('missing');
  });

  it('network mode none by default, host on request; never a bridge', async () => {
    const host = createDockerDriver({ labels: { [RUN_LABEL]: runId }, networkMode: 'host' });
    const a = makeTarget(IMAGE);
    const b = makeTarget(IMAGE);
    try {
      await driver.provision(a, op('provision'));
      await host.provision(b, op('provision'));
      const modeOf = (agentId: string) =>
        dockerCli([
          'inspect',
          '--format',
          '{{.HostConfig.NetworkMode}} {{.Config.NetworkDisabled}}',
          driver.containerName(agentId),
        ]);
      expect(await modeOf(a.agentId)).toBe('none true');
      expect(await modeOf(b.agentId)).toBe('host false');
    } finally {
      await driver.destroy(a, op('destroy'));
      await host.destroy(b, op('destroy'));
      await host.dispose();
    }
  });
});
