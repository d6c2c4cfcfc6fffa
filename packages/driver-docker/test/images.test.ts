/**
 * Image resolution: containers are pinned to image ids; redeploy resolves the tag again (a locally
 * rebuilt `:latest` is picked up); rollback runs the image id recorded in a revision; a missing
 * image fails before the running container is touched.
 */
import { createLifecycleManager } from '@berth/core';
import { expect, it } from 'vitest';
import { createDockerDriver, DOCKER_ERRORS } from '../src/index.js';
import {
  buildTestImage,
  runScopedDriver,
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
const LATEST = `berth-test/app-${runId}:latest`;

describeDocker('image resolution', () => {
  const driver = runScopedDriver();

  const version = async (agentId: string) =>
    (await execIn(driver.containerName(agentId), ['cat', '/version'])).trim();
  const revision = (target: ReturnType<typeof makeTarget>, id: string, image: string) => ({
    ...target,
    revision: { id, image, config: {} },
  });

  it('redeploy picks up a rebuilt :latest; rollback runs the recorded image id', async () => {
    const v1 = await buildTestImage(LATEST, { cmd: GRACEFUL_CMD, files: { version: 'one\n' } });
    const target = makeTarget(LATEST);
    const provisioned = await driver.provision(target, op('provision'));
    expect(provisioned?.resolvedImage, 'provision reports the image id it resolved').toBe(v1);
    expect(await version(target.agentId)).toBe('one');

    // Rebuild the same tag locally: the running container keeps its image id…
    const v2 = await buildTestImage(
      LATEST,
      { cmd: GRACEFUL_CMD, files: { version: 'two\n' } },
      { rebuild: true },
    );
    expect(v2).not.toBe(v1);
    await driver.restart(target, op('restart'));
    expect(await version(target.agentId), 'restart keeps the image the container was built from').toBe('one');

    // …and redeploy resolves the tag again.
    const redeployed = await driver.redeploy(revision(target, 'rev_2', LATEST), op('redeploy'));
    expect(redeployed.resolvedImage).toBe(v2);
    expect(await version(target.agentId)).toBe('two');
    const inspected = JSON.parse(await dockerCli(['inspect', driver.containerName(target.agentId)]))[0];
    expect(inspected.Image).toBe(v2);

    // Rollback: the manager hands over the image id recorded in the old revision.
    const rolledBack = await driver.redeploy(revision(target, 'rev_3', v1), op('redeploy'));
    expect(rolledBack.resolvedImage).toBe(v1);
    expect(await version(target.agentId)).toBe('one');

    await driver.destroy(target, op('destroy'));
  });

  it('a missing image fails with IMAGE_NOT_FOUND and leaves the running container alone', async () => {
    const image = await buildTestImage(`berth-test/present:${runId}`, { cmd: GRACEFUL_CMD });
    const target = makeTarget(image);
    const made = await driver.provision(target, op('provision'));
    const outcome = await driver
      .redeploy(revision(target, 'rev_missing', `berth-test/absent:${runId}`), op('redeploy'))
      .catch((e: unknown) => e);
    expect(outcome).toMatchObject({ code: 'DRIVER_ERROR', driverCode: DOCKER_ERRORS.IMAGE_NOT_FOUND });
    const after = await driver.inspect(target.agentId);
    expect(after).toMatchObject({ state: 'running', resourceId: made?.resourceId });

    const fresh = makeTarget(`berth-test/absent:${runId}`);
    await expect(driver.provision(fresh, op('provision'))).rejects.toMatchObject({
      driverCode: DOCKER_ERRORS.IMAGE_NOT_FOUND,
    });
    expect((await driver.inspect(fresh.agentId)).state).toBe('missing');
    await driver.destroy(target, op('destroy'));
    await driver.destroy(fresh, op('destroy'));
  });

  it('through the manager: redeploy records the new image id, rollback goes back to the old one', async () => {
    const tag = `berth-test/managed-${runId}:latest`;
    const v1 = await buildTestImage(tag, { cmd: GRACEFUL_CMD, files: { version: 'one\n' } });
    // Its own driver: closing the manager disposes the driver it was given.
    const own = createDockerDriver({ labels: { [RUN_LABEL]: runId }, stopTimeoutSeconds: 2 });
    const m = createLifecycleManager({
      driver: own,
      defaultImage: tag,
      policies: { heartbeatTimeoutMs: 3_600_000 },
    });
    try {
      const agent = await m.create({ name: 'versions' });
      await m.waitFor(agent.id, 'running', { timeout: 30_000 });
      const v2 = await buildTestImage(
        tag,
        { cmd: GRACEFUL_CMD, files: { version: 'two\n' } },
        { rebuild: true },
      );
      await m.dispatch(agent.id, 'redeploy');
      await m.waitFor(agent.id, (a) => a.status === 'running' && a.operation === null, { timeout: 30_000 });
      expect(await version(agent.id)).toBe('two');

      const revisions = await m.revisions(agent.id);
      expect(revisions.map((r) => r.resolvedImage)).toEqual([v1, v2]);
      await m.dispatch(agent.id, 'rollback', { revision: revisions[0]!.id });
      await m.waitFor(agent.id, (a) => a.status === 'running' && a.operation === null, { timeout: 30_000 });
      expect(await version(agent.id), 'the old image id, although the tag moved on').toBe('one');
      expect((await m.revisions(agent.id)).at(-1)?.resolvedImage).toBe(v1);

      await m.dispatch(agent.id, 'destroy', { confirm: 'versions' });
      await m.waitFor(agent.id, 'deleted', { timeout: 30_000 });
    } finally {
      await m.close();
    }
  });
});
