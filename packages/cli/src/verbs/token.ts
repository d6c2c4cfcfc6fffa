/**
 * `berth token create|list|revoke`: registration tokens for self-hosted agents.
 *
 * @module
 */
import { noMorePositionals, parseInteger, requirePositional } from '../args.js';
import type { Verb, VerbContext } from '../context.js';
import { EXIT, usageError } from '../exit-codes.js';
import { relativeTime, table } from '../output.js';

/** Mint a registration token; it is shown this once. */
async function create(ctx: VerbContext): Promise<number> {
  noMorePositionals(ctx.args, 1);
  const expiresInSeconds = parseInteger(ctx.args.flags['expires-in'], 'expires-in');
  if (expiresInSeconds === 0) throw usageError('--expires-in must be at least 1 second');
  const token = await ctx.client.createRegistrationToken(
    { expiresInSeconds, owner: ctx.args.flags.owner, code: ctx.args.flags.code },
    { signal: ctx.signal },
  );
  if (ctx.json) {
    ctx.printJson(token);
    return EXIT.OK;
  }
  ctx.print(token.token);
  const bound = token.code ? ` It can only register the code '${token.code}'.` : '';
  ctx.io.stderr.write(
    `${ctx.paint('yellow', 'Shown this once:')} store it now. It expires ${token.expiresAt} and works for one registration.${bound}${token.id ? ` Its id is ${token.id}.` : ''}\n`,
  );
  return EXIT.OK;
}

/** The tokens with their status, never the tokens themselves. */
async function list(ctx: VerbContext): Promise<number> {
  noMorePositionals(ctx.args, 1);
  const tokens = await ctx.client.listRegistrationTokens({ signal: ctx.signal });
  if (ctx.json) {
    ctx.printJson({ tokens });
    return EXIT.OK;
  }
  if (tokens.length === 0) {
    ctx.print('No registration tokens. Mint one with: berth token create');
    return EXIT.OK;
  }
  const paintStatus = (s: string) => (s === 'active' ? ctx.paint('green', s) : ctx.paint('dim', s));
  const rows = tokens.map((t) => [
    t.id,
    paintStatus(t.status),
    t.code ?? '(any)',
    relativeTime(t.createdAt),
    relativeTime(t.expiresAt),
    t.usedAt ? relativeTime(t.usedAt) : '-',
  ]);
  ctx.io.stdout.write(table(['ID', 'STATUS', 'CODE', 'CREATED', 'EXPIRES', 'USED'], rows, ctx.paint));
  return EXIT.OK;
}

/** Revoke an unused token (exit 3 for a used one). */
async function revoke(ctx: VerbContext): Promise<number> {
  const id = requirePositional(ctx.args, 1, 'a token id');
  noMorePositionals(ctx.args, 2);
  await ctx.client.revokeRegistrationToken(id, { signal: ctx.signal });
  if (ctx.json) ctx.printJson({ revoked: id });
  else ctx.print(`Revoked registration token ${id}: it can no longer register an agent.`);
  return EXIT.OK;
}

const SUBS: Readonly<Record<string, (ctx: VerbContext) => Promise<number>>> = { create, list, revoke };

/** `berth token <create|list|revoke>`. */
export const tokenVerb: Verb = async (ctx) => {
  const sub = requirePositional(ctx.args, 0, "a sub-command ('create', 'list' or 'revoke')");
  const run = SUBS[sub];
  if (run === undefined)
    throw usageError(`unknown token sub-command '${sub}' (try: berth token create|list|revoke)`);
  return run(ctx);
};
