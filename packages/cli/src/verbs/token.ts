/**
 * `berth token create`: a one-time registration token for a self-hosted agent.
 *
 * @module
 */
import { noMorePositionals, parseInteger, requirePositional } from '../args.js';
import type { Verb } from '../context.js';
import { EXIT, usageError } from '../exit-codes.js';

/** Mint a registration token; it is shown this once. */
export const tokenVerb: Verb = async (ctx) => {
  const sub = requirePositional(ctx.args, 0, "a sub-command ('create')");
  if (sub !== 'create') throw usageError(`unknown token sub-command '${sub}' (try: berth token create)`);
  noMorePositionals(ctx.args, 1);
  const expiresInSeconds = parseInteger(ctx.args.flags['expires-in'], 'expires-in');
  if (expiresInSeconds === 0) throw usageError('--expires-in must be at least 1 second');
  const token = await ctx.client.createRegistrationToken(
    { expiresInSeconds, owner: ctx.args.flags.owner },
    { signal: ctx.signal },
  );
  if (ctx.json) {
    ctx.printJson(token);
    return EXIT.OK;
  }
  ctx.print(token.token);
  ctx.io.stderr.write(
    `${ctx.paint('yellow', 'Shown this once:')} store it now. It expires ${token.expiresAt} and works for one registration.\n`,
  );
  return EXIT.OK;
};
