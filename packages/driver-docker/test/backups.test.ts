/**
 * Workspace backups on a real Docker Engine: a file written in the agent's workspace comes back
 * in a new agent restored from the backup (after the first agent and its volume are gone), the
 * archive is a tar file in the backup directory, the helper containers leave nothing behind, and
 * a deleted or unknown archive cannot be restored.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackupContext } from '@berth/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  buildTestImage,
  dockerCli,
  dockerDescribe,
  execIn,
  GRACEFUL_CMD,
  makeTarget,
  op,
  RUN_LABEL,
  runId,
  runScopedDriver,
} from './support/docker-env.js';

const describeDocker = await dockerDescribe();
const IMAGE = `berth-test/backups:${runId}`;
const backupDir = await mkdtemp(join(tmpdir(), 'berth-backups-'));

const ctxOf = (
  operation: 'backup' | 'restore',
  id: string,
  location: string | null = null,
): BackupContext => ({
  ...op('start'),
  operation,
  backup: { id, location },
});

describeDocker('workspace backups', () => {
  const driver = runScopedDriver({ backupDir });
  beforeAll(() => buildTestImage(IMAGE, { cmd: GRACEFUL_CMD }));
  afterAll(() => rm(backupDir, { recursive: true, force: true }));

  it('a backup restored into a new agent brings the workspace back, after the first agent is gone', async () => {
    const source = makeTarget(IMAGE);
    await driver.provision(source, op('provision'));
    await execIn(driver.containerName(source.agentId), [
      'sh',
      '-c',
      'mkdir -p /workspace/deep && echo kept > /workspace/notes.txt && echo nested > /workspace/deep/a.txt',
    ]);
    const id = `bkp_t_${runId.replace(/[^a-z0-9]/g, '')}`;
    const taken = await driver.backup(source, ctxOf('backup', id));
    expect(taken.location).toBe(`${id}.tar`);
    const onDisk = await stat(join(backupDir, taken.location));
    expect(taken.sizeBytes).toBe(onDisk.size);
    expect(taken.sizeBytes).toBeGreaterThan(1024);
    expect((await driver.inspect(source.agentId)).state).toBe('running');
    expect(await readdir(backupDir)).toEqual([taken.location]); // no partial file left
    // No helper container outlives its call.
    expect(
      await dockerCli([
        'ps',
        '-aq',
        '--filter',
        `label=${RUN_LABEL}=${runId}`,
        '--filter',
        'label=berth.helper',
      ]),
    ).toBe('');

    await driver.destroy(source, op('destroy'));
    const restored = makeTarget(IMAGE);
    await driver.restore(restored, ctxOf('restore', id, taken.location));
    await driver.provision(restored, op('provision'));
    const container = driver.containerName(restored.agentId);
    expect((await execIn(container, ['cat', '/workspace/notes.txt'])).trim()).toBe('kept');
    expect((await execIn(container, ['cat', '/workspace/deep/a.txt'])).trim()).toBe('nested');
    await driver.destroy(restored, op('destroy'));

    await driver.deleteBackup({ id, location: taken.location });
    expect(await readdir(backupDir)).toEqual([]);
    const error = await driver
      .restore(makeTarget(IMAGE), ctxOf('restore', id, taken.location))
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'DRIVER_ERROR', driverCode: 'BACKUP_MISSING' });
  });

  it('a backup of an agent without a workspace volume fails as NOT_FOUND and writes nothing', async () => {
    const error = await driver.backup(makeTarget(IMAGE), ctxOf('backup', 'bkp_t_none')).catch((e) => e);
    expect(error).toMatchObject({ code: 'DRIVER_ERROR', driverCode: 'NOT_FOUND' });
    expect(await readdir(backupDir)).toEqual([]);
  });
});
