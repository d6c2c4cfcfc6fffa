/**
 * Observation of out-of-band changes through the events stream: docker kill, docker stop,
 * docker start, docker rm -f, an OOM kill and HEALTHCHECK status each become one DriverEvent.
 */
import type { DriverEvent } from '@berth/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDockerDriver } from '../src/index.js';
import {
  buildTestImage,
  runScopedDriver,
  dockerCli,
  dockerDescribe,
  eventually,
  execIn,
  GRACEFUL_CMD,
  makeTarget,
  op,
  RUN_LABEL,
  runId,
} from './support/docker-env.js';

const describeDocker = await dockerDescribe();
const IMAGE = `berth-test/watch:${runId}`;

describeDocker('watch', () => {
  const driver = runScopedDriver();
  const events: DriverEvent[] = [];
  let unsubscribe: () => void = () => {};
  beforeAll(async () => {
    await buildTestImage(IMAGE, { cmd: GRACEFUL_CMD });
    unsubscribe = driver.watch((event) => events.push(event));
    await driver.resync();
  });
  afterAll(() => unsubscribe());

  const next = (agentId: string, type: DriverEvent['type'], after = 0) =>
    eventually(
      () => events.slice(after).find((e) => e.agentId === agentId && e.type === type),
      `a ${type} event`,
    );

  it('docker stop, docker start and docker rm -f out of band', async () => {
    const target = makeTarget(IMAGE);
    await driver.provision(target, op('provision'));
    const name = driver.containerName(target.agentId);

    let mark = events.length;
    await dockerCli(['stop', '-t', '2', name]);
    expect(await next(target.agentId, 'exited', mark)).toEqual({
      type: 'exited',
      agentId: target.agentId,
      exitCode: 0,
    });
    // Not stopped by the driver: inspect calls it exited, not stopped.
    expect((await driver.inspect(target.agentId)).state).toBe('exited');

    mark = events.length;
    await dockerCli(['start', name]);
    expect(await next(target.agentId, 'started', mark)).toEqual({ type: 'started', agentId: target.agentId });

    mark = events.length;
    await dockerCli(['rm', '-f', name]);
    expect(await next(target.agentId, 'removed', mark)).toEqual({ type: 'removed', agentId: target.agentId });
    expect((await driver.inspect(target.agentId)).state).toBe('missing');
    // A later destroy of the vanished agent still succeeds (and removes its workspace).
    await driver.destroy(target, op('destroy'));
    expect(
      await dockerCli(['volume', 'ls', '-q', '--filter', `name=^${driver.volumeName(target.workspaceId)}$`]),
    ).toBe('');
  });

  it('an OOM kill is reported as exited with oom: true', async () => {
    const target = makeTarget(IMAGE, {
      revision: {
        id: 'rev_oom',
        image: IMAGE,
        config: {
          memoryBytes: 8 * 1024 * 1024,
          // Runs, then fills a shell variable with 64 MiB: the kernel OOM-kills it.
          cmd: ['/bin/sh', '-c', 'sleep 2; x=$(head -c 67108864 /dev/zero | tr "\\000" x); sleep 1000'],
        },
      },
    });
    const mark = events.length;
    await driver.provision(target, op('provision'));
    expect(await next(target.agentId, 'exited', mark)).toEqual({
      type: 'exited',
      agentId: target.agentId,
      exitCode: 137,
      oom: true,
    });
    await driver.destroy(target, op('destroy'));
  });

  it('HEALTHCHECK status becomes health events', async () => {
    const target = makeTarget(IMAGE, {
      revision: {
        id: 'rev_health',
        image: IMAGE,
        config: {
          healthcheck: { test: ['test', '-f', '/workspace/healthy'], intervalSeconds: 1, retries: 1 },
        },
      },
    });
    const mark = events.length;
    await driver.provision(target, op('provision'));
    expect(await next(target.agentId, 'health', mark)).toEqual({
      type: 'health',
      agentId: target.agentId,
      health: 'unhealthy',
    });
    expect((await driver.inspect(target.agentId)).health).toBe('unhealthy');
    const later = events.length;
    await execIn(driver.containerName(target.agentId), ['touch', '/workspace/healthy']);
    expect(await next(target.agentId, 'health', later)).toEqual({
      type: 'health',
      agentId: target.agentId,
      health: 'healthy',
    });
    expect((await driver.list()).find((x) => x.agentId === target.agentId)?.health).toBe('healthy');
    await driver.destroy(target, op('destroy'));
  });

  it('unsubscribing the last listener closes the stream; subscribing again reconnects', async () => {
    const quiet = createDockerDriver({ labels: { [RUN_LABEL]: runId } });
    const seen: DriverEvent[] = [];
    const target = makeTarget(IMAGE);
    try {
      await quiet.provision(target, op('provision'));
      const stop = quiet.watch((e) => seen.push(e));
      await quiet.resync();
      stop();
      await dockerCli(['kill', quiet.containerName(target.agentId)]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(seen).toEqual([]);
      const again = quiet.watch((e) => seen.push(e));
      await quiet.resync();
      await dockerCli(['start', quiet.containerName(target.agentId)]);
      expect(await eventually(() => seen.find((e) => e.type === 'started'), 'started')).toMatchObject({
        agentId: target.agentId,
      });
      again();
    } finally {
      await quiet.destroy(target, op('destroy'));
      await quiet.dispose();
    }
  });
});
