/**
 * Ownership: the driver acts only on containers that carry Berth's labels. A container that merely
 * has the agent's name is never stopped, removed or listed, and its name conflict is reported.
 */
import { DriverError } from '@berth/core';
import { beforeAll, expect, it } from 'vitest';
import { createDockerDriver, DOCKER_ERRORS, LABELS } from '../src/index.js';
import {
  buildTestImage,
  runScopedDriver,
  dockerCli,
  dockerDescribe,
  GRACEFUL_CMD,
  makeTarget,
  op,
  RUN_LABEL,
  runId,
} from './support/docker-env.js';

const describeDocker = await dockerDescribe();
const IMAGE = `berth-test/ownership:${runId}`;

describeDocker('ownership labels', () => {
  const driver = runScopedDriver();
  beforeAll(() => buildTestImage(IMAGE, { cmd: GRACEFUL_CMD }));

  it('a same-named container without labels is never touched', async () => {
    const target = makeTarget(IMAGE);
    const name = driver.containerName(target.agentId);
    // Someone else's container, at the very name the agent would get (the run label comes from the image).
    const foreignId = await dockerCli(['run', '-d', '--network', 'none', '--name', name, IMAGE]);

    const provision = await driver.provision(target, op('provision')).catch((e: unknown) => e);
    expect(provision).toBeInstanceOf(DriverError);
    expect(provision).toMatchObject({ driverCode: DOCKER_ERRORS.NAME_CONFLICT });

    expect((await driver.inspect(target.agentId)).state).toBe('missing');
    expect((await driver.list()).map((x) => x.agentId)).not.toContain(target.agentId);
    // Refused before anything was made: no workspace volume either.
    expect(
      await dockerCli(['volume', 'ls', '-q', '--filter', `name=^${driver.volumeName(target.workspaceId)}$`]),
    ).toBe('');
    await expect(driver.start(target, op('start'))).rejects.toMatchObject({
      driverCode: DOCKER_ERRORS.NOT_FOUND,
    });
    await driver.stop(target, op('stop'));
    await driver.destroy(target, op('destroy'));

    // Still there, still running, the same container.
    const after = JSON.parse(await dockerCli(['inspect', name]))[0];
    expect(after.Id).toBe(foreignId);
    expect(after.State.Running).toBe(true);
    await dockerCli(['rm', '-f', foreignId]);
  });

  it('a labelled container of another Berth scope is not this driver’s either', async () => {
    const other = createDockerDriver({ labels: { [RUN_LABEL]: runId, 'berth.tenant': 'other' } });
    const target = makeTarget(IMAGE);
    try {
      const made = await other.provision(target, op('provision'));
      // The plain driver sees containers of its own scope only (every one of its labels must match).
      const scoped = createDockerDriver({ labels: { [RUN_LABEL]: runId, 'berth.tenant': 'mine' } });
      expect((await scoped.inspect(target.agentId)).state).toBe('missing');
      await scoped.destroy(target, op('destroy'));
      expect((await other.inspect(target.agentId)).resourceId).toBe(made?.resourceId);
      await scoped.dispose();
    } finally {
      await other.destroy(target, op('destroy'));
      await other.dispose();
    }
  });

  it('containers and volumes carry the agent id, owner, operation id and managed labels', async () => {
    const target = makeTarget(IMAGE, { owner: 'globex' });
    const ctx = op('provision');
    try {
      await driver.provision(target, ctx);
      const info = JSON.parse(await dockerCli(['inspect', driver.containerName(target.agentId)]))[0];
      expect(info.Config.Labels).toMatchObject({
        [LABELS.managed]: 'true',
        [LABELS.agentId]: target.agentId,
        [LABELS.owner]: 'globex',
        [LABELS.operationId]: ctx.operationId,
        [LABELS.workspaceId]: target.workspaceId,
        [LABELS.revisionId]: target.revision.id,
      });
      const volume = JSON.parse(
        await dockerCli(['volume', 'inspect', driver.volumeName(target.workspaceId)]),
      )[0];
      expect(volume.Labels).toMatchObject({
        [LABELS.managed]: 'true',
        [LABELS.agentId]: target.agentId,
        [LABELS.workspaceId]: target.workspaceId,
      });
      expect((await driver.inspect(target.agentId)).owner).toBe('globex');
    } finally {
      await driver.destroy(target, op('destroy'));
    }
  });

  it('a same-named volume without labels is neither mounted nor removed', async () => {
    const target = makeTarget(IMAGE);
    const volume = driver.volumeName(target.workspaceId);
    await dockerCli(['volume', 'create', '--label', `${RUN_LABEL}=${runId}`, volume]);
    await expect(driver.provision(target, op('provision'))).rejects.toMatchObject({
      driverCode: DOCKER_ERRORS.NAME_CONFLICT,
    });
    await driver.destroy(target, op('destroy'));
    expect(await dockerCli(['volume', 'ls', '-q', '--filter', `name=^${volume}$`])).toBe(volume);
  });

  it('an agent id Docker cannot name is refused before anything is created', async () => {
    const target = makeTarget(IMAGE, { agentId: 'bad/id' });
    await expect(driver.provision(target, op('provision'))).rejects.toMatchObject({
      driverCode: DOCKER_ERRORS.INVALID_TARGET,
    });
  });
});
