/**
 * `berth audit <id>` and `berth revisions <id>`.
 *
 * @module
 */
import { noMorePositionals, parseInteger, requirePositional } from '../args.js';
import type { Verb } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { isoTime, paintStatus, table } from '../output.js';

/** The audit trail, oldest first. */
export const auditVerb: Verb = async (ctx) => {
  const id = requirePositional(ctx.args, 0, 'an agent id');
  noMorePositionals(ctx.args, 1);
  if (ctx.args.flags.verify === true) return verifyTrail(ctx, id);
  const after = parseInteger(ctx.args.flags.after, 'after');
  const entries = await ctx.client.audit(id, after, { signal: ctx.signal });
  if (ctx.json) {
    ctx.printJson({ entries });
    return EXIT.OK;
  }
  if (entries.length === 0) {
    ctx.print('No audit entries.');
    return EXIT.OK;
  }
  const rows = entries.map((e) => [
    String(e.seq),
    isoTime(e.at),
    e.actor,
    e.denied ? ctx.paint('red', `${e.action} (denied${e.code ? `: ${e.code}` : ''})`) : e.action,
    e.from === e.to || e.to === null
      ? e.from
        ? paintStatus(ctx.paint, e.from)
        : '-'
      : `${e.from ? paintStatus(ctx.paint, e.from) : '-'} → ${paintStatus(ctx.paint, e.to)}`,
    e.reason ?? '',
  ]);
  ctx.io.stdout.write(table(['SEQ', 'AT', 'ACTOR', 'ACTION', 'STATUS', 'REASON'], rows, ctx.paint));
  return EXIT.OK;
};

/** `--verify`: re-check the hash chain on the server; exit 9 when it is broken. */
async function verifyTrail(ctx: Parameters<Verb>[0], id: string) {
  const verdict = await ctx.client.verifyAudit(id, { signal: ctx.signal });
  if (ctx.json) ctx.printJson(verdict);
  else if (verdict.ok)
    ctx.print(
      `Audit trail intact: ${verdict.entries} ${verdict.entries === 1 ? 'entry' : 'entries'}${verdict.head ? `, head ${verdict.head}` : ''}.`,
    );
  else
    ctx.print(
      ctx.paint(
        'red',
        `Audit trail BROKEN at seq ${verdict.brokenAt}${verdict.problem ? `: ${verdict.problem}` : ''} (${verdict.entries} entries).`,
      ),
    );
  return verdict.ok ? EXIT.OK : EXIT.AUDIT_BROKEN;
}

/** The revisions, oldest first. */
export const revisionsVerb: Verb = async (ctx) => {
  const id = requirePositional(ctx.args, 0, 'an agent id');
  noMorePositionals(ctx.args, 1);
  const revisions = await ctx.client.revisions(id, { signal: ctx.signal });
  if (ctx.json) {
    ctx.printJson({ revisions });
    return EXIT.OK;
  }
  if (revisions.length === 0) {
    ctx.print('No revisions yet.');
    return EXIT.OK;
  }
  const rows = revisions.map((r) => [
    r.number === undefined ? '' : String(r.number),
    r.id,
    r.image,
    r.action ?? '',
    r.outcome === 'failed' ? ctx.paint('red', r.outcome) : r.outcome,
    isoTime(r.createdAt),
  ]);
  ctx.io.stdout.write(table(['#', 'ID', 'IMAGE', 'ACTION', 'OUTCOME', 'CREATED'], rows, ctx.paint));
  return EXIT.OK;
};
