/**
 * Explaining an agent's status from what is stored (so it works after a restart): the audit
 * entry that put the agent in its status, what happened since (driver errors, refusals,
 * recovery attempts, stale heartbeats), and what holds now (heartbeat age against the timeout,
 * recovery bookkeeping, waitlist, the operation in flight, the grace period of a deleted agent).
 *
 * @module
 */
import type { AgentExplanation, ExplanationCause, ExplanationKind } from '../explain-types.js';
import type { AgentRecord, AuditEntry } from '../record.js';
import type { ManagerContext } from './context.js';
import { iso, lastSignOfLife } from './records.js';

/** Causes from the trail kept at most (the newest). */
const MAX_TRAIL_CAUSES = 20;
/** Statuses a recovery episode explains (the trouble began when recovery did). */
const RECOVERING = new Set(['degraded', 'restarting', 'failed']);

/** Explain `r` from its audit trail and record. */
export async function explainAgent(ctx: ManagerContext, r: AgentRecord): Promise<AgentExplanation> {
  const entries = await ctx.store.audit(r.id);
  return explainRecord(r, entries, {
    now: ctx.clock.now(),
    heartbeatTimeoutMs: ctx.policies.heartbeatTimeoutMs,
    maxRecoveryAttempts: ctx.policies.maxRecoveryAttempts,
    deletedGraceMs: ctx.policies.deletedGraceMs,
  });
}

/** What {@link explainRecord} needs besides the record and its trail. */
export interface ExplainPolicies {
  readonly now: number;
  readonly heartbeatTimeoutMs: number;
  readonly maxRecoveryAttempts: number;
  readonly deletedGraceMs: number;
}

/** Explain a record from its trail (pure). */
export function explainRecord(
  r: AgentRecord,
  entries: readonly AuditEntry[],
  p: ExplainPolicies,
): AgentExplanation {
  let start = findLastIndex(entries, (e) => !e.denied && e.to === r.status && e.from !== r.status);
  let since = start >= 0 ? entries[start]!.at : r.createdAt;
  if (r.recovery && RECOVERING.has(r.status) && r.recovery.since < since) {
    // The trouble began before this status: explain from where recovery began.
    since = r.recovery.since;
    start = entries.findIndex((e) => e.at >= since);
  }
  const trail: ExplanationCause[] = [];
  for (let i = Math.max(start, 0); i < entries.length; i++) {
    const e = entries[i]!;
    if (i === start && !e.denied) {
      // What put the agent here, always as a transition (its error, if any, follows as its own cause).
      trail.push(cause(e.at, 'transition', transitionDetail(e)));
      const c = trailCause(e);
      if (c && c.kind !== 'transition') trail.push(c);
      continue;
    }
    const c = trailCause(e);
    if (c) trail.push(c);
  }
  const now = current(r, entries, p);
  const causes = [...trail.slice(-MAX_TRAIL_CAUSES), ...now];
  const headline = now.length > 0 ? now : trail.slice(-1);
  const summary = `${r.status} since ${clockTime(since)}${
    headline.length > 0 ? `: ${headline.map((c) => c.detail).join('; ')}` : ''
  }`;
  return { status: r.status, since: iso(since)!, summary, causes };
}

// --- internal helpers ---

function cause(at: number, kind: ExplanationKind, detail: string): ExplanationCause {
  return { at: iso(at)!, kind, detail };
}

function findLastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return i;
  return -1;
}

/** `12:04` (UTC), the way an operator reads a time of day. */
function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

function errorOf(e: AuditEntry): { code?: unknown; message?: unknown } | null {
  const error = e.metadata?.error;
  return typeof error === 'object' && error !== null
    ? (error as { code?: unknown; message?: unknown })
    : null;
}

function transitionDetail(e: AuditEntry): string {
  const error = errorOf(e);
  const why = e.reason ? `: ${e.reason}` : error ? `: ${String(error.code)} ${String(error.message)}` : '';
  return `${e.action} by ${e.actor}, ${e.from ?? 'new'} → ${e.to}${why}`;
}

/** What one audit entry of the episode says, or null for an entry that explains nothing. */
function trailCause(e: AuditEntry): ExplanationCause | null {
  if (e.denied) {
    const failed = e.guards.filter((g) => !g.passed).map((g) => g.guard);
    const reason = typeof e.metadata?.reason === 'string' ? ` ${e.metadata.reason}` : '';
    const repeats = typeof e.metadata?.repeats === 'number' ? ` (×${e.metadata.repeats})` : '';
    return cause(
      e.at,
      'guard',
      `${e.action} by ${e.actor} refused: ${e.code}${reason}${failed.length ? ` (${failed.join(', ')})` : ''}${repeats}`,
    );
  }
  const error = errorOf(e);
  if (e.action === 'op_failed' && error) {
    return cause(
      e.at,
      'driver_error',
      `${String(e.metadata?.op ?? 'operation')} failed: ${String(error.code)} ${String(error.message)}`,
    );
  }
  if (e.action === 'health_degraded' && e.metadata && 'exitCode' in e.metadata) {
    return cause(e.at, 'driver_error', e.reason ?? `exited with code ${String(e.metadata.exitCode)}`);
  }
  if (e.action === 'health_degraded' && e.metadata?.ghost === true) {
    return cause(e.at, 'driver_error', e.reason ?? 'the runtime vanished');
  }
  if (e.action === 'heartbeat_stale') {
    return cause(e.at, 'heartbeat', `no heartbeat since ${String(e.metadata?.lastHeartbeatAt ?? 'ever')}`);
  }
  if (e.action === 'restart' && typeof e.metadata?.recoveryAttempt === 'number') {
    return cause(e.at, 'recovery', `automatic recovery attempt ${e.metadata.recoveryAttempt}: restart`);
  }
  if (e.action === 'heartbeat' && e.from === e.to) return null;
  return cause(e.at, 'transition', transitionDetail(e));
}

/** What holds at the moment of asking. */
function current(r: AgentRecord, entries: readonly AuditEntry[], p: ExplainPolicies): ExplanationCause[] {
  const out: ExplanationCause[] = [];
  const now = p.now;
  const s = Math.round;
  if (r.operation) {
    const op = r.operation;
    const when = op.runAt !== null && op.runAt > now ? `, starts at ${iso(op.runAt)}` : '';
    out.push(
      cause(
        now,
        'operation',
        `${op.op} (${op.action}) in flight since ${clockTime(op.startedAt)}${when}, deadline ${clockTime(op.deadline)}`,
      ),
    );
  }
  const alive = lastSignOfLife(r);
  if (r.lastHeartbeatAt !== null && r.status !== 'deleted') {
    const age = now - alive;
    const limit = p.heartbeatTimeoutMs;
    out.push(
      cause(
        now,
        'heartbeat',
        age > limit
          ? `heartbeat ${s(age / 1000)} s old > ${s(limit / 1000)} s`
          : `heartbeat ${s(age / 1000)} s old (limit ${s(limit / 1000)} s)`,
      ),
    );
  }
  if (r.recovery && RECOVERING.has(r.status)) {
    const failures = entries.filter(
      (e) =>
        e.at >= r.recovery!.since &&
        !e.denied &&
        (e.action === 'op_failed' || e.action === 'health_degraded'),
    );
    const last = failures.at(-1);
    const lastError = last ? (errorOf(last) ? String(errorOf(last)!.code) : last.reason) : null;
    const n = r.recovery.attempts;
    const used = n >= p.maxRecoveryAttempts;
    out.push(
      cause(
        now,
        used ? 'policy' : 'recovery',
        `${n} ${n === 1 ? 'recovery' : 'recoveries'} failed${lastError ? `: ${lastError}` : ''}${
          used
            ? `; gave up at maxRecoveryAttempts ${p.maxRecoveryAttempts}`
            : `; next attempt at ${clockTime(r.recovery.nextAt)}`
        }`,
      ),
    );
  }
  if (r.status === 'waitlisted' && r.waitlist) {
    out.push(
      cause(
        now,
        'policy',
        `no capacity: waiting since ${clockTime(r.waitlist.since)}, attempt ${r.waitlist.attempts}, next at ${clockTime(r.waitlist.nextAt)}`,
      ),
    );
  }
  if (r.ghost) out.push(cause(now, 'driver_error', 'the driver has no resource for this agent'));
  if (r.status === 'deleted' && r.deletedAt !== null) {
    out.push(
      cause(
        now,
        'policy',
        `kept readable until ${iso(r.deletedAt + p.deletedGraceMs)} (grace period), then purged`,
      ),
    );
  }
  return out;
}
