/**
 * `berth backups`: the backup catalog — list it (all, or one agent's), back an agent up,
 * restore a backup into a new agent, delete one.
 *
 * @module
 */
import { noMorePositionals, parseSeconds, requirePositional } from '../args.js';
import type { BackupView } from '../catalog-client.js';
import type { Verb, VerbContext } from '../context.js';
import { CliError, EXIT, usageError } from '../exit-codes.js';
import { paintStatus, relativeTime, table } from '../output.js';

const SUBS = ['list', 'create', 'restore', 'delete'] as const;

/** `1.2 MB`, `512 B`. */
export function bytes(n: number | null): string {
  if (n === null) return '-';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

function printBackups(ctx: VerbContext, backups: readonly BackupView[], empty: string): void {
  if (backups.length === 0) {
    ctx.print(empty);
    return;
  }
  const rows = backups.map((b) => [
    b.id,
    b.agentName,
    b.agentId,
    b.label ?? '-',
    b.status === 'completed'
      ? ctx.paint('green', b.status)
      : b.status === 'failed'
        ? ctx.paint('red', b.status)
        : b.status,
    bytes(b.sizeBytes),
    relativeTime(b.createdAt),
  ]);
  ctx.io.stdout.write(
    table(['ID', 'AGENT', 'AGENT ID', 'LABEL', 'STATUS', 'SIZE', 'CREATED'], rows, ctx.paint),
  );
}

/** Poll the agent's backups until `id` is no longer pending (or the timeout passes). */
async function settle(
  ctx: VerbContext,
  agentId: string,
  id: string,
  timeoutSeconds: number,
): Promise<BackupView> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const found = (await ctx.client.listBackups(agentId, { signal: ctx.signal })).find((b) => b.id === id);
    if (found === undefined)
      throw new CliError(EXIT.NOT_FOUND, 'BACKUP_NOT_FOUND', `backup ${id} disappeared`);
    if (found.status !== 'pending') return found;
    if (Date.now() > deadline) {
      throw new CliError(EXIT.TIMEOUT, 'TIMEOUT', `backup ${id} is still pending after ${timeoutSeconds} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The backup sub-commands. */
export const backupsVerb: Verb = async (ctx) => {
  const sub = ctx.args.positionals[0] ?? 'list';
  if (!(SUBS as readonly string[]).includes(sub)) {
    throw usageError(`unknown backups sub-command '${sub}' (try: berth backups ${SUBS.join('|')})`);
  }
  const { flags } = ctx.args;
  const signal = ctx.signal;
  if (sub === 'list') {
    const agentId = ctx.args.positionals[1];
    noMorePositionals(ctx.args, 2);
    const backups = await ctx.client.listBackups(agentId, { signal });
    if (ctx.json) ctx.printJson({ backups });
    else
      printBackups(
        ctx,
        backups,
        agentId
          ? 'No backups of this agent.'
          : 'No backups yet. Take one with: berth backups create <agent-id>',
      );
    return EXIT.OK;
  }
  if (sub === 'create') {
    const agentId = requirePositional(ctx.args, 1, 'an agent id');
    noMorePositionals(ctx.args, 2);
    const started = await ctx.client.createBackup(agentId, { label: flags.label }, { signal });
    const backup = flags.wait
      ? await settle(ctx, agentId, started.backup.id, parseSeconds(flags.timeout, 'timeout', 600))
      : started.backup;
    if (ctx.json) ctx.printJson({ backup, operation: started.operation });
    else
      ctx.print(
        `${backup.id}  ${paintStatus(ctx.paint, backup.status)}${backup.sizeBytes === null ? '' : `  ${bytes(backup.sizeBytes)}`}`,
      );
    return backup.status === 'failed' ? EXIT.OPERATION_FAILED : EXIT.OK;
  }
  if (sub === 'restore') {
    const backupId = requirePositional(ctx.args, 1, 'a backup id');
    noMorePositionals(ctx.args, 2);
    if (flags.name === undefined) throw usageError("'backups restore' needs --name <name> for the new agent");
    const agent = await ctx.client.createAgent(
      { name: flags.name, restoreFrom: backupId, ...(flags.owner ? { owner: flags.owner } : {}) },
      { signal },
    );
    if (ctx.json) ctx.printJson(agent);
    else
      ctx.print(
        `${agent.id}  ${agent.name}  ${paintStatus(ctx.paint, agent.status)}  (restored from ${backupId})`,
      );
    return EXIT.OK;
  }
  const backupId = requirePositional(ctx.args, 1, 'a backup id');
  noMorePositionals(ctx.args, 2);
  await ctx.client.deleteBackup(backupId, { signal });
  if (ctx.json) ctx.printJson({ deleted: backupId });
  else ctx.print(`Deleted backup ${backupId}.`);
  return EXIT.OK;
};
