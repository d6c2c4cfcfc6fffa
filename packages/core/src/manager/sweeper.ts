/**
 * The sweeper: what falls due (deadlines, stale heartbeats, recovery restarts, waitlist turns,
 * destroy retries, purges after the grace period) is acted on, and the loop that runs it.
 *
 * @module
 */
import { AgentNotFoundError, BerthError, toBerthError, VersionConflictError } from '../errors.js';
import type { TickReport } from '../manager-types.js';
import type { AgentRecord } from '../record.js';
import { type ManagerContext, track } from './context.js';
import { observe } from './observe.js';
import { iso, lastSignOfLife, runtimeOf } from './records.js';
import { transact } from './transaction.js';
import { waitlistLine } from './waitlist.js';

/** Run the sweeper once: deadlines, heartbeat staleness, recovery, waitlist, destroy retries, purge. */
export async function tick(ctx: ManagerContext): Promise<TickReport> {
  const { store, clock, policies, events, launched, inflight } = ctx;
  const now = clock.now();
  const report = { timedOut: 0, stale: 0, recovered: 0, waitlistRetries: 0, destroyRetries: 0, purged: 0 };
  const due = await store.due(now, 1000);
  const waitlisted: AgentRecord[] = [];
  for (const r of due) {
    try {
      const op = r.operation;
      if (op) {
        if (op.runAt !== null && op.runAt <= now && !launched.has(op.id)) {
          ctx.launch(r, op);
          if (op.op === 'destroy') report.destroyRetries++;
        }
        if (op.deadline <= now) {
          inflight.get(op.id)?.controller.abort();
          const outcome = await transact(ctx, r.id, {
            type: 'op_failed',
            actor: 'system',
            operationId: op.id,
            errorCode: 'TIMEOUT',
            reason: 'timeout',
            metadata: { op: op.op, error: { code: 'TIMEOUT', message: `${op.op} did not finish in time` } },
          });
          if (outcome.accepted) report.timedOut++;
        }
        continue;
      }
      const runtime = r.status === 'deleted' ? null : runtimeOf(r.state);
      if (
        runtime === 'running' &&
        r.lastHeartbeatAt !== null &&
        now - lastSignOfLife(r) >= policies.heartbeatTimeoutMs
      ) {
        const outcome = await transact(ctx, r.id, {
          type: 'heartbeat_stale',
          actor: 'system',
          metadata: { lastHeartbeatAt: iso(r.lastHeartbeatAt) },
        });
        if (outcome.accepted) report.stale++;
      } else if (
        runtime === 'degraded' &&
        r.recovery &&
        r.recovery.nextAt <= now &&
        r.recovery.attempts >= policies.maxRecoveryAttempts
      ) {
        // Recovery used up and still unhealthy: the chart fails it.
        await transact(ctx, r.id, {
          type: 'health_degraded',
          actor: 'system',
          reason: `automatic recovery gave up after ${r.recovery.attempts} attempts`,
          recordDenial: false,
          metadata: { recoveryAttempts: r.recovery.attempts },
        });
      } else if (runtime === 'degraded' && r.recovery && r.recovery.nextAt <= now) {
        const outcome = await transact(ctx, r.id, {
          type: 'restart',
          actor: 'system',
          reason: 'automatic recovery',
          recoveryAttempt: true,
          recordDenial: false,
          metadata: { recoveryAttempt: r.recovery.attempts + 1 },
        });
        if (outcome.accepted) report.recovered++;
      } else if (runtime === 'waitlisted' && r.waitlist && r.waitlist.nextAt <= now) {
        waitlisted.push(r);
      } else if (
        r.status === 'deleted' &&
        r.deletedAt !== null &&
        r.deletedAt + policies.deletedGraceMs <= now
      ) {
        await store.commit({ record: r, expectedVersion: r.version, audit: [], purge: true });
        report.purged++;
      }
    } catch (error) {
      if (!(error instanceof VersionConflictError) && !(error instanceof AgentNotFoundError)) {
        events.emit('error', toBerthError(error));
      }
    }
  }
  if (waitlisted.length > 0) {
    // Strict order: whenever someone in line is due, the head of the line tries first; the
    // others wait their turn even if their own backoff ran out earlier.
    const head = (await waitlistLine(ctx))[0];
    waitlisted.length = 0;
    if (head) waitlisted.push(head);
  }
  for (const r of waitlisted) {
    try {
      const outcome = await transact(ctx, r.id, {
        type: 'capacity_available',
        actor: 'system',
        recordDenial: false,
      });
      if (outcome.accepted) report.waitlistRetries++;
    } catch (error) {
      events.emit('error', toBerthError(error));
    }
  }
  return report;
}

/** Start the background sweeper (every `intervalMs`) and the driver's watch. */
export function start(ctx: ManagerContext, opts: { intervalMs?: number } = {}): void {
  const { clock, events, driver } = ctx;
  if (ctx.state.closed) throw new BerthError('INTERNAL', 'the manager is closed');
  const interval = opts.intervalMs ?? 1000;
  if (!ctx.state.stopSweeper) {
    let cancel: (() => void) | null = null;
    let stopped = false;
    const loop = () => {
      cancel = clock.setTimeout(() => {
        track(
          ctx,
          tick(ctx)
            .catch((error: unknown) => events.emit('error', toBerthError(error)))
            .finally(() => {
              if (!stopped) loop();
            }),
        );
      }, interval);
    };
    loop();
    ctx.state.stopSweeper = () => {
      stopped = true;
      cancel?.();
    };
  }
  if (!ctx.state.unwatch && driver?.watch) {
    ctx.state.unwatch = driver.watch((event) => {
      track(
        ctx,
        observe(ctx, event).catch((error: unknown) => events.emit('error', toBerthError(error))),
      );
    });
  }
}
