/**
 * Scheduling: when the sweeper must look at a record again (its `dueAt`): an operation's
 * retry or deadline, a heartbeat going stale, the next recovery attempt, the next waitlist
 * attempt, the end of a deleted agent's grace period.
 *
 * @module
 */
import type { AgentRecord } from '../record.js';
import type { ManagerContext } from './context.js';
import { lastSignOfLife, overlaysClear, runtimeOf } from './records.js';

/** The earliest instant anything about `r` falls due, or null when nothing ever will by itself. */
export function dueAtOf(
  ctx: Pick<ManagerContext, 'policies' | 'caps'>,
  r: Omit<AgentRecord, 'dueAt'>,
): number | null {
  const { policies, caps } = ctx;
  let due = Number.POSITIVE_INFINITY;
  if (r.operation) {
    due = Math.min(due, r.operation.runAt ?? r.operation.deadline, r.operation.deadline);
  }
  const runtime = r.status === 'deleted' || r.status === 'deleting' ? null : runtimeOf(r.state);
  if (runtime === 'running' && r.lastHeartbeatAt !== null) {
    due = Math.min(due, lastSignOfLife(r) + policies.heartbeatTimeoutMs);
  }
  if (
    runtime === 'degraded' &&
    r.kind === 'managed' &&
    r.recovery &&
    !r.operation &&
    caps?.restart &&
    overlaysClear(r.state)
  ) {
    due = Math.min(due, r.recovery.nextAt);
  }
  if (runtime === 'waitlisted' && r.waitlist) due = Math.min(due, r.waitlist.nextAt);
  if (r.status === 'deleted' && r.deletedAt !== null)
    due = Math.min(due, r.deletedAt + policies.deletedGraceMs);
  return Number.isFinite(due) ? due : null;
}

/** The record with its `dueAt` computed from the rest. */
export function withDue(
  ctx: Pick<ManagerContext, 'policies' | 'caps'>,
  draft: Omit<AgentRecord, 'dueAt'>,
): AgentRecord {
  return { ...draft, dueAt: dueAtOf(ctx, draft) };
}
