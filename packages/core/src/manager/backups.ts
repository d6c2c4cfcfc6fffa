/**
 * Backups of agents' workspaces: asking for one (a `backup` operation holding the agent's one
 * operation slot), the catalog per owner, deleting a finished one, and checking a backup a new
 * agent is restored from.
 *
 * How a backup fits the chart: it is not a transition. The agent keeps its status while the
 * backup runs; the backup takes the record's operation slot, so the chart's
 * `noOperationInFlight` guard refuses every other operator action (`OPERATION_IN_PROGRESS`)
 * until it ends, and `availableActions` shows it. Destroy is the exception, as for every
 * operation: it supersedes the backup (whose archive, if the driver finished it, is kept).
 *
 * @module
 */
import type { BackupRecord } from '../backup-record.js';
import type { BackupView, CatalogMethods } from '../catalog-types.js';
import { AgentNotFoundError, BerthError, toBerthError } from '../errors.js';
import type { AgentRecord, OperationRef } from '../record.js';
import { BackupBodySchema } from '../schemas/catalog.js';
import { parseInput } from '../schemas/parse.js';
import type { ManagerContext } from './context.js';
import { commitNote, refuse } from './note.js';
import { iso, newId, runtimeOf } from './records.js';

/** Runtime states whose workspace can be archived. */
const SETTLED: ReadonlySet<string | null> = new Set(['running', 'degraded', 'stopped', 'failed']);

/** A backup as callers see it. */
export function backupView(b: BackupRecord): BackupView {
  return {
    id: b.id,
    agentId: b.agentId,
    agentName: b.agentName,
    label: b.label,
    status: b.status,
    sizeBytes: b.sizeBytes,
    createdAt: iso(b.createdAt)!,
    finishedAt: iso(b.finishedAt),
    error: b.error,
  };
}

/** Why `r` cannot be backed up now, or null. */
function refusalOf(
  ctx: ManagerContext,
  r: AgentRecord,
): { code: 'ILLEGAL_TRANSITION' | 'OPERATION_IN_PROGRESS'; detail: string } | null {
  if (!ctx.caps?.backup) {
    return { code: 'ILLEGAL_TRANSITION', detail: `driver '${ctx.driverName}' cannot back up a workspace` };
  }
  if (r.kind !== 'managed') {
    return {
      code: 'ILLEGAL_TRANSITION',
      detail: "a self-hosted agent's workspace is not Berth's to back up",
    };
  }
  if (r.status === 'deleting' || r.status === 'deleted') {
    return { code: 'ILLEGAL_TRANSITION', detail: `cannot back up: the agent is ${r.status}` };
  }
  if (r.operation) {
    return {
      code: 'OPERATION_IN_PROGRESS',
      detail: `cannot back up: an operation is already in flight (${r.operation.op})`,
    };
  }
  if (!SETTLED.has(runtimeOf(r.state))) {
    return {
      code: 'ILLEGAL_TRANSITION',
      detail: `cannot back up: the agent has no workspace yet (${r.status})`,
    };
  }
  return null;
}

/** The backup `restoreFrom` names, checked for `owner`: it must exist and be completed. */
export async function restoreSource(ctx: ManagerContext, owner: string, backupId: string): Promise<string> {
  const b = await ctx.store.getBackup(backupId);
  if (!b || b.owner !== owner) throw new BerthError('BACKUP_NOT_FOUND', `no backup '${backupId}'`);
  if (b.status !== 'completed') {
    throw new BerthError(
      'BACKUP_NOT_READY',
      `backup '${backupId}' is ${b.status}: only a completed backup can be restored`,
    );
  }
  if (!ctx.caps?.restore) {
    throw new BerthError('ILLEGAL_TRANSITION', `driver '${ctx.driverName}' cannot restore a backup`);
  }
  return b.id;
}

/** The backup methods of a manager. */
export function backups(
  ctx: ManagerContext,
): Pick<CatalogMethods, 'createBackup' | 'listBackups' | 'deleteBackup'> {
  const { store, clock, policies, defaultOwner } = ctx;
  return {
    async createBackup(agentId, opts = {}) {
      const { label } = parseInput(BackupBodySchema, { label: opts.label }, 'backup');
      const actor = opts.actor ?? 'system';
      const backupId = newId('bkp');
      const operationId = newId('op');
      let backup: BackupRecord | null = null;
      const noted = await commitNote(ctx, agentId, async (r) => {
        if (opts.owner !== undefined && r.owner !== opts.owner) throw new AgentNotFoundError(agentId);
        const refusal = refusalOf(ctx, r);
        if (refusal)
          throw await refuse(ctx, r, {
            actor,
            action: 'backup',
            ...refusal,
            metadata: { label: label ?? null },
          });
        const now = clock.now();
        const op: OperationRef = {
          id: operationId,
          op: 'backup',
          action: 'backup',
          epoch: r.epoch + 1,
          actor,
          startedAt: now,
          deadline: now + policies.operationTimeoutMs,
          revisionId: null,
          runAt: null,
          backupId,
        };
        backup = {
          id: backupId,
          agentId: r.id,
          agentName: r.name,
          owner: r.owner,
          label: label ?? null,
          status: 'pending',
          sizeBytes: null,
          location: null,
          operationId,
          error: null,
          createdAt: now,
          finishedAt: null,
        };
        return {
          actor,
          action: 'backup',
          operationId,
          metadata: { backupId, label: label ?? null },
          patch: { operation: op, epoch: op.epoch },
          extra: { backups: [backup] },
        };
      });
      if (!noted || !backup) throw new AgentNotFoundError(agentId);
      ctx.launch(noted.record, noted.record.operation!);
      return { backup: backupView(backup), operation: { id: operationId, action: 'backup' } };
    },

    async listBackups(opts = {}) {
      const list = await store.listBackups({ owner: opts.owner ?? defaultOwner, agentId: opts.agentId });
      return list.map(backupView);
    },

    async deleteBackup(backupId, opts = {}) {
      const b = await store.getBackup(backupId);
      if (!b || (opts.owner !== undefined && b.owner !== opts.owner)) {
        throw new BerthError('BACKUP_NOT_FOUND', `no backup '${backupId}'`);
      }
      if (b.status === 'pending') {
        throw new BerthError(
          'OPERATION_IN_PROGRESS',
          `backup '${backupId}' is still being taken; delete it once it has ended`,
        );
      }
      // The archive first: if the driver fails, the entry stays and the delete can be retried.
      if (b.location !== null) await ctx.driver?.deleteBackup?.({ id: b.id, location: b.location });
      const outcome = await store.deleteBackup(b.owner, b.id);
      if (outcome === 'not_found') throw new BerthError('BACKUP_NOT_FOUND', `no backup '${backupId}'`);
      if (outcome === 'pending')
        throw new BerthError('OPERATION_IN_PROGRESS', `backup '${backupId}' is still being taken`);
      try {
        // On the trail of the agent it came from, while that agent's record exists.
        await commitNote(ctx, b.agentId, () => ({
          actor: opts.actor ?? 'system',
          action: 'backup_deleted',
          metadata: { backupId: b.id, label: b.label },
        }));
      } catch (error) {
        ctx.events.emit('error', toBerthError(error));
      }
    },
  };
}
