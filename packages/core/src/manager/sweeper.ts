/**
 * The sweeper: what falls due (deadlines, stale heartbeats, recovery restarts, waitlist turns,
 * destroy retries, purges after the grace period) is acted on, and the loop that runs it.
 *
 * @module
 */
import {
  AgentNotFoundError,
  BerthError,
  DriverError,
  toBerthError,
  VersionConflictError,
} from '../errors.js';
import type { TickReport } from '../manager-types.js';
import type { AgentRecord } from '../record.js';
import { finishBackup, isChartOperation } from './backup-operation.js';
import { type ManagerContext, track } from './context.js';
import { startTakeovers } from './leases.js';
import { observe } from './observe.js';
import { iso, lastSignOfLife, runtimeOf } from './records.js';
import { transact } from './transaction.js';
import { waitlistLine } from './waitlist.js';

/** Run the sweeper once: deadlines, heartbeat staleness, recovery, waitlist, destroy retries, purge. */
export async function tick(ctx: ManagerContext): Promise<TickReport> {
  const { store, clock, policies, events, launched, inflight } = ctx;
  const now = clock.now();
  const report = { timedOut: 0, stale: 0, recovered: 0, waitlistRetries: 0, destroyRetries: 0, purged: 0 };
  // Over a shared store: process-wide jobs run on the instance holding their lease, and each
  // instance sweeps the due records it claimed (the others skip them).
  const leases = store.leases;
  const processWide = !leases || (await leases.holdJob('sweeper')) !== null;
  if (processWide && now >= ctx.state.nextExpiryPurgeAt) {
    // Expired registration tokens and idempotency records are worth nothing: drop them.
    ctx.state.nextExpiryPurgeAt = now + EXPIRY_PURGE_EVERY_MS;
    await store.purgeExpired(now);
  }
  const due = leases ? await leases.claimDue(now, 1000) : await store.due(now, 1000);
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
          if (!isChartOperation(op)) {
            const timeout = new DriverError('TIMEOUT', `${op.op} did not finish in time`);
            await finishBackup(ctx, r.id, op, timeout, undefined);
            report.timedOut++;
            continue;
          }
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
    // others wait their turn even if their own backoff ran out earlier. Over a shared store,
    // only the instance holding the process-wide lease promotes.
    const head = processWide ? (await waitlistLine(ctx))[0] : undefined;
    waitlisted.length = 0;
    if (head) waitlisted.push(head);
  } else if (leases && processWide) {
    // Another instance may have claimed the due ones in line: the holder looks at the head itself.
    const head = (await waitlistLine(ctx))[0];
    if (head?.waitlist && head.waitlist.nextAt <= now) waitlisted.push(head);
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

/** The longest the sweeper sleeps: a day (a timer cannot be armed much further out). */
export const MAX_SWEEP_SLEEP_MS = 24 * 60 * 60 * 1000;
/**
 * How often expired registration tokens and idempotency records are purged, at most: by a
 * sweep that runs anyway (the sweeper never sleeps longer than a day, so at least daily).
 */
export const EXPIRY_PURGE_EVERY_MS = 60 * 60 * 1000;

/**
 * Start the background sweeper and the driver's watch. The sweeper sleeps until the store's
 * `nextDueAt()` (a day at most), and this manager's own commits wake it earlier when they make
 * something due sooner; `intervalMs`, when given, is the longest it sleeps (for stores other
 * processes write to). Sweeps purge expired registration tokens and idempotency records too.
 */
export function start(ctx: ManagerContext, opts: { intervalMs?: number } = {}): void {
  const { clock, events, driver, store } = ctx;
  if (ctx.state.closed) throw new BerthError('INTERNAL', 'the manager is closed');
  const ceiling = Math.min(opts.intervalMs ?? MAX_SWEEP_SLEEP_MS, MAX_SWEEP_SLEEP_MS);
  if (!ctx.state.stopSweeper) {
    let cancel: (() => void) | null = null;
    let armedAt = Number.POSITIVE_INFINITY;
    let sweeping = false;
    let wakeDuringSweep = Number.POSITIVE_INFINITY;
    let stopped = false;
    const arm = (at: number) => {
      if (stopped) return;
      if (sweeping) {
        wakeDuringSweep = Math.min(wakeDuringSweep, at);
        return;
      }
      if (at >= armedAt) return;
      cancel?.();
      armedAt = at;
      cancel = clock.setTimeout(sweep, Math.max(0, at - clock.now()));
    };
    const sweep = () => {
      cancel = null;
      armedAt = Number.POSITIVE_INFINITY;
      sweeping = true;
      track(
        ctx,
        (async () => {
          await tick(ctx);
          return store.nextDueAt();
        })()
          .catch((error: unknown) => {
            events.emit('error', toBerthError(error));
            return null;
          })
          .then((nextDue) => {
            sweeping = false;
            const now = clock.now();
            const wake = Math.min(nextDue ?? Number.POSITIVE_INFINITY, wakeDuringSweep, now + ceiling);
            wakeDuringSweep = Number.POSITIVE_INFINITY;
            arm(Math.max(wake, now));
          }),
      );
    };
    ctx.state.wake = (dueAt) => {
      if (dueAt !== null) arm(dueAt);
    };
    arm(clock.now());
    // Over a shared store: take over the operations of instances that died.
    const stopTakeovers = store.leases ? startTakeovers(ctx, store.leases) : null;
    ctx.state.stopSweeper = () => {
      stopped = true;
      ctx.state.wake = null;
      cancel?.();
      stopTakeovers?.();
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
