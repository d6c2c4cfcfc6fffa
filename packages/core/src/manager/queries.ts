/**
 * Queries: one agent, a list, its available actions, its audit trail and its revisions.
 *
 * @module
 */
import { verifyAuditChain } from '../audit.js';
import { AgentNotFoundError } from '../errors.js';
import type { LifecycleManager } from '../manager-types.js';
import type { ManagerContext } from './context.js';
import { load, view } from './views.js';

/** The read side of a manager. */
export function queries(
  ctx: ManagerContext,
): Pick<LifecycleManager, 'get' | 'list' | 'availableActions' | 'audit' | 'verifyAudit' | 'revisions'> {
  const { store } = ctx;
  const visible = async (agentId: string, owner: string | undefined) => {
    if (owner !== undefined) await load(ctx, agentId, owner);
    else if (!(await store.get(agentId)) && (await store.audit(agentId, { limit: 1 })).length === 0) {
      throw new AgentNotFoundError(agentId);
    }
  };
  return {
    async get(agentId, opts = {}) {
      return view(ctx, await load(ctx, agentId, opts.owner));
    },

    async list(filter = {}) {
      const records = await store.list({ owner: filter.owner, status: filter.status });
      return Promise.all(records.map((r) => view(ctx, r)));
    },

    async availableActions(agentId, opts = {}) {
      return [...(await view(ctx, await load(ctx, agentId, opts.owner))).actions];
    },

    async audit(agentId, opts = {}) {
      await visible(agentId, opts.owner);
      return store.audit(agentId, { after: opts.after, limit: opts.limit });
    },

    async verifyAudit(agentId, opts = {}) {
      await visible(agentId, opts.owner);
      const entries = await store.audit(agentId);
      const verdict = verifyAuditChain(entries);
      return verdict.ok
        ? {
            ok: true,
            entries: entries.length,
            head: entries.at(-1)?.hash ?? null,
            brokenAt: null,
            problem: null,
          }
        : {
            ok: false,
            entries: entries.length,
            head: entries.at(-1)?.hash ?? null,
            brokenAt: entries[verdict.index]!.seq,
            problem: verdict.problem,
          };
    },

    async revisions(agentId, opts = {}) {
      await load(ctx, agentId, opts.owner);
      return store.revisions(agentId);
    },
  };
}
