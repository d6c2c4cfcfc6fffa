/**
 * Planning a transition: from a record and the transition the chart chose, everything one
 * commit writes: the next record (operation, revision, recovery, waitlist, heartbeat and
 * deletion bookkeeping), its audit entry, new or finished revisions and agent tokens. Pure but
 * for reading revisions; nothing is written here.
 *
 * @module
 */
import { type CompiledTransition, statusOfState } from '../chart.js';
import type { AgentCredentials } from '../credentials.js';
import { BerthError } from '../errors.js';
import type { AgentRecord, AgentTokenRecord, AuditEntry, OperationRef, Revision } from '../record.js';
import type { StoreCommit } from '../store.js';
import type { Action } from '../vocabulary.js';
import type { ManagerContext, TransactInput } from './context.js';
import { backoff, RECOVERY_WINDOW_FACTOR } from './policies.js';
import { auditEntry, newId, runtimeOf } from './records.js';
import { issueCredentials } from './credentials.js';
import {
  BUILD_OPS,
  CREDENTIAL_OPS,
  NEW_REVISION_ACTIONS,
  OUTCOME_EVENTS,
  operationFor,
  passedVerdicts,
} from './kinds.js';
import { dueAtOf } from './scheduling.js';

/** Plan the record, audit, revisions and tokens an accepted transition writes. */
export async function plan(
  ctx: ManagerContext,
  r: AgentRecord,
  t: CompiledTransition,
  input: TransactInput,
): Promise<{
  commit: StoreCommit;
  record: AgentRecord;
  operation: OperationRef | null;
  credentials: AgentCredentials | null;
}> {
  const { store, clock, policies } = ctx;
  const now = clock.now();
  const type = input.type;
  const to = statusOfState(t.to);
  const fromRuntime = runtimeOf(t.from);
  const toRuntime = runtimeOf(t.to);
  const revisionsToWrite: Revision[] = [];
  let spec = r.spec;
  let revision = r.revision;
  let lastGoodRevision = r.lastGoodRevision;
  let operation = r.operation;
  let epoch = r.epoch;
  let credentials: AgentCredentials | null = null;
  let release: string | null = null;
  let issueTokens: AgentTokenRecord[] | undefined;
  let revokeTokens = false;
  let lastHeartbeatAt = r.lastHeartbeatAt;
  let heartbeatAuditedAt = r.heartbeatAuditedAt;
  let recovery = r.recovery;
  let waitlist = r.waitlist;
  let deletedAt = r.deletedAt;
  // Endpoints follow what the driver said after the operation; destroy releases them.
  let endpoints = input.endpoints ?? r.endpoints;
  let ghost = input.ghost === true ? true : r.ghost;
  const finishedOp = OUTCOME_EVENTS.has(type) ? r.operation : null;
  if (OUTCOME_EVENTS.has(type)) operation = null;

  const loadRevisions = async () => store.revisions(r.id);

  // Outcome bookkeeping: revisions succeed or fail with the operation that built them.
  if (finishedOp?.revisionId) {
    const all = await loadRevisions();
    const rev = all.find((x) => x.id === finishedOp.revisionId);
    if (rev) {
      let next = rev;
      if (input.resolvedImage && next.resolvedImage !== input.resolvedImage) {
        next = { ...next, resolvedImage: input.resolvedImage };
      }
      if (type === 'op_failed' && BUILD_OPS.has(finishedOp.op) && next.outcome === 'pending') {
        next = { ...next, outcome: 'failed' };
      }
      if (type === 'op_succeeded' && to === 'running' && next.outcome !== 'succeeded') {
        next = { ...next, outcome: 'succeeded' };
      }
      if (next !== rev) revisionsToWrite.push(next);
    }
  }
  if (type === 'op_succeeded' && toRuntime === 'running') {
    // The agent came up on the revision the operation ran: that is now the last good one.
    revision = finishedOp?.revisionId ?? revision;
    if (revision) lastGoodRevision = revision;
    if (revision && !revisionsToWrite.some((x) => x.id === revision)) {
      const rev = (await loadRevisions()).find((x) => x.id === revision);
      if (rev && rev.outcome !== 'succeeded') revisionsToWrite.push({ ...rev, outcome: 'succeeded' });
    }
  }

  // A new driver operation?
  const op = operationFor(t, type);
  let newOperation: OperationRef | null = null;
  if (op) {
    let revisionId: string | null = null;
    if (op === 'provision' && revision) {
      revisionId = revision;
    } else if (NEW_REVISION_ACTIONS.has(type)) {
      const all = await loadRevisions();
      let image = spec.image;
      let config = spec.config;
      let sourceRevision: string | null = null;
      if (type === 'update') {
        release = input.options?.release ?? null;
        spec = {
          ...spec,
          image: input.options?.image ?? spec.image,
          config: input.options?.config ?? spec.config,
        };
        image = spec.image;
        config = spec.config;
      } else if (type === 'rollback') {
        const source = all.find((x) => x.id === input.options?.revision);
        if (!source) throw new BerthError('REVISION_NOT_FOUND', `no revision '${input.options?.revision}'`);
        image = source.resolvedImage ?? source.image;
        config = source.config;
        sourceRevision = source.id;
        release = source.release ?? null;
        spec = { ...spec, image: source.image, config: source.config };
      } else if (type === 'recreate' && input.options?.size !== undefined) {
        // Recreate may change the size: the fresh resource is built at the new one.
        spec = { ...spec, size: input.options.size };
      }
      const rev: Revision = {
        id: newId('rev'),
        agentId: r.id,
        number: all.length + revisionsToWrite.filter((x) => !all.some((y) => y.id === x.id)).length + 1,
        image,
        resolvedImage: null,
        config,
        action: type as Action,
        ...(release === null ? {} : { release }),
        sourceRevision,
        outcome: 'pending',
        createdAt: now,
      };
      revisionsToWrite.push(rev);
      revision = rev.id;
      revisionId = rev.id;
    } else if (op === 'start' || op === 'restart') {
      revisionId = lastGoodRevision ?? revision;
    }
    epoch += 1;
    const retry = type === 'op_failed' && op === 'destroy';
    newOperation = {
      id: newId('op'),
      op,
      action: type,
      epoch,
      actor: input.actor,
      startedAt: now,
      deadline: now + policies.operationTimeoutMs,
      revisionId,
      runAt: null,
    };
    if (retry) newOperation = { ...newOperation, runAt: now, deadline: now + policies.operationTimeoutMs };
    operation = newOperation;
    // A ghost has no resource to copy credentials from: a rebuild gets fresh ones.
    if (CREDENTIAL_OPS.has(op) || (r.ghost && op === 'redeploy')) {
      const issued = issueCredentials(r.id, now);
      credentials = issued.credentials;
      issueTokens = [issued.token];
      revokeTokens = true;
    }
    if (op === 'provision' || op === 'recreate' || op === 'redeploy') ghost = false;
  }
  // A failed destroy is retried after a backoff (the chart keeps the agent deleting).
  if (t.to === 'deleting' && t.targetless && type === 'op_failed') {
    const attempts = (recovery?.attempts ?? 0) + 1;
    const runAt = now + backoff(policies, attempts);
    epoch += 1;
    recovery = { attempts, nextAt: runAt, since: recovery?.since ?? now };
    newOperation = {
      id: newId('op'),
      op: 'destroy',
      action: 'destroy',
      epoch,
      actor: 'system',
      startedAt: now,
      deadline: runAt + policies.operationTimeoutMs,
      revisionId: null,
      runAt,
    };
    operation = newOperation;
  }
  if (t.to === 'deleting' && t.from !== 'deleting') {
    endpoints = undefined;
    revokeTokens = true;
    recovery = null;
    waitlist = null;
  }
  if (t.to === 'deleted') {
    deletedAt = now;
    recovery = null;
  }

  // Heartbeats, waitlist, recovery.
  if (type === 'heartbeat') lastHeartbeatAt = now;
  const upSince = toRuntime === 'running' && type === 'op_succeeded' ? now : r.upSince;
  if (toRuntime === 'waitlisted' && fromRuntime !== 'waitlisted') {
    const attempts = (waitlist?.attempts ?? 0) + 1;
    waitlist = { attempts, since: waitlist?.since ?? now, nextAt: now + backoff(policies, attempts) };
  } else if (toRuntime !== 'waitlisted' && toRuntime !== 'provisioning') {
    waitlist = null;
  }
  if (toRuntime === 'degraded' && fromRuntime !== 'degraded' && r.kind === 'managed') {
    // Attempts count within a window: an agent that stayed up long enough starts afresh.
    const fresh = !recovery || now - recovery.nextAt > RECOVERY_WINDOW_FACTOR * policies.retryMaxMs;
    const attempts = fresh ? 0 : recovery!.attempts;
    recovery = {
      attempts,
      since: fresh ? now : recovery!.since,
      nextAt: now + backoff(policies, attempts + 1),
    };
  }
  if (input.recoveryAttempt && toRuntime === 'restarting') {
    recovery = { attempts: (recovery?.attempts ?? 0) + 1, since: recovery?.since ?? now, nextAt: now };
  }
  // Recovery is over when the agent proves healthy (a heartbeat, a health report) or an
  // operator's operation brings it up; a recovery restart alone proves nothing yet.
  const recoveryRestart = finishedOp?.action === 'restart' && finishedOp.actor === 'system';
  if (
    toRuntime === 'running' &&
    (type === 'heartbeat' || type === 'health_recovered' || (type === 'op_succeeded' && !recoveryRestart))
  ) {
    recovery = null;
  }

  // Audit: every accepted transition, except refresh-only heartbeats (sampled).
  const from = r.status;
  const refreshOnly = type === 'heartbeat' && t.targetless;
  const audited =
    !refreshOnly ||
    heartbeatAuditedAt === null ||
    now - heartbeatAuditedAt >= policies.heartbeatAuditIntervalMs;
  if (type === 'heartbeat' && audited) heartbeatAuditedAt = now;
  const audit: AuditEntry[] = [];
  if (audited) {
    audit.push(
      auditEntry(r, {
        actor: input.actor,
        action: type,
        from,
        to,
        reason: input.reason?.trim() || null,
        operationId: finishedOp?.id ?? newOperation?.id ?? null,
        guards: input.verdicts?.length ? [...passedVerdicts(t), ...input.verdicts] : passedVerdicts(t),
        metadata:
          finishedOp && newOperation
            ? Object.assign({}, input.metadata, { nextOperationId: newOperation.id })
            : (input.metadata ?? null),
        at: now,
        seq: r.auditSeq + 1,
        prevHash: r.auditHead,
      }),
    );
  }
  const head = audit.at(-1);
  const draft: { -readonly [K in keyof AgentRecord]: AgentRecord[K] } = {
    ...r,
    state: t.to,
    status: to,
    version: r.version + 1,
    spec,
    revision,
    lastGoodRevision,
    operation,
    epoch,
    lastHeartbeatAt,
    upSince,
    heartbeatAuditedAt,
    recovery,
    waitlist,
    ghost,
    updatedAt: now,
    deletedAt,
    auditSeq: head ? head.seq : r.auditSeq,
    auditHead: head ? head.hash : r.auditHead,
  };
  if (endpoints !== r.endpoints) draft.endpoints = endpoints?.length ? endpoints : undefined;
  // draft carries r's dueAt: overwrite it in place rather than copy 30 fields again.
  draft.dueAt = dueAtOf(ctx, draft);
  const record: AgentRecord = Object.freeze(draft);
  const commit: StoreCommit = {
    record,
    expectedVersion: r.version,
    audit,
    revisions: revisionsToWrite,
    issueTokens,
    revokeTokens,
  };
  return { commit, record, operation: newOperation, credentials };
}
