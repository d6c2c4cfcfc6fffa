/**
 * `berth services`: the services agents reported, with their effective status.
 *
 * @module
 */
import { noMorePositionals } from '../args.js';
import type { Verb } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { relativeTime, table } from '../output.js';

const COLOUR = { up: 'green', down: 'red', degraded: 'yellow', stale: 'yellow', unknown: 'dim' } as const;

/** List the services (all of the caller's, or one agent's). */
export const servicesVerb: Verb = async (ctx) => {
  const agentId = ctx.args.positionals[0];
  noMorePositionals(ctx.args, 1);
  const services = await ctx.client.listServices(agentId, { signal: ctx.signal });
  if (ctx.json) {
    ctx.printJson({ services });
    return EXIT.OK;
  }
  if (services.length === 0) {
    ctx.print(agentId ? 'This agent reports no services.' : 'No services reported yet.');
    return EXIT.OK;
  }
  const rows = services.map((s) => [
    s.code,
    s.name,
    ctx.paint(COLOUR[s.effectiveStatus], s.effectiveStatus),
    s.status,
    s.agentId,
    relativeTime(s.reportedAt),
  ]);
  ctx.io.stdout.write(table(['CODE', 'NAME', 'EFFECTIVE', 'REPORTED', 'AGENT', 'AT'], rows, ctx.paint));
  return EXIT.OK;
};
