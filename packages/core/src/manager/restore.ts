/**
 * Restoring a backup into a new agent: the first step of the provision of an agent created with
 * `restoreFrom`. The driver fills the workspace from the archive before it builds the runtime;
 * a missing archive or a driver without `restore` fails the provision (the agent is failed).
 *
 * @module
 */
import type { DriverTarget } from '../driver.js';
import { DriverError } from '../errors.js';
import type { OperationRef } from '../record.js';
import type { ManagerContext } from './context.js';

/** Fill `target`'s workspace from backup `backupId` (its own operation id: `<op>-restore`). */
export async function restoreWorkspace(
  ctx: ManagerContext,
  target: DriverTarget,
  op: OperationRef,
  backupId: string,
  signal: AbortSignal,
): Promise<void> {
  const { driver, store, driverName } = ctx;
  if (!driver?.restore) {
    throw new DriverError('UNSUPPORTED', `driver '${driverName}' cannot restore a backup`);
  }
  const backup = await store.getBackup(backupId);
  if (backup?.status !== 'completed') {
    throw new DriverError('BACKUP_MISSING', `backup ${backupId} is no longer in the catalog`);
  }
  await driver.restore(target, {
    operationId: `${op.id}-restore`,
    operation: 'restore',
    signal,
    backup: { id: backup.id, location: backup.location },
  });
}
