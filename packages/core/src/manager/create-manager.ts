/**
 * Creating a lifecycle manager: wiring only. Each method is a stage of its own file, given the
 * manager's context.
 *
 * @module
 */
import { flushMicrotasks } from '../clock.js';
import type { LifecycleManager, LifecycleManagerOptions } from '../manager-types.js';
import { isChartOperation, launchBackup } from './backup-operation.js';
import { backups } from './backups.js';
import { commands } from './commands.js';
import { createContext } from './context.js';
import { guardClosed } from './dispose-guard.js';
import { explainAgent } from './explain.js';
import { follow } from './follow.js';
import { idempotentCall } from './idempotency.js';
import { observe } from './observe.js';
import { launch } from './operations.js';
import { operatorActions } from './operator-actions.js';
import { queries } from './queries.js';
import { registrationTokens } from './registration-tokens.js';
import { reconcile } from './reconcile.js';
import { resume } from './resume.js';
import { selfHosted } from './self-hosted.js';
import { services } from './services.js';
import { start, tick } from './sweeper.js';
import { load } from './views.js';
import { waitFor } from './wait-for.js';
import { nudgeWaitlist } from './waitlist.js';

/**
 * Create a lifecycle manager.
 *
 * @param options - store, driver, clock, policies, secrets (all optional: an in-memory store
 *   and the system clock by default; without a driver only self-hosted agents can exist).
 * @example
 * ```ts
 * import { createLifecycleManager } from '@berth/core';
 * import { createMemoryDriver } from '@berth/driver-memory';
 *
 * const manager = createLifecycleManager({ driver: createMemoryDriver() });
 * const agent = await manager.create({ name: 'support-bot', owner: 'acme' });
 * await manager.waitFor(agent.id, 'running');
 * await manager.dispatch(agent.id, 'pause', { actor: 'user:ada', reason: 'budget review' });
 * ```
 */
export function createLifecycleManager(options: LifecycleManagerOptions = {}): LifecycleManager {
  const ctx = createContext(options, (c) => ({
    launch: (r, op) => (isChartOperation(op) ? launch(c, r, op) : launchBackup(c, r, op)),
    nudgeWaitlist: () => nudgeWaitlist(c),
  }));
  const read = queries(ctx);
  const manager: LifecycleManager = {
    events: ctx.events,
    driverName: ctx.driverName,
    ...operatorActions(ctx),
    ...read,
    waitFor: (agentId, until, opts) => waitFor(ctx, read.get, agentId, until, opts),
    explain: async (agentId, opts = {}) => explainAgent(ctx, await load(ctx, agentId, opts.owner)),
    follow: (agentId, listener, opts) => follow(ctx, agentId, listener, opts),
    ...selfHosted(ctx),
    ...commands(ctx),
    ...backups(ctx),
    ...services(ctx),
    ...registrationTokens(ctx),
    idempotent: (call, work) => idempotentCall(ctx, call, work),
    observe: (event, opts) => observe(ctx, event, opts),
    reconcile: (opts) => reconcile(ctx, opts),
    tick: () => tick(ctx),
    resume: () => resume(ctx),
    start: (opts) => start(ctx, opts),
    async settle() {
      for (let i = 0; i < 1000; i++) {
        const pending = [...ctx.background];
        if (pending.length === 0) {
          await flushMicrotasks(2);
          if (ctx.background.size === 0) return;
          continue;
        }
        await Promise.allSettled(pending);
      }
    },
    async close() {
      ctx.state.closed = true;
      ctx.state.stopSweeper?.();
      ctx.state.stopSweeper = null;
      ctx.state.unwatch?.();
      ctx.state.unwatch = null;
      for (const f of ctx.inflight.values()) f.controller.abort();
      await Promise.allSettled([...ctx.background]);
      await ctx.driver?.dispose?.();
    },
    [Symbol.asyncDispose]: () => manager.close(),
  };
  return guardClosed(manager);
}
