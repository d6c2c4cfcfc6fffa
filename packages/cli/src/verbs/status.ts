/**
 * `berth status <id>`: one agent, like a vendor's `agent-status`.
 *
 * @module
 */
import { noMorePositionals, requirePositional } from '../args.js';
import type { Verb } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { paintStatus, relativeTime } from '../output.js';
import type { AgentResource } from '../types.js';

/** The vendor's word from a `vendorStatus` field, whatever its shape (a string or `{status}`). */
export function vendorWord(vendorStatus: unknown): string | undefined {
  if (typeof vendorStatus === 'string') return vendorStatus;
  if (vendorStatus && typeof vendorStatus === 'object' && 'status' in vendorStatus) {
    const status = (vendorStatus as { status: unknown }).status;
    if (typeof status === 'string') return status;
  }
  return undefined;
}

/** Show one agent. */
export const statusVerb: Verb = async (ctx) => {
  const id = requirePositional(ctx.args, 0, 'an agent id');
  noMorePositionals(ctx.args, 1);
  const agent = await ctx.client.getAgent(id, { signal: ctx.signal, profile: ctx.args.flags.profile });
  if (ctx.json) {
    ctx.printJson(agent);
    return EXIT.OK;
  }
  ctx.print(describeAgent(ctx, agent, ctx.args.flags.profile));
  return EXIT.OK;
};

function describeAgent(ctx: Parameters<Verb>[0], agent: AgentResource, profile: string | undefined): string {
  const { paint } = ctx;
  const lines: [string, string][] = [];
  lines.push(['Agent', `${paint('bold', agent.name)} (${agent.id})`]);
  const vendor = vendorWord(agent.vendorStatus);
  lines.push([
    'Status',
    paintStatus(paint, agent.status) +
      (vendor && profile ? `  ${paint('dim', `${profile}: ${vendor}`)}` : ''),
  ]);
  if (agent.state && agent.state !== agent.status) lines.push(['State', agent.state]);
  if (agent.kind) lines.push(['Kind', agent.kind === 'self_hosted' ? 'self-hosted' : agent.kind]);
  lines.push(['Owner', agent.owner]);
  lines.push(['Revision', agent.revision ?? '-']);
  if (agent.image) lines.push(['Image', agent.image]);
  if (agent.runtime) lines.push(['Runtime', agent.runtime]);
  if (agent.region) lines.push(['Region', agent.region]);
  if (agent.size) lines.push(['Size', agent.size]);
  for (const e of agent.endpoints ?? []) lines.push(['Endpoint', `${e.name} ${e.url}`]);
  lines.push([
    'Heartbeat',
    agent.lastHeartbeatAt ? `${agent.lastHeartbeatAt} (${relativeTime(agent.lastHeartbeatAt)})` : 'never',
  ]);
  if (agent.operation) {
    const since = agent.operation.startedAt ? `, started ${relativeTime(agent.operation.startedAt)}` : '';
    lines.push(['Operation', `${agent.operation.action} (${agent.operation.id}${since})`]);
  }
  if (agent.waitlist) {
    lines.push([
      'Waitlist',
      `position ${agent.waitlist.position}, next attempt ${relativeTime(agent.waitlist.nextAttemptAt)}`,
    ]);
  }
  lines.push(['Version', String(agent.version)]);
  lines.push(['Actions', agent.availableActions.join(', ') || 'none']);
  if (agent.purgeAt) lines.push(['Purged', relativeTime(agent.purgeAt)]);
  const width = Math.max(...lines.map(([k]) => k.length)) + 1;
  return lines.map(([k, v]) => `${`${k}:`.padEnd(width)} ${v}`).join('\n');
}
