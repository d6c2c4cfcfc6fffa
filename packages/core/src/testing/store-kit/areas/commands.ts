/**
 * Commands: single hand-out under concurrent claims, the pending cap, results.
 *
 * @module
 */
import { expect } from 'vitest';
import type { CommandRecord } from '../../../record.js';
import type { StoreArea } from '../env.js';
import { race } from '../env.js';
import { command, T0, uid } from '../fixtures.js';

export const commandsArea: StoreArea = {
  title: 'commands',
  tests: {
    'concurrent claims hand each pending command out exactly once, oldest first': async (env) => {
      const agentId = uid('agt');
      const total = env.concurrency * 2;
      for (let i = 1; i <= total; i++) await env.store.putCommand(command(agentId, i));
      const results = await race(env, env.concurrency * 2, (s) => s.claimCommands(agentId, 3, T0 + 100));
      const claimed: CommandRecord[] = [];
      for (const r of results) {
        expect(r.status).toBe('fulfilled');
        const batch = (r as PromiseFulfilledResult<CommandRecord[]>).value;
        expect(batch.map((c) => c.seq)).toEqual([...batch.map((c) => c.seq)].sort((a, b) => a - b));
        claimed.push(...batch);
      }
      expect(claimed.map((c) => c.seq).sort((a, b) => a - b)).toEqual(
        Array.from({ length: total }, (_, i) => i + 1),
      );
      expect(claimed.every((c) => c.status === 'running' && c.claimedAt === T0 + 100)).toBe(true);
      expect(await env.store.claimCommands(agentId, 10, T0 + 101)).toEqual([]);
      expect((await env.store.listCommands(agentId)).every((c) => c.status === 'running')).toBe(true);
    },

    'maxPending: concurrent enqueues stop at the cap with COMMAND_QUEUE_FULL; claimed ones free room': async (
      env,
    ) => {
      const agentId = uid('agt');
      const cap = 5;
      const results = await race(env, env.concurrency, (s, i) =>
        s.putCommand(command(agentId, i + 1), { maxPending: cap }),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(cap);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'COMMAND_QUEUE_FULL' });
      }
      expect(await env.store.listCommands(agentId)).toHaveLength(cap);
      await env.store.claimCommands(agentId, 2, T0);
      await env.store.putCommand(command(agentId, 100), { maxPending: cap });
      await env.store.putCommand(command(agentId, 101), { maxPending: cap });
      await expect(env.store.putCommand(command(agentId, 102), { maxPending: cap })).rejects.toMatchObject({
        code: 'COMMAND_QUEUE_FULL',
      });
      expect(await env.store.listCommands(agentId)).toHaveLength(cap + 2);
    },

    'finish: a running command finishes once; pending and unknown ones do not': async (env) => {
      const agentId = uid('agt');
      const a = command(agentId, 1);
      const b = command(agentId, 2);
      await env.store.putCommand(a);
      await env.store.putCommand(b);
      await env.store.claimCommands(agentId, 1, T0 + 5);
      const result = {
        status: 'succeeded' as const,
        output: { ok: [1, 2] },
        error: null,
        finishedAt: T0 + 9,
      };
      const results = await race(env, env.concurrency, (s) => s.finishCommand(agentId, a.id, result));
      expect(results.filter((r) => r.status === 'fulfilled' && r.value === true)).toHaveLength(1);
      expect(await env.store.finishCommand(agentId, b.id, result)).toBe(false);
      expect(await env.store.finishCommand(agentId, 'cmd_missing', result)).toBe(false);
      expect(await env.store.getCommand(agentId, a.id)).toEqual({
        ...a,
        status: 'succeeded',
        claimedAt: T0 + 5,
        output: { ok: [1, 2] },
        finishedAt: T0 + 9,
      });
      expect(await env.store.getCommand(agentId, 'cmd_missing')).toBeNull();
      expect((await env.store.listCommands(agentId)).map((c) => c.id)).toEqual([a.id, b.id]);
    },
  },
};
