/**
 * The backup operation: a driver call that archives an agent's workspace while it holds the
 * agent's one operation slot (no status changes), and its outcome: the catalog entry completes
 * or fails together with the audit entry that frees the slot. A backup whose slot was taken over
 * (destroy superseded it) or whose agent is gone still records its outcome in the catalog.
 *
 * @module
 */
import type { BackupRecord } from '../backup-record.js';
import type { DriverBackupResult } from '../driver.js';
import { AgentNotFoundError, type BerthError, DriverError } from '../errors.js';
import type { AgentRecord, DriverOperation, OperationRef } from '../record.js';
import { runInBackground } from './background-run.js';
import type { ManagerContext } from './context.js';
import { commitNote } from './note.js';
import { buildTarget } from './operations.js';

/** True for an operation of the chart (a backup is launched and finished here instead). */
export const isChartOperation = (op: OperationRef): op is OperationRef & { readonly op: DriverOperation } =>
  op.op !== 'backup';

/** Start the driver call of a committed backup operation (once per operation id). */
export function launchBackup(ctx: ManagerContext, r: AgentRecord, op: OperationRef): void {
  const { driver, launched } = ctx;
  if (ctx.state.closed || launched.has(op.id)) return;
  const backupId = op.backupId ?? '';
  runInBackground(
    ctx,
    r,
    op,
    async (signal): Promise<DriverBackupResult> => {
      if (!driver?.backup) {
        throw new DriverError('UNSUPPORTED', `driver '${ctx.driverName}' cannot back up a workspace`);
      }
      const target = await buildTarget(ctx, r, op);
      return driver.backup(target, {
        operationId: op.id,
        operation: 'backup',
        signal,
        backup: { id: backupId, location: null },
      });
    },
    (failure, result) => finishBackup(ctx, r.id, op, failure, result),
  );
}

/**
 * Record a backup's outcome: with the audit entry that frees the agent's operation slot when
 * the agent still holds this operation, or in the catalog alone (fenced) when it does not.
 */
export async function finishBackup(
  ctx: ManagerContext,
  agentId: string,
  op: OperationRef,
  failure: BerthError | null,
  result: DriverBackupResult | undefined,
): Promise<void> {
  const { store, clock, events, driverName } = ctx;
  const stored = op.backupId === undefined ? null : await store.getBackup(op.backupId);
  const error = failure
    ? { code: failure instanceof DriverError ? failure.driverCode : failure.code, message: failure.message }
    : null;
  const finished: BackupRecord | null = stored && {
    ...stored,
    status: failure ? 'failed' : 'completed',
    sizeBytes: failure ? null : (result?.sizeBytes ?? null),
    location: failure ? null : (result?.location ?? null),
    error,
    finishedAt: clock.now(),
  };
  let noted = null;
  try {
    noted = await commitNote(ctx, agentId, (r) =>
      r.operation?.id !== op.id
        ? null
        : {
            actor: `driver:${driverName}`,
            action: failure ? 'op_failed' : 'op_succeeded',
            operationId: op.id,
            metadata: failure
              ? { op: 'backup', backupId: op.backupId ?? null, error }
              : { op: 'backup', backupId: op.backupId ?? null, sizeBytes: finished?.sizeBytes ?? null },
            patch: { operation: null },
            extra: finished ? { backups: [finished] } : {},
          },
    );
  } catch (e) {
    if (!(e instanceof AgentNotFoundError)) throw e;
  }
  // Fenced (or the agent is gone): the catalog still learns how the backup ended, once.
  if (!noted && finished && stored?.status === 'pending') {
    const latest = await store.getBackup(finished.id);
    if (latest?.status === 'pending') await store.putBackup(finished);
  }
  events.emit('operation', {
    agentId,
    operationId: op.id,
    op: 'backup',
    phase: noted ? (failure ? 'failed' : 'succeeded') : 'fenced',
    error: error ?? undefined,
  });
}
