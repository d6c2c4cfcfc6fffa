/**
 * `berth deploy <name>`: create a managed agent.
 *
 * @module
 */
import { noMorePositionals, parseJsonObject, parseSeconds, requirePositional } from '../args.js';
import type { Verb } from '../context.js';
import { EXIT, usageError } from '../exit-codes.js';
import { credentialsText, paintStatus, startProgress } from '../output.js';
import { followUntilSettled } from '../settle.js';
import { escapeControl } from '../terminal-text.js';
import { DEFAULT_WAIT_SECONDS } from './action.js';

/** Create an agent; with `--wait`, follow it until it settles. */
export const deployVerb: Verb = async (ctx) => {
  const name = requirePositional(ctx.args, 0, 'a name for the agent');
  noMorePositionals(ctx.args, 1);
  const { flags } = ctx.args;
  const timeoutMs = parseSeconds(flags.timeout, 'timeout', DEFAULT_WAIT_SECONDS) * 1000;
  if (flags.timeout !== undefined && !flags.wait) throw usageError('--timeout only applies with --wait');
  const config = parseJsonObject(flags.config, 'config');
  const created = await ctx.client.createAgent(
    {
      name,
      ...(flags.owner ? { owner: flags.owner } : {}),
      ...(flags.image ? { image: flags.image } : {}),
      ...(flags.runtime ? { runtime: flags.runtime } : {}),
      ...(flags.region ? { region: flags.region } : {}),
      ...(flags.size ? { size: flags.size } : {}),
      ...(config ? { config } : {}),
    },
    { signal: ctx.signal, idempotencyKey: flags['idempotency-key'] },
  );
  let agent = created;
  // The credentials are shown this once: print them before anything can fail.
  if (created.credentials && !ctx.json) ctx.print(credentialsText(ctx, created.credentials));
  if (flags.wait) {
    const progress = startProgress(ctx.io, `${agent.name}: ${agent.status}`);
    try {
      agent = await followUntilSettled(ctx.client, agent.id, {
        timeoutMs,
        signal: ctx.signal,
        onStatus: (status) => progress.update(`${name}: ${status}`),
      });
    } catch (error) {
      progress.fail(`${name}: deploy did not settle`);
      throw error;
    }
    if (agent.status === 'failed') progress.fail(`${name} is failed`);
    else progress.succeed(`${name} is ${agent.status}`);
  }
  if (ctx.json) ctx.printJson(created.credentials ? { ...agent, credentials: created.credentials } : agent);
  else ctx.print(`${agent.name} (${agent.id}) is ${paintStatus(ctx.paint, agent.status)}`);
  if (flags.wait && agent.status === 'failed') {
    ctx.io.stderr.write(`deploy failed: see berth audit ${escapeControl(agent.id)}\n`);
    return EXIT.OPERATION_FAILED;
  }
  return EXIT.OK;
};
