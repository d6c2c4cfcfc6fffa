/**
 * `berth wait <id> --status <status>`: block until the agent has a status.
 *
 * @module
 */
import { noMorePositionals, parseSeconds, parseStatus, requirePositional } from '../args.js';
import type { Verb } from '../context.js';
import { BerthApiError } from '../client.js';
import { CliError, EXIT, usageError } from '../exit-codes.js';
import { paintStatus, startProgress } from '../output.js';
import { DEFAULT_WAIT_SECONDS } from './action.js';

/** Wait with the API's long-poll (`GET /agents/:id/wait`); on a terminal a spinner shows the live status. */
export const waitVerb: Verb = async (ctx) => {
  const id = requirePositional(ctx.args, 0, 'an agent id');
  noMorePositionals(ctx.args, 1);
  if (ctx.args.flags.status === undefined) throw usageError("'wait' needs --status <status>");
  const status = parseStatus(ctx.args.flags.status, 'status');
  const seconds = parseSeconds(ctx.args.flags.timeout, 'timeout', DEFAULT_WAIT_SECONDS);
  const progress = startProgress(ctx.io, `waiting for ${id} to be ${status}`);
  const live = new AbortController();
  const signal = AbortSignal.any([ctx.signal, live.signal]);
  if (ctx.io.stderr.isTTY) void showLiveStatus(ctx, id, status, signal, progress.update);
  try {
    const agent = await ctx.client.waitFor(id, status, seconds, { signal: ctx.signal });
    progress.succeed(`${agent.name} is ${status}`);
    if (ctx.json) ctx.printJson(agent);
    else ctx.print(`${agent.name} (${agent.id}) is ${paintStatus(ctx.paint, agent.status)}`);
    return EXIT.OK;
  } catch (error) {
    if (error instanceof BerthApiError && error.code === 'WAIT_TIMEOUT') {
      progress.fail(`timed out after ${seconds} s`);
      throw new CliError(EXIT.TIMEOUT, 'WAIT_TIMEOUT', `${id} did not become ${status} within ${seconds} s`);
    }
    progress.stop();
    if (ctx.signal.aborted) throw new CliError(EXIT.INTERRUPTED, 'INTERRUPTED', 'interrupted');
    throw error;
  } finally {
    live.abort();
  }
};

async function showLiveStatus(
  ctx: Parameters<Verb>[0],
  id: string,
  target: string,
  signal: AbortSignal,
  update: (text: string) => void,
): Promise<void> {
  try {
    const events = await ctx.client.events(id, { signal });
    const agent = await ctx.client.getAgent(id, { signal });
    update(`waiting for ${agent.name} to be ${target} (now ${agent.status})`);
    for await (const event of events)
      update(`waiting for ${agent.name} to be ${target} (now ${event.status})`);
  } catch {
    // Only decoration: the long-poll decides.
  }
}
