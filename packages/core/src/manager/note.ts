/**
 * Notes on an agent's trail that move no status: a backup asked for or finished, a service
 * moving to the agent. Each is one compare-and-set commit of the record (version + 1) with its
 * audit entry and whatever the commit carries (catalog entries), retried on conflict; refusals
 * are appended as denied entries like the chart's.
 *
 * @module
 */
import { allowedActions } from '../chart.js';
import { BerthError, type ErrorCode, TransitionDeniedError } from '../errors.js';
import type { AgentRecord, AuditEntry } from '../record.js';
import type { StoreCommit } from '../store.js';
import type { ManagerContext } from './context.js';
import { auditEntry, contextOf } from './records.js';
import { withDue } from './scheduling.js';
import { RETRY, tryCommit, withCas } from './transaction.js';

/** What a note writes: its audit entry's fields, the record's changes, and what else the commit carries. */
export interface NoteDraft {
  readonly actor: string;
  readonly action: string;
  readonly reason?: string | null;
  readonly operationId?: string | null;
  readonly metadata: Readonly<Record<string, unknown>> | null;
  readonly patch?: Partial<Omit<AgentRecord, 'id' | 'version' | 'auditSeq' | 'auditHead'>>;
  readonly extra?: Pick<StoreCommit, 'backups' | 'services'>;
}

/** A committed note. */
export interface Noted {
  readonly record: AgentRecord;
  readonly previous: AgentRecord;
  readonly entry: AuditEntry;
}

/**
 * Commit a note on `agentId`'s trail. `draft` sees the record as read (and may throw a refusal,
 * or return null: nothing to write); a lost race re-reads and drafts again.
 *
 * @returns The committed note, or null when the draft wrote nothing (or the agent is gone).
 */
export async function commitNote(
  ctx: ManagerContext,
  agentId: string,
  draft: (r: AgentRecord) => NoteDraft | null | Promise<NoteDraft | null>,
): Promise<Noted | null> {
  const { store, clock, events } = ctx;
  return withCas(
    async () => {
      const r = await store.get(agentId);
      if (!r) return null;
      const d = await draft(r);
      if (!d) return null;
      const at = clock.now();
      const entry = auditEntry(r, {
        actor: d.actor,
        action: d.action,
        from: r.status,
        to: r.status,
        reason: d.reason ?? null,
        operationId: d.operationId ?? null,
        guards: [],
        metadata: d.metadata,
        at,
        seq: r.auditSeq + 1,
        prevHash: r.auditHead,
      });
      const record = withDue(ctx, {
        ...r,
        ...d.patch,
        version: r.version + 1,
        updatedAt: at,
        auditSeq: entry.seq,
        auditHead: entry.hash,
      });
      const committed = await tryCommit(ctx, {
        record,
        expectedVersion: r.version,
        audit: [entry],
        ...d.extra,
      });
      if (!committed) return RETRY;
      events.emit('audit', entry);
      return { record, previous: r, entry };
    },
    () => new BerthError('VERSION_CONFLICT', `agent ${agentId} kept changing; gave up`),
  );
}

/**
 * Append a refusal of `action` to the trail (folded like the chart's refusals) and return the
 * typed error to throw, naming the actions allowed instead.
 */
export async function refuse(
  ctx: ManagerContext,
  r: AgentRecord,
  refusal: {
    actor: string;
    action: string;
    code: ErrorCode;
    detail: string;
    metadata?: Record<string, unknown>;
  },
): Promise<TransitionDeniedError> {
  const entry = auditEntry(r, {
    actor: refusal.actor,
    action: refusal.action,
    from: r.status,
    to: r.status,
    reason: null,
    operationId: null,
    guards: [],
    metadata: refusal.metadata ?? null,
    denied: true,
    code: refusal.code,
    at: ctx.clock.now(),
    // The store re-stamps seq, prevHash and hash onto the actual head (or folds it).
    seq: r.auditSeq + 1,
    prevHash: r.auditHead,
  });
  const stored = await ctx.store.appendDenial(entry, { foldWithinMs: ctx.policies.refusalFoldMs });
  ctx.events.emit('audit', stored);
  return new TransitionDeniedError(refusal.code, refusal.detail, {
    allowedActions: allowedActions(r.state, contextOf(r), ctx.envs.withSlot),
    meta: { status: r.status },
  });
}
