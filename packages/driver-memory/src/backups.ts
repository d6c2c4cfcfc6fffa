/**
 * The memory driver's workspace backups: each workspace holds files (text by path, written by
 * tests with `writeFile`), `backup` copies them into an archive kept by backup id, `restore`
 * fills a new workspace from one, `deleteBackup` drops it. Archives live in the process, like
 * every simulated resource.
 *
 * @module
 */
import {
  type BackupContext,
  type DriverBackupRef,
  type DriverBackupResult,
  DriverError,
  type DriverTarget,
} from '@berth/core';
import type { MemoryState } from './_internal/state.js';
import { run } from './contract.js';
import type { MemoryDriver } from './types.js';

/** Driver code of a restore whose archive is gone. */
export const BACKUP_MISSING = 'BACKUP_MISSING';

/** The backup methods and workspace files of the driver. */
export type MemoryBackups = Pick<
  MemoryDriver,
  'backup' | 'restore' | 'deleteBackup' | 'writeFile' | 'files' | 'archives'
>;

/** Bytes a tar archive of `files` would hold, roughly: a 512-byte header per file plus its padded content. */
function archiveSize(files: ReadonlyMap<string, string>): number {
  let size = 1024;
  for (const text of files.values()) size += 512 + Math.ceil(Buffer.byteLength(text) / 512) * 512;
  return size;
}

/** Backups over `state`. */
export function createBackups(state: MemoryState): MemoryBackups {
  const { files, archives, resources } = state;
  const workspaceOf = (agentId: string): string | undefined => resources.get(agentId)?.workspaceId;

  return {
    backup(target: DriverTarget, ctx: BackupContext): Promise<DriverBackupResult> {
      return run(state, 'backup', target.agentId, ctx.signal, () => {
        const workspaceId = workspaceOf(target.agentId) ?? target.workspaceId;
        const copy = new Map(files.get(workspaceId) ?? []);
        archives.set(ctx.backup.id, copy);
        return { location: `memory:${ctx.backup.id}`, sizeBytes: archiveSize(copy) };
      });
    },

    restore(target: DriverTarget, ctx: BackupContext) {
      return run(state, 'restore', target.agentId, ctx.signal, () => {
        const archive = archives.get(ctx.backup.id);
        if (archive === undefined) {
          throw new DriverError(BACKUP_MISSING, `memory driver: no archive for backup ${ctx.backup.id}`);
        }
        files.set(target.workspaceId, new Map(archive));
        return undefined;
      });
    },

    async deleteBackup(backup: DriverBackupRef) {
      archives.delete(backup.id);
    },

    writeFile(agentId, path, content) {
      const workspaceId = workspaceOf(agentId);
      if (workspaceId === undefined) throw new Error(`memory driver: ${agentId} has no workspace`);
      let map = files.get(workspaceId);
      if (!map) {
        map = new Map();
        files.set(workspaceId, map);
      }
      map.set(path, content);
    },

    files(agentId) {
      const workspaceId = workspaceOf(agentId);
      return Object.fromEntries(workspaceId === undefined ? [] : (files.get(workspaceId) ?? []));
    },

    archives() {
      return [...archives.keys()];
    },
  };
}
