/**
 * waitFor: resolve when an agent has a status (or a predicate holds), on transitions of this
 * manager, on the shared store's wake-ups for other instances' commits, and by looking again now
 * and then (another process may change the record).
 *
 * @module
 */
import { BerthError } from '../errors.js';
import type { AgentView, LifecycleManager } from '../manager-types.js';
import type { ManagerContext } from './context.js';

/** Resolve when the agent has `status` (or the predicate holds). */
export async function waitFor(
  ctx: ManagerContext,
  get: LifecycleManager['get'],
  ...[agentId, until, opts = {}]: Parameters<LifecycleManager['waitFor']>
): Promise<AgentView> {
  const { events, clock } = ctx;
  const matches = typeof until === 'function' ? until : (a: AgentView) => a.status === until;
  const first = await get(agentId, { owner: opts.owner });
  if (matches(first)) return first;
  return new Promise<AgentView>((resolve, reject) => {
    let done = false;
    let checking = Promise.resolve();
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      events.off('transition', onTransition);
      unwatch?.();
      cancelTimeout?.();
      clearInterval(poll);
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const check = () => {
      checking = checking.then(async () => {
        if (done) return;
        try {
          const agent = await get(agentId, { owner: opts.owner });
          if (matches(agent)) finish(() => resolve(agent));
        } catch (error) {
          finish(() => reject(error));
        }
      });
    };
    const onTransition = (e: { agentId: string }) => {
      if (e.agentId === agentId) check();
    };
    const onAbort = () => finish(() => reject(opts.signal?.reason ?? new Error('aborted')));
    events.on('transition', onTransition);
    // Over a shared store, another instance's commit wakes us too.
    const unwatch = ctx.store.changes?.watch(agentId, check);
    // Another process may change the record: look again now and then.
    const poll = setInterval(check, 1000);
    poll.unref?.();
    const cancelTimeout =
      opts.timeout === undefined
        ? null
        : clock.setTimeout(
            () =>
              finish(() =>
                reject(
                  new BerthError('WAIT_TIMEOUT', `agent ${agentId} did not reach the awaited status in time`),
                ),
              ),
            opts.timeout,
          );
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    check();
  });
}
