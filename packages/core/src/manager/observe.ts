/**
 * Observing drivers: an out-of-band event (exited, removed, health, started) becomes the
 * matching health event of the chart, unless an operation in flight will report itself.
 *
 * @module
 */
import type { DriverEvent } from '../driver.js';
import type { ManagerContext } from './context.js';
import { runtimeOf } from './records.js';
import { transact } from './transaction.js';

/** Apply an out-of-band observation (from a driver's watch or a resync). */
export async function observe(
  ctx: ManagerContext,
  event: DriverEvent,
  opts: { actor?: string } = {},
): Promise<void> {
  const { store, driverName } = ctx;
  const actor = opts.actor ?? `driver:${driverName}`;
  const r = await store.get(event.agentId);
  if (!r || r.operation) return; // unknown (an orphan) or an operation will report itself
  const runtime = r.status === 'deleted' || r.status === 'deleting' ? null : runtimeOf(r.state);
  if (runtime === null) return;
  const up = runtime === 'running' || runtime === 'degraded';
  switch (event.type) {
    case 'exited':
      if (!up) return;
      await transact(ctx, r.id, {
        type: 'health_degraded',
        actor,
        reason: `exited with code ${event.exitCode ?? 'unknown'}${event.oom ? ' (out of memory)' : ''}`,
        metadata: { exitCode: event.exitCode, oom: event.oom ?? false },
        recordDenial: false,
      });
      return;
    case 'removed':
      if (r.ghost || runtime === 'pending' || runtime === 'waitlisted') return;
      await transact(ctx, r.id, {
        type: 'health_degraded',
        actor,
        reason: 'the runtime vanished (removed out of band)',
        metadata: { ghost: true },
        ghost: true,
        recordDenial: false,
      });
      return;
    case 'health':
      await transact(ctx, r.id, {
        type: event.health === 'healthy' ? 'health_recovered' : 'health_degraded',
        actor,
        metadata: { health: event.health },
        recordDenial: false,
      });
      return;
    case 'started':
      if (runtime !== 'degraded') return;
      await transact(ctx, r.id, {
        type: 'health_recovered',
        actor,
        metadata: { started: true },
        recordDenial: false,
      });
      return;
  }
}
