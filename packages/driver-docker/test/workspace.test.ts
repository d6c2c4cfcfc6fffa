/**
 * The workspace: a named volume kept across stop, start, restart, redeploy and recreate (each of
 * which may replace the container), removed by destroy.
 */
import { beforeAll, expect, it } from 'vitest';
import { createDockerDriver } from '../src/index.js';
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
const IMAGE = `berth-test/workspace:${runId}`;

describeDocker('workspace volume', () => {
  const driver = runScopedDriver();
  beforeAll(() => buildTestImage(IMAGE, { cmd: GRACEFUL_CMD }));

  const read = async (agentId: string) =>
    (await execIn(driver.containerName(agentId), ['cat', '/workspace/notes.txt'])).trim();
  const volumeExists = async (name: string) =>
    (await dockerCli(['volume', 'ls', '-q', '--filter', `name=^${name}$`])) === name;

  it('survives stop/start, restart, redeploy and recreate, and destroy removes it', async () => {
    const target = makeTarget(IMAGE);
    const first = await driver.provision(target, op('provision'));
    await execIn(driver.containerName(target.agentId), ['sh', '-c', 'echo kept > /workspace/notes.txt']);

    await driver.stop(target, op('stop'));
    await driver.start(target, op('start'));
    expect(await read(target.agentId)).toBe('kept');

    await driver.restart(target, op('restart'));
    expect(await read(target.agentId)).toBe('kept');

    const next = { ...target, revision: { ...target.revision, id: `${target.revision.id}-2` } };
    const redeployed = await driver.redeploy(next, op('redeploy'));
    expect(redeployed.resourceId, 'redeploy builds a new container').not.toBe(first?.resourceId);
    expect(await read(target.agentId)).toBe('kept');

    const rotated = { ...next, credentials: { agentId: target.agentId, agentToken: 'tok_rotated' } };
    const recreated = await driver.recreate(rotated, op('recreate'));
    expect(recreated.resourceId).not.toBe(redeployed.resourceId);
    expect(await read(target.agentId)).toBe('kept');

    const volume = driver.volumeName(target.workspaceId);
    expect(await volumeExists(volume)).toBe(true);
    await driver.destroy(rotated, op('destroy'));
    expect(await volumeExists(volume)).toBe(false);
  });

  it('destroy finds the workspace by its labels when the target does not name it', async () => {
    const target = makeTarget(IMAGE);
    await driver.provision(target, op('provision'));
    // What the manager hands over when cleaning up an orphan: no workspace id, no record.
    await driver.destroy({ ...target, workspaceId: '' }, op('destroy'));
    expect(await volumeExists(driver.volumeName(target.workspaceId))).toBe(false);
    expect((await driver.inspect(target.agentId)).state).toBe('missing');
  });

  it('the container mounts the workspace where BERTH_WORKSPACE says', async () => {
    const custom = createDockerDriver({ labels: { [RUN_LABEL]: runId }, workspacePath: '/data' });
    const target = makeTarget(IMAGE);
    try {
      await custom.provision(target, op('provision'));
      const env = await execIn(custom.containerName(target.agentId), [
        'sh',
        '-c',
        'echo $BERTH_WORKSPACE; pwd',
      ]);
      expect(env.trim().split('\n')).toEqual(['/data', '/data']);
      const mounts = JSON.parse(
        await dockerCli(['inspect', '--format', '{{json .Mounts}}', custom.containerName(target.agentId)]),
      );
      expect(mounts).toEqual([
        expect.objectContaining({
          Type: 'volume',
          Name: custom.volumeName(target.workspaceId),
          Destination: '/data',
        }),
      ]);
    } finally {
      await custom.destroy(target, op('destroy'));
      await custom.dispose();
    }
  });
});
