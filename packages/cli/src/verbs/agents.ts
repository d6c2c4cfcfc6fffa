/**
 * `berth agents`: the agents as a table.
 *
 * @module
 */
import { noMorePositionals, parseStatus } from '../args.js';
import type { Verb } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { paintStatus, relativeTime, table } from '../output.js';
import { vendorWord } from './status.js';

/** List agents, filtered by `--status` and `--owner`. */
export const agentsVerb: Verb = async (ctx) => {
  noMorePositionals(ctx.args, 0);
  const { flags } = ctx.args;
  const status = flags.status === undefined ? undefined : parseStatus(flags.status, 'status');
  const agents = await ctx.client.listAgents(
    { status, owner: flags.owner, profile: flags.profile },
    { signal: ctx.signal },
  );
  if (ctx.json) {
    ctx.printJson({ agents });
    return EXIT.OK;
  }
  if (agents.length === 0) {
    ctx.print(status ? `No agents are ${status}.` : 'No agents yet. Create one with: berth deploy <name>');
    return EXIT.OK;
  }
  const headers = [
    'ID',
    'NAME',
    'STATUS',
    ...(flags.profile ? ['VENDOR'] : []),
    'OWNER',
    'REVISION',
    'HEARTBEAT',
    'UPDATED',
  ];
  const rows = agents.map((a) => [
    a.id,
    a.name,
    paintStatus(ctx.paint, a.status) + (a.operation ? ctx.paint('dim', ` (${a.operation.action})`) : ''),
    ...(flags.profile ? [vendorWord(a.vendorStatus) ?? '-'] : []),
    a.owner,
    a.revision ?? '-',
    a.lastHeartbeatAt ? relativeTime(a.lastHeartbeatAt) : '-',
    relativeTime(a.updatedAt),
  ]);
  ctx.io.stdout.write(table(headers, rows, ctx.paint));
  return EXIT.OK;
};
