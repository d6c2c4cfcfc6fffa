/**
 * The waitlist: its serving order, and the nudge that lets its head try when room frees up.
 *
 * @module
 */
import { flushMicrotasks } from '../clock.js';
import { toBerthError } from '../errors.js';
import type { AgentRecord } from '../record.js';
import { type ManagerContext, track } from './context.js';
import { transact } from './transaction.js';

/**
 * The waitlist in serving order: by when each agent joined it, ties in the store's
 * (oldest-first) order. Positions, nudges and sweeps all use this one order.
 */
export async function waitlistLine(ctx: ManagerContext): Promise<AgentRecord[]> {
  return (await ctx.store.list({ status: 'waitlisted' })).sort(
    (a, b) => (a.waitlist?.since ?? 0) - (b.waitlist?.since ?? 0),
  );
}

/** Let the head of the waitlist try now (one nudge at a time; refusals are not recorded). */
export function nudgeWaitlist(ctx: ManagerContext): void {
  if (ctx.state.nudging || ctx.state.closed) return;
  ctx.state.nudging = true;
  track(
    ctx,
    (async () => {
      try {
        await flushMicrotasks(1);
        for (const r of await waitlistLine(ctx)) {
          const outcome = await transact(ctx, r.id, {
            type: 'capacity_available',
            actor: 'system',
            recordDenial: false,
          });
          if (outcome.accepted) break; // one at a time: the next waits for its own turn
        }
      } catch (error) {
        ctx.events.emit('error', toBerthError(error));
      } finally {
        ctx.state.nudging = false;
      }
    })(),
  );
}
