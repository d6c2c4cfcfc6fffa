/**
 * Queries: one agent, a list, its available actions, its audit trail and its revisions.
 *
 * @module
 */
import { AgentNotFoundError } from '../errors.js';
import type { LifecycleManager } from '../manager-types.js';
import type { ManagerContext } from './context.js';
import { load, view } from './views.js';

/** The read side of a manager. */
export function queries(
  ctx: ManagerContext,
): Pick<LifecycleManager, 'get' | 'list' | 'availableActions' | 'audit' | 'revisions'> {
  const { store } = ctx;
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
      if (opts.owner !== undefined) await load(ctx, agentId, opts.owner);
      else if (!(await store.get(agentId)) && (await store.audit(agentId, { limit: 1 })).length === 0) {
        throw new AgentNotFoundError(agentId);
      }
      return store.audit(agentId, { after: opts.after });
    },

    async revisions(agentId, opts = {}) {
      await load(ctx, agentId, opts.owner);
      return store.revisions(agentId);
    },
  };
}
