/**
 * Backup and restore of a workspace: an archive taken from a running agent (which keeps
 * running), once per operation id, and restored into a new agent that then provisions and runs.
 *
 * @module
 */
import { expect } from 'vitest';
import type { BackupContext, DriverBackupRef } from '../../driver.js';
import { defineArea, freshOp, uniqueId } from '../_internal/area.js';
import { expectState } from '../_internal/checks.js';

/** A backup or restore context for `backup` (a fresh operation id unless one is given). */
function backupOp(
  operation: 'backup' | 'restore',
  backup: DriverBackupRef,
  operationId?: string,
): BackupContext {
  return { ...freshOp('start', operationId), operation, backup };
}

const newBackup = (): DriverBackupRef => ({ id: `bkp_kit_${uniqueId()}`, location: null });

/** The backup area (needs the `backup` capability). */
export const backupArea = defineArea('backup', 'backup', {
  'backup of a running agent answers a location and a size, and the agent keeps running': async ({
    driver,
    kit,
  }) => {
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    const result = await driver.backup!(target, backupOp('backup', newBackup()));
    expect(typeof result.location, 'location').toBe('string');
    expect(result.location.length, 'location').toBeGreaterThan(0);
    expect(Number.isInteger(result.sizeBytes) && result.sizeBytes > 0, 'sizeBytes').toBe(true);
    await expectState(driver, target.agentId, 'running');
  },

  'backup of a stopped agent works and leaves it stopped': async ({ driver, kit }) => {
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    await driver.stop(target, kit.op('stop'));
    const result = await driver.backup!(target, backupOp('backup', newBackup()));
    expect(result.sizeBytes).toBeGreaterThan(0);
    const seen = await driver.inspect(target.agentId);
    expect(['stopped', 'exited'], `state after backup: ${seen.state}`).toContain(seen.state);
  },

  'backup repeated with the same operation id answers the same archive': async ({ driver, kit }) => {
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    const backup = newBackup();
    const first = await driver.backup!(target, backupOp('backup', backup));
    const operationId = `op_kit_${uniqueId()}`;
    const a = await driver.backup!(
      target,
      backupOp('backup', { ...newBackup(), id: backup.id }, operationId),
    );
    const b = await driver.backup!(
      target,
      backupOp('backup', { ...newBackup(), id: backup.id }, operationId),
    );
    expect(b.location).toBe(a.location);
    expect(a.location).toBe(first.location);
  },
});

/** The restore area (needs the `restore` capability, and `backup` to have something to restore). */
export const restoreArea = defineArea('restore', 'restore', {
  'a backup restored into a new agent: it provisions and runs': async ({ driver, kit }) => {
    const source = kit.target();
    await driver.provision(source, kit.op('provision'));
    const backup = newBackup();
    const taken = await driver.backup!(source, backupOp('backup', backup));
    const target = kit.target();
    await driver.restore!(target, backupOp('restore', { id: backup.id, location: taken.location }));
    await driver.provision(target, kit.op('provision'));
    await expectState(driver, target.agentId, 'running');
  },

  'restoring an unknown backup fails with a DriverError': async ({ driver, kit }) => {
    const target = kit.target();
    const error = await driver.restore!(
      target,
      backupOp('restore', { id: `bkp_kit_${uniqueId()}`, location: `missing-${uniqueId()}` }),
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error, 'restore of a backup that does not exist must fail').toBeInstanceOf(Error);
    expect((error as { code?: string }).code).toBe('DRIVER_ERROR');
  },
});
