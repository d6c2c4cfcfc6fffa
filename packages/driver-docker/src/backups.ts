/**
 * The Docker driver's workspace backups. A backup is a tar archive of the workspace volume, read
 * through a short-lived helper container that mounts the volume and is never started (network
 * mode `none`, Docker's archive API does the reading), written to `<backupDir>/<backupId>.tar`
 * (a temporary file renamed into place, so an archive is whole or absent). A restore makes the
 * new agent's labelled workspace volume and writes the archive into it the same way, before
 * provision mounts it.
 *
 * @module
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  type BackupContext,
  type DriverBackupRef,
  type DriverBackupResult,
  DriverError,
  type DriverTarget,
} from '@berth/core';
import type { Engine } from './engine.js';
import { DOCKER_ERRORS, engineStatus, toDriverError } from './errors.js';
import { LABELS } from './labels.js';
import type { Volumes } from './volumes.js';

/** Driver code of a restore whose archive is not in the backup directory. */
export const BACKUP_MISSING = 'BACKUP_MISSING';

/** The backup operations over one engine. */
export function createBackups(engine: Engine, volumes: Volumes) {
  const { docker, opts, volumeOf, call } = engine;
  const fileOf = (id: string) => join(opts.backupDir, `${basename(id)}.tar`);
  const where = opts.workspacePath;

  /** Run `work` on a helper container that mounts the target's workspace volume; always removed. */
  async function withHelper<T>(
    target: DriverTarget,
    ctx: BackupContext,
    work: (helper: ReturnType<ReturnType<Engine['docker']>['getContainer']>) => Promise<T>,
  ): Promise<T> {
    const name = `${opts.namePrefix}${ctx.operation}-${basename(ctx.operationId)}`;
    await removeHelper(name); // a leftover of an interrupted attempt with this operation id
    if (ctx.signal.aborted) {
      throw new DriverError(DOCKER_ERRORS.ABORTED, `${ctx.operation} aborted before its helper was created`, {
        cause: ctx.signal.reason,
      });
    }
    const created = await call(`create ${ctx.operation} helper ${name}`, () =>
      docker().createContainer({
        name,
        Image: target.revision.image,
        Cmd: ['true'],
        Labels: { ...opts.labels, [LABELS.helper]: ctx.operation },
        NetworkDisabled: true,
        HostConfig: {
          NetworkMode: 'none',
          Mounts: [{ Type: 'volume', Source: volumeOf(target.workspaceId), Target: where }],
        },
      }),
    );
    try {
      return await work(docker().getContainer(created.id));
    } finally {
      await removeHelper(name);
    }
  }

  async function removeHelper(name: string): Promise<void> {
    try {
      await docker().getContainer(name).remove({ force: true });
    } catch (error) {
      if (engineStatus(error) !== 404) throw toDriverError(error, `remove helper ${name}`);
    }
  }

  async function volumeExists(name: string): Promise<boolean> {
    try {
      await docker().getVolume(name).inspect();
      return true;
    } catch (error) {
      if (engineStatus(error) === 404) return false;
      throw toDriverError(error, `inspect volume ${name}`);
    }
  }

  return {
    /** Archive the workspace volume into `<backupDir>/<backupId>.tar` (an existing archive of that backup is the answer). */
    async backup(target: DriverTarget, ctx: BackupContext): Promise<DriverBackupResult> {
      const file = fileOf(ctx.backup.id);
      const existing = await stat(file).catch(() => null);
      if (existing) return { location: basename(file), sizeBytes: existing.size };
      const volume = volumeOf(target.workspaceId);
      if (!(await volumeExists(volume))) {
        throw new DriverError(
          DOCKER_ERRORS.NOT_FOUND,
          `agent ${target.agentId} has no workspace volume ${volume}`,
        );
      }
      await mkdir(dirname(file), { recursive: true });
      const partial = `${file}.${basename(ctx.operationId)}.partial`;
      try {
        await withHelper(target, ctx, async (helper) => {
          const archive = await call(`read workspace ${volume}`, () => helper.getArchive({ path: where }));
          await pipeline(archive, createWriteStream(partial), { signal: ctx.signal });
        });
        await rename(partial, file);
      } finally {
        await rm(partial, { force: true });
      }
      return { location: basename(file), sizeBytes: (await stat(file)).size };
    },

    /** Make the target's workspace volume and write the archive into it. */
    async restore(target: DriverTarget, ctx: BackupContext): Promise<undefined> {
      const file = fileOf(
        ctx.backup.location === null ? ctx.backup.id : basename(ctx.backup.location, '.tar'),
      );
      if (!(await stat(file).catch(() => null))) {
        throw new DriverError(BACKUP_MISSING, `no archive for backup ${ctx.backup.id} in ${opts.backupDir}`);
      }
      await volumes.ensureVolume(target);
      await withHelper(target, ctx, (helper) =>
        call(`write workspace ${volumeOf(target.workspaceId)}`, () =>
          helper.putArchive(createReadStream(file), { path: dirname(where) }),
        ),
      );
      return undefined;
    },

    /** Remove a backup's archive (a missing one is fine). */
    async deleteBackup(backup: DriverBackupRef): Promise<void> {
      await rm(fileOf(backup.location === null ? backup.id : basename(backup.location, '.tar')), {
        force: true,
      });
    },
  };
}
