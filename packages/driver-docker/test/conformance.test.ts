/**
 * The driver conformance kit from `@berth/core/testing`, unchanged, against a real Docker Engine,
 * plus the out-of-band change the kit leaves to each driver: `docker kill` reaches `watch`.
 */
import { randomBytes } from 'node:crypto';
import type { DriverEvent } from '@berth/core';
import { testDriver } from '@berth/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDockerDriver, type DockerDriver } from '../src/index.js';
import {
  buildTestImage,
  cleanupRun,
  dockerCli,
  dockerDescribe,
  eventually,
  GRACEFUL_CMD,
  leftovers,
  RUN_LABEL,
  runId,
} from './support/docker-env.js';

const describeDocker = await dockerDescribe();
const IMAGE = `berth-test/conformance:${runId}`;
const labels = { [RUN_LABEL]: runId };

describeDocker('docker driver', () => {
  beforeAll(async () => {
    await buildTestImage(IMAGE, { cmd: GRACEFUL_CMD });
  });
  afterAll(async () => {
    try {
      // The kit destroyed every agent it made: nothing of this run may be left.
      expect(await leftovers()).toEqual({ containers: [], volumes: [] });
    } finally {
      await cleanupRun();
    }
  });

  testDriver({
    name: 'docker',
    image: IMAGE,
    timeoutMs: 60_000,
    // Host networking, so the driver declares endpoints and the kit's endpoints area runs too
    // (on network mode none an agent is reachable nowhere, and that area would be skipped).
    createDriver: () => createDockerDriver({ labels, stopTimeoutSeconds: 5, networkMode: 'host' }),
    // Each capacity-limited driver gets a scope label of its own, so it counts only its own agents.
    createDriverWithCapacity: (capacity) =>
      createDockerDriver({
        labels: { ...labels, 'berth.test-scope': randomBytes(4).toString('hex') },
        capacity,
        stopTimeoutSeconds: 5,
        networkMode: 'host',
      }),
    additionalTests: (kit) => {
      it('watch reports a docker kill of a running agent as exited with its exit code', async () => {
        const driver = kit.driver() as DockerDriver;
        const target = kit.target();
        await driver.provision(target, kit.op('provision'));
        const events: DriverEvent[] = [];
        const unsubscribe = driver.watch((event) => events.push(event));
        try {
          await driver.resync(); // the baseline: the agent is known to run
          await dockerCli(['kill', driver.containerName(target.agentId)]);
          const exited = await eventually(
            () => events.find((e) => e.type === 'exited' && e.agentId === target.agentId),
            'an exited event',
          );
          expect(exited).toEqual({ type: 'exited', agentId: target.agentId, exitCode: 137 });
          expect((await driver.inspect(target.agentId)).state).toBe('exited');
        } finally {
          unsubscribe();
        }
      });

      it("the driver's own operations are not reported as out-of-band changes", async () => {
        const driver = kit.driver() as DockerDriver;
        const events: DriverEvent[] = [];
        const unsubscribe = driver.watch((event) => events.push(event));
        const target = kit.target();
        try {
          await driver.resync();
          await driver.provision(target, kit.op('provision'));
          await driver.stop(target, kit.op('stop'));
          await driver.start(target, kit.op('start'));
          await driver.restart(target, kit.op('restart'));
          await driver.redeploy(target, kit.op('redeploy'));
          await driver.destroy(target, kit.op('destroy'));
          // Then an out-of-band change on another agent: once it is seen, every earlier event has been too.
          const marker = kit.target();
          await driver.provision(marker, kit.op('provision'));
          await driver.resync();
          await dockerCli(['rm', '-f', driver.containerName(marker.agentId)]);
          await eventually(
            () => events.find((e) => e.type === 'removed' && e.agentId === marker.agentId),
            'the removed event of the marker agent',
          );
          expect(events.filter((e) => e.agentId === target.agentId)).toEqual([]);
        } finally {
          unsubscribe();
        }
      });
    },
  });
});
