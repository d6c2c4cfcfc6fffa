/**
 * The one compare-and-set transaction: load the record, decide with the chart, plan, commit
 * on the version read (retried on conflict), then tell the world (events) and start the driver
 * call. Every write of a record goes through {@link tryCommit}; every retry through
 * {@link withCas}; every new agent through {@link commitNewAgent}.
 *
 * @module
 */
import { type CompiledTransition, decide, explain } from '../chart.js';
import type { AgentCredentials } from '../credentials.js';
import { AgentNotFoundError, BerthError, VersionConflictError } from '../errors.js';
import type { ChartEvent } from '../guards.js';
import type { AgentRecord, AuditEntry, OperationRef } from '../record.js';
import { isAction } from '../vocabulary.js';
import type { StoreCommit } from '../store.js';
import type { ManagerContext, TransactInput } from './context.js';
import { passedVerdicts } from './kinds.js';
import { plan } from './planning.js';
import { checkPreconditions, hasPreconditions } from './preconditions.js';
import { envFor } from './policies.js';
import { auditEntry, contextOf } from './records.js';

/** How often a transaction re-reads and re-decides after losing a compare-and-set race. */
export const MAX_CAS_ATTEMPTS = 16;

/** What a transaction did. */
export type TransactOutcome =
  | {
      readonly accepted: true;
      readonly record: AgentRecord;
      readonly previous: AgentRecord;
      readonly transition: CompiledTransition;
      readonly operation: OperationRef | null;
      /** Credentials the transition issued (provision, recreate), shown to the caller once. */
      readonly credentials: AgentCredentials | null;
    }
  | { readonly accepted: false; readonly record: AgentRecord; readonly denial: ReturnType<typeof explain> };

/** After a commit: wake the sweeper if the record fell due sooner than it planned to look. */
export function noteDue(ctx: ManagerContext, r: AgentRecord): void {
  if (r.dueAt !== null) ctx.state.wake?.(r.dueAt);
}

/** Commit; false when the stored version moved on (nothing was written). Other errors throw. */
export async function tryCommit(ctx: ManagerContext, commit: StoreCommit): Promise<boolean> {
  try {
    await ctx.store.commit(commit);
    noteDue(ctx, commit.record);
    return true;
  } catch (error) {
    if (error instanceof VersionConflictError) return false;
    throw error;
  }
}

/** A value an attempt of {@link withCas} returns to be tried again. */
export const RETRY: unique symbol = Symbol('retry');

/** Run `attempt` until it returns something other than {@link RETRY}, at most MAX_CAS_ATTEMPTS times. */
export async function withCas<T>(
  attempt: () => Promise<T | typeof RETRY>,
  giveUp: () => BerthError,
): Promise<T> {
  for (let i = 0; i < MAX_CAS_ATTEMPTS; i++) {
    const result = await attempt();
    if (result !== RETRY) return result;
  }
  throw giveUp();
}

/**
 * Append a refusal to the trail (identical refusals within `refusalFoldMs` fold into one entry
 * with a `repeats` count) and emit the entry as the store kept it: its own seq, or the folded head.
 */
async function recordDenial(ctx: ManagerContext, entry: AuditEntry): Promise<void> {
  const stored = await ctx.store.appendDenial(entry, { foldWithinMs: ctx.policies.refusalFoldMs });
  ctx.events.emit('audit', stored);
}

/** Load, decide, commit (compare-and-set, retried on conflict), then start the driver call. */
export async function transact(
  ctx: ManagerContext,
  agentId: string,
  input: TransactInput,
): Promise<TransactOutcome> {
  const { store, clock } = ctx;
  // Written as a plain loop (not withCas): the dispatch path keeps its exact await sequence.
  for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
    {
      const r = await store.get(agentId);
      if (!r || (input.owner !== undefined && r.owner !== input.owner)) throw new AgentNotFoundError(agentId);
      if (input.expectedVersion !== undefined && r.version !== input.expectedVersion) {
        throw new BerthError(
          'VERSION_MISMATCH',
          `agent is at version ${r.version}, not ${input.expectedVersion}`,
          {
            meta: { version: r.version },
          },
        );
      }
      const env = await envFor(ctx, r);
      const event: ChartEvent = {
        type: input.type,
        reason: input.reason,
        confirm: input.confirm,
        operationId: input.operationId,
        errorCode: input.errorCode,
        env,
      };
      const context = contextOf(r);
      // A superseded attempt of a taken-over operation: its outcome writes nothing.
      const fenced =
        input.epoch !== undefined &&
        r.operation !== null &&
        r.operation.id === input.operationId &&
        r.operation.epoch !== input.epoch;
      const t = fenced ? null : decide(r.state, event, context);
      // The chart allowed it: the embedder's preconditions may still refuse (operator actions).
      const checked =
        t && input.checkPreconditions && isAction(input.type) && hasPreconditions(ctx, input.type)
          ? await checkPreconditions(ctx, r, input.type, input.actor, input.options)
          : null;
      if (!t || checked?.denial) {
        const denial =
          checked?.denial ?? explain(r.state, fenced ? { ...event, operationId: undefined } : event, context);
        const guards =
          t && checked
            ? [...passedVerdicts(t), ...checked.verdicts]
            : denial.guard
              ? [{ guard: denial.guard, passed: false }]
              : [];
        const metadata =
          denial.reason === undefined
            ? (input.metadata ?? null)
            : { ...input.metadata, reason: denial.reason };
        if (input.recordDenial !== false && !fenced) {
          await recordDenial(
            ctx,
            auditEntry(r, {
              actor: input.actor,
              action: input.type,
              from: r.status,
              to: r.status,
              reason: input.reason?.trim() || null,
              operationId: input.operationId ?? null,
              guards,
              metadata,
              denied: true,
              code: denial.code,
              at: clock.now(),
              // The store re-stamps seq, prevHash and hash onto the actual head (or folds it).
              seq: r.auditSeq + 1,
              prevHash: r.auditHead,
            }),
          );
        }
        return { accepted: false, record: r, denial };
      }
      const p = await plan(
        ctx,
        r,
        t,
        checked?.verdicts.length ? { ...input, verdicts: checked.verdicts } : input,
      );
      try {
        await store.commit(p.commit);
      } catch (error) {
        if (error instanceof VersionConflictError) continue;
        throw error;
      }
      noteDue(ctx, p.record);
      afterCommit(ctx, r, p.record, t, p.commit.audit, input.actor);
      if (p.operation) {
        // A new operation supersedes the one in flight (e.g. destroy during provisioning).
        if (r.operation && r.operation.id !== p.operation.id)
          ctx.inflight.get(r.operation.id)?.controller.abort();
        if (p.credentials) ctx.issuedCredentials.set(p.operation.id, p.credentials);
        if (p.operation.runAt === null) ctx.launch(p.record, p.operation);
      }
      return {
        accepted: true,
        record: p.record,
        previous: r,
        transition: t,
        operation: p.operation,
        credentials: p.credentials,
      };
    }
  }
  throw new BerthError(
    'VERSION_CONFLICT',
    `agent ${agentId} kept changing; gave up after ${MAX_CAS_ATTEMPTS} attempts`,
  );
}

/** Tell the world about a committed transition: its audit entries, the transition, the waitlist. */
export function afterCommit(
  ctx: ManagerContext,
  before: AgentRecord,
  after: AgentRecord,
  t: CompiledTransition,
  audit: readonly AuditEntry[],
  actor: string,
): void {
  const { events } = ctx;
  for (const entry of audit) events.emit('audit', entry);
  if (t.to !== t.from) {
    events.emit('transition', {
      agentId: after.id,
      owner: after.owner,
      action: t.event,
      from: before.status,
      to: after.status,
      version: after.version,
      at: after.updatedAt,
      actor,
    });
  }
  if (after.status === 'deleted' || (t.event === 'op_failed' && before.status === 'provisioning')) {
    // Room may have freed up: let the waitlist try now.
    if (after.status === 'deleted') ctx.nudgeWaitlist();
  }
}

/**
 * Insert a new agent (version 0 → its first version): the planned first transition's commit
 * with the agent's first audit entry in front, then the events and, if the transition started
 * one, the driver operation.
 */
export async function commitNewAgent(
  ctx: ManagerContext,
  pending: AgentRecord,
  first: AuditEntry,
  t: CompiledTransition,
  p: Awaited<ReturnType<typeof plan>>,
  actor: string,
  extra: Pick<StoreCommit, 'revisions' | 'quota' | 'issueTokens'> = {},
): Promise<void> {
  const commit: StoreCommit = {
    ...p.commit,
    expectedVersion: 0,
    audit: [first, ...p.commit.audit],
    ...extra,
  };
  await ctx.store.commit(commit);
  noteDue(ctx, commit.record);
  afterCommit(ctx, pending, p.record, t, commit.audit, actor);
  if (p.operation) {
    if (p.credentials) ctx.issuedCredentials.set(p.operation.id, p.credentials);
    ctx.launch(p.record, p.operation);
  }
}
