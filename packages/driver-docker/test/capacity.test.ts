/**
 * Capacity: an optional limit of agents (labelled containers, running or stopped) per engine.
 * Beyond it, provision throws DriverError NO_CAPACITY and creates nothing.
 */
import { randomBytes } from 'node:crypto';
import { DriverError, NO_CAPACITY } from '@berth/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDockerDriver } from '../src/index.js';
import {
  buildTestImage,
  cleanupRun,
  dockerCli,
  dockerDescribe,
  GRACEFUL_CMD,
  makeTarget,
  op,
  RUN_LABEL,
  runId,
} from './support/docker-env.js';

const describeDocker = await dockerDescribe();
const IMAGE = `berth-test/capacity:${runId}`;

describeDocker('capacity', () => {
  beforeAll(() => buildTestImage(IMAGE, { cmd: GRACEFUL_CMD }));
  afterAll(() => cleanupRun());

  /** A driver that sees only its own agents (its own scope label). */
  const scoped = (capacity: number) =>
    createDockerDriver({
      labels: { [RUN_LABEL]: runId, 'berth.test-scope': randomBytes(4).toString('hex') },
      capacity,
      stopTimeoutSeconds: 2,
    });

  it('stopped agents keep their place; the next provision is refused with NO_CAPACITY', async () => {
    const driver = scoped(2);
    const [a, b, c] = [makeTarget(IMAGE), makeTarget(IMAGE), makeTarget(IMAGE)];
    try {
      await driver.provision(a, op('provision'));
      await driver.provision(b, op('provision'));
      await driver.stop(b, op('stop'));
      const refused = await driver.provision(c, op('provision')).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(DriverError);
      expect(refused).toMatchObject({ driverCode: NO_CAPACITY, meta: { capacity: 2, used: 2 } });
      expect((await driver.inspect(c.agentId)).state).toBe('missing');
      expect(
        await dockerCli(['volume', 'ls', '-q', '--filter', `name=^${driver.volumeName(c.workspaceId)}$`]),
      ).toBe('');
      // Rebuilding an agent that is already counted needs no extra room.
      await driver.redeploy(a, op('redeploy'));
      await driver.destroy(b, op('destroy'));
      await driver.provision(c, op('provision'));
      expect((await driver.inspect(c.agentId)).state).toBe('running');
    } finally {
      for (const t of [a, b, c]) await driver.destroy(t, op('destroy'));
      await driver.dispose();
    }
  });

  it('concurrent provisions never overshoot the capacity', async () => {
    const driver = scoped(1);
    const targets = [makeTarget(IMAGE), makeTarget(IMAGE), makeTarget(IMAGE)];
    try {
      const outcomes = await Promise.allSettled(targets.map((t) => driver.provision(t, op('provision'))));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes) {
        if (o.status === 'rejected') expect(o.reason).toMatchObject({ driverCode: NO_CAPACITY });
      }
      expect(await driver.list()).toHaveLength(1);
    } finally {
      for (const t of targets) await driver.destroy(t, op('destroy'));
      await driver.dispose();
    }
  });

  it('capacity 0 refuses every agent', async () => {
    const driver = scoped(0);
    const target = makeTarget(IMAGE);
    await expect(driver.provision(target, op('provision'))).rejects.toMatchObject({
      driverCode: NO_CAPACITY,
    });
    await driver.dispose();
  });
});
