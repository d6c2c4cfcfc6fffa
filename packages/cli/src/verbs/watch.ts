/**
 * `berth watch <id>`: follow the agent's status events like `tail -f`.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { noMorePositionals, requirePositional } from '../args.js';
import { BerthConnectionError } from '../client.js';
import type { Verb } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { isoTime, paintStatus } from '../output.js';

/** How many reconnections in a row may fail before `watch` gives up (exit 6). */
const MAX_RECONNECTS = 5;

/**
 * Print each transition until the agent is deleted (exit 0) or Ctrl-C. A dropped stream is
 * resumed with `Last-Event-ID`, so nothing is printed twice or missed.
 */
export const watchVerb: Verb = async (ctx) => {
  const id = requirePositional(ctx.args, 0, 'an agent id');
  noMorePositionals(ctx.args, 1);
  let lastEventId: string | undefined;
  let failures = 0;
  let first = true;
  while (!ctx.signal.aborted) {
    try {
      const events = await ctx.client.events(id, {
        signal: ctx.signal,
        ...(lastEventId ? { lastEventId } : {}),
      });
      failures = 0;
      if (first) {
        first = false;
        const agent = await ctx.client.getAgent(id, { signal: ctx.signal, profile: ctx.args.flags.profile });
        if (ctx.json) ctx.printJson({ type: 'snapshot', agent });
        else
          ctx.print(
            `${agent.name} (${agent.id}) is ${paintStatus(ctx.paint, agent.status)}; watching (Ctrl-C to stop)`,
          );
        if (agent.status === 'deleted') return EXIT.OK;
      }
      for await (const event of events) {
        lastEventId = event.eventId ?? lastEventId;
        if (event.type === 'snapshot') continue;
        if (ctx.json) {
          const { eventId: _id, ...data } = event;
          ctx.printJson(data);
        } else {
          const at = isoTime(event.at)
            .replace(/^.*T|Z$/g, '')
            .slice(0, 8);
          const from = event.from ? `${paintStatus(ctx.paint, event.from)} → ` : '';
          ctx.print(
            `${ctx.paint('dim', at)}  ${from}${paintStatus(ctx.paint, event.status)}  ${ctx.paint('dim', event.action)}`,
          );
        }
        if (event.status === 'deleted') return EXIT.OK;
      }
    } catch (error) {
      if (ctx.signal.aborted) break;
      if (!(error instanceof BerthConnectionError)) throw error;
      failures++;
      if (failures > MAX_RECONNECTS) throw error;
    }
    if (ctx.signal.aborted) break;
    // The stream ended or dropped: reconnect after a short, growing pause.
    await sleep(Math.min(250 * 2 ** failures, 5000), undefined, { signal: ctx.signal }).catch(() => {});
  }
  throw new CliError(EXIT.INTERRUPTED, 'INTERRUPTED', 'interrupted');
};
