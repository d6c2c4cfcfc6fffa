/**
 * `berth why <id>`: why the agent is in its status — since when, and the causes.
 *
 * @module
 */
import { noMorePositionals, requirePositional } from '../args.js';
import type { Verb } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { isoTime, paintStatus, table } from '../output.js';

/** Explain one agent's status. */
export const whyVerb: Verb = async (ctx) => {
  const id = requirePositional(ctx.args, 0, 'an agent id');
  noMorePositionals(ctx.args, 1);
  const why = await ctx.client.explain(id, { signal: ctx.signal });
  if (ctx.json) {
    ctx.printJson(why);
    return EXIT.OK;
  }
  ctx.print(why.summary.replace(why.status, paintStatus(ctx.paint, why.status)));
  if (why.causes.length > 0) {
    const rows = why.causes.map((c) => [isoTime(c.at), c.kind, c.detail]);
    ctx.io.stdout.write(table(['AT', 'KIND', 'CAUSE'], rows, ctx.paint));
  }
  return EXIT.OK;
};
