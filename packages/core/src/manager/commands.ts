/**
 * Commands: queueing one for an agent, handing pending ones out once, recording results.
 *
 * @module
 */
import { configurationOf } from '../chart.js';
import { BerthError, TransitionDeniedError, ValidationError } from '../errors.js';
import type { LifecycleManager } from '../manager-types.js';
import type { CommandRecord } from '../record.js';
import type { ManagerContext } from './context.js';
import { newId } from './records.js';
import { validateCommand } from './validation.js';
import { load } from './views.js';

/** The command queue of a manager. */
export function commands(
  ctx: ManagerContext,
): Pick<LifecycleManager, 'enqueueCommand' | 'pollCommands' | 'completeCommand' | 'commands'> {
  const { store, clock } = ctx;
  return {
    async enqueueCommand(agentId, command, opts = {}) {
      validateCommand(command);
      const r = await load(ctx, agentId, opts.owner);
      if (r.status === 'deleted' || r.status === 'deleting') {
        throw new TransitionDeniedError('ILLEGAL_TRANSITION', `agent ${agentId} is ${r.status}`, {
          allowedActions: [],
        });
      }
      const config = configurationOf(r.state);
      if (typeof config !== 'string' && config.admission === 'paused') {
        throw new BerthError('AGENT_PAUSED', 'the agent is paused: no new commands until it is resumed');
      }
      if (typeof config !== 'string' && config.billing === 'suspended') {
        throw new BerthError(
          'AGENT_PAUSED',
          'the agent is suspended for billing: no new commands until billing is resolved',
        );
      }
      const existing = await store.listCommands(agentId);
      const record: CommandRecord = {
        id: newId('cmd'),
        agentId,
        seq: existing.length + 1,
        type: command.type,
        payload: command.payload ?? null,
        status: 'pending',
        createdAt: clock.now(),
        claimedAt: null,
        finishedAt: null,
        output: null,
        error: null,
      };
      await store.putCommand(record, { maxPending: ctx.limits.maxCommandsPerAgent });
      return record;
    },

    async pollCommands(agentId, opts = {}) {
      const limit = opts.limit ?? 10;
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
        throw new ValidationError('limit must be an integer from 1 to 100', [
          { path: 'limit', message: '1..100' },
        ]);
      }
      const r = await load(ctx, agentId);
      const config = configurationOf(r.state);
      // Admission is closed while paused or suspended for billing: in-flight commands may still
      // report their results, but nothing new is handed out.
      if (typeof config === 'string' || config.admission === 'paused' || config.billing === 'suspended') {
        return [];
      }
      return store.claimCommands(agentId, limit, clock.now());
    },

    async completeCommand(agentId, commandId, result) {
      await load(ctx, agentId);
      const existing = await store.getCommand(agentId, commandId);
      if (!existing) throw new BerthError('COMMAND_NOT_FOUND', `no command '${commandId}'`);
      const finished = await store.finishCommand(agentId, commandId, {
        status: result.ok ? 'succeeded' : 'failed',
        output: result.output ?? null,
        error: result.ok ? null : (result.error ?? { code: 'FAILED', message: 'the command failed' }),
        finishedAt: clock.now(),
      });
      if (!finished) {
        throw new TransitionDeniedError(
          'ILLEGAL_TRANSITION',
          `command '${commandId}' is ${existing.status}, not running`,
        );
      }
      return (await store.getCommand(agentId, commandId))!;
    },

    async commands(agentId, opts = {}) {
      await load(ctx, agentId, opts.owner);
      return store.listCommands(agentId);
    },
  };
}
