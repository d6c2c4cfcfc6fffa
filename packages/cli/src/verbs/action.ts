/**
 * The lifecycle verbs: `start`, `stop`, `restart`, `redeploy`, `reprovision`, `recreate`,
 * `pause`, `resume`, `disable`, `enable`, `rollback`, and `destroy` (alias `kill`).
 *
 * @module
 */
import type { Action } from '@berth/core';
import { noMorePositionals, parseSeconds, requirePositional } from '../args.js';
import type { Verb, VerbContext } from '../context.js';
import { CliError, EXIT, usageError } from '../exit-codes.js';
import { credentialsText, paintStatus, startProgress } from '../output.js';
import { ask, canPrompt } from '../prompt.js';
import { followUntilSettled } from '../settle.js';
import { escapeControl, originalOf } from '../terminal-text.js';
import type { ActionResult, AgentResource } from '../types.js';

/** Default `--timeout` of `--wait`, in seconds. */
export const DEFAULT_WAIT_SECONDS = 120;

/** Actions that need the typed name whatever the policy says (API.md: recreate and destroy). */
const DESTRUCTIVE: ReadonlySet<Action> = new Set(['recreate', 'destroy']);

/** A verb that asks the lifecycle for `action`. */
export function actionVerb(action: Action): Verb {
  return async (ctx) => {
    const id = requirePositional(ctx.args, 0, 'an agent id');
    noMorePositionals(ctx.args, 1);
    const { flags } = ctx.args;
    const timeoutMs = parseSeconds(flags.timeout, 'timeout', DEFAULT_WAIT_SECONDS) * 1000;
    if (flags.timeout !== undefined && !flags.wait) throw usageError('--timeout only applies with --wait');
    if (action === 'destroy' && !flags.reason?.trim()) {
      throw usageError(`'${ctx.args.verb}' needs --reason <text> (it goes to the audit trail)`);
    }
    if (action === 'rollback' && !flags.revision) {
      throw usageError("'rollback' needs --revision <id> (see: berth revisions <id>)");
    }
    if (flags.revision !== undefined && action !== 'rollback') {
      throw usageError('--revision only applies to rollback');
    }

    let reason = flags.reason;
    let confirm = flags.confirm;
    const destructive = DESTRUCTIVE.has(action);
    if (destructive) confirm = await confirmName(ctx, id, action);
    else if (reason === undefined && canPrompt(ctx.io) && !ctx.json) {
      // Ask for a reason only when the policy wants one for this action.
      const agent = await ctx.client.getAgent(id, { signal: ctx.signal });
      const view = agent.actions?.find((a) => a.action === action);
      if (view?.allowed && view.needsReason) {
        reason = (await ask(ctx.io, `Reason for ${action} (goes to the audit trail): `, ctx.signal)).trim();
      }
    }

    const request = { signal: ctx.signal, idempotencyKey: flags['idempotency-key'] };
    const body = {
      ...(reason ? { reason } : {}),
      ...(confirm !== undefined ? { confirm } : {}),
      ...(flags.revision ? { revision: flags.revision } : {}),
      ...(flags.size ? { size: flags.size } : {}),
    };
    const result =
      action === 'destroy'
        ? await ctx.client.destroy(id, { ...body, confirm: confirm ?? '' }, request)
        : await ctx.client.act(id, action, body, request);

    return report(ctx, action, result, timeoutMs);
  };
}

/**
 * The confirmation of a destructive action: `--yes --confirm <name>` in scripts; on a terminal
 * the person types the name (unless `--yes` was given).
 */
async function confirmName(ctx: VerbContext, id: string, action: Action): Promise<string> {
  const { flags } = ctx.args;
  if (flags.yes) {
    if (flags.confirm === undefined) throw usageError(`--yes needs --confirm <the agent's name>`);
    return flags.confirm;
  }
  if (!canPrompt(ctx.io) || ctx.json) {
    throw usageError(
      `${action} is destructive: not on a terminal, so pass --yes --confirm <the agent's name> to confirm`,
    );
  }
  const agent = await ctx.client.getAgent(id, { signal: ctx.signal });
  const what =
    action === 'destroy'
      ? 'This destroys the agent and its workspace. It cannot be undone.'
      : 'This rebuilds the agent from scratch with new credentials.';
  ctx.io.stderr.write(`${ctx.paint('yellow', what)}\n`);
  const typed = await ask(ctx.io, `Type the agent's name (${agent.name}) to ${action} it: `, ctx.signal);
  // The person types the name as shown (escaped); the server is sent the name itself.
  if (typed.trim() !== agent.name) {
    throw new CliError(EXIT.REFUSED, 'CONFIRMATION_MISMATCH', 'the name does not match; nothing was done');
  }
  return originalOf(agent).name;
}

/** Print what happened; with `--wait`, follow the operation until the agent settles. */
export async function report(
  ctx: VerbContext,
  action: string,
  result: ActionResult,
  timeoutMs: number,
): Promise<number> {
  let agent: AgentResource = result.agent;
  const operation = result.operation ?? null;
  // recreate's new credentials are shown this once: print them before anything can fail.
  if (result.credentials && !ctx.json) ctx.print(credentialsText(ctx, result.credentials));
  if (ctx.args.flags.wait && operation) {
    const progress = startProgress(ctx.io, `${agent.name}: ${agent.status}`);
    try {
      agent = await followUntilSettled(ctx.client, agent.id, {
        timeoutMs,
        signal: ctx.signal,
        onStatus: (status) => progress.update(`${agent.name}: ${status}`),
      });
    } catch (error) {
      progress.fail(`${agent.name}: ${action} did not settle`);
      throw error;
    }
    if (agent.status === 'failed') progress.fail(`${agent.name} is failed`);
    else progress.succeed(`${agent.name} is ${agent.status}`);
  }
  const failed = ctx.args.flags.wait && operation !== null && agent.status === 'failed';
  if (ctx.json) {
    ctx.printJson({ agent, operation, ...(result.credentials ? { credentials: result.credentials } : {}) });
  } else if (ctx.args.flags.wait && operation) {
    ctx.print(`${agent.name} (${agent.id}) is ${paintStatus(ctx.paint, agent.status)}`);
  } else if (operation) {
    ctx.print(
      `${action} accepted: ${agent.name} (${agent.id}) is ${paintStatus(ctx.paint, agent.status)}` +
        ctx.paint('dim', ` (operation ${operation.id})`),
    );
  } else {
    ctx.print(`${agent.name} (${agent.id}) is ${paintStatus(ctx.paint, agent.status)}`);
  }
  if (failed) {
    ctx.io.stderr.write(`${action} failed: see berth audit ${escapeControl(agent.id)}\n`);
    return EXIT.OPERATION_FAILED;
  }
  return EXIT.OK;
}
