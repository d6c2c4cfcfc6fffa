/**
 * The lifecycle manager: pure decisions over stored records.
 *
 * A dispatch loads the record, decides the transition with the compiled table, commits the new
 * record together with its audit entries in ONE compare-and-set write, then runs the driver
 * operation (with an operation id and an AbortSignal) and feeds its outcome back as an event.
 * No actor lives in memory per agent; a second manager over the same store picks up where the
 * first stopped.
 *
 * @module
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import { GENESIS_HASH, hashAuditEntry } from './audit.js';
import { ACTION_EFFECTS, unsupportedActions } from './effects.js';
import {
  type ActionAvailability,
  allowedActions,
  availableActions as chartAvailableActions,
  type CompiledTransition,
  configurationOf,
  decide,
  explain,
  INITIAL_STATE,
  statusOfState,
} from './chart.js';
import { flushMicrotasks, systemClock } from './clock.js';
import { driverCapabilities, type DriverEvent, type DriverResult, type DriverTarget } from './driver.js';
import {
  AgentNotFoundError,
  BerthError,
  DriverError,
  isBerthError,
  toBerthError,
  TransitionDeniedError,
  ValidationError,
  VersionConflictError,
} from './errors.js';
import type { ChartContext, ChartEvent, GuardEnv } from './guards.js';
import type {
  AgentView,
  Clock,
  CreateAgentInput,
  DispatchOptions,
  DispatchResult,
  LifecycleEvents,
  LifecycleManager,
  LifecycleManagerOptions,
  LifecyclePolicies,
  ReconcileReport,
  TickReport,
} from './manager-types.js';
import type {
  AgentRecord,
  AgentTokenRecord,
  AuditEntry,
  CommandRecord,
  DriverOperation,
  GuardVerdict,
  OperationRef,
  Revision,
} from './record.js';
import { createMemoryStore } from './stores/memory-store.js';
import type { StoreCommit } from './store.js';
import { ACTIONS, type Action, isAction, type LifecycleEventType } from './vocabulary.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const MAX_CAS_ATTEMPTS = 16;

/** Policies with every default filled in. */
export type ResolvedPolicies = Required<LifecyclePolicies>;

/** The defaults of {@link LifecyclePolicies}. */
export const DEFAULT_POLICIES: ResolvedPolicies = Object.freeze({
  requireReason: ['pause'] as readonly Action[],
  requireConfirm: ['recreate', 'destroy'] as readonly Action[],
  slotsPerOwner: Number.POSITIVE_INFINITY,
  heartbeatTimeoutMs: 90_000,
  operationTimeoutMs: 10 * MINUTE,
  maxRecoveryAttempts: 3,
  retryBaseMs: 1_000,
  retryMaxMs: MINUTE,
  deletedGraceMs: 7 * DAY,
  heartbeatAuditIntervalMs: 5 * MINUTE,
  registrationTokenTtlMs: 60 * MINUTE,
});

const OUTCOME_EVENTS: ReadonlySet<LifecycleEventType> = new Set(['provisioned', 'op_succeeded', 'op_failed']);
const CREDENTIAL_OPS: ReadonlySet<DriverOperation> = new Set(['provision', 'recreate']);
const SECRET_OPS: ReadonlySet<DriverOperation> = new Set([
  'provision',
  'start',
  'restart',
  'redeploy',
  'recreate',
]);
const BUILD_OPS: ReadonlySet<DriverOperation> = new Set(['provision', 'recreate', 'redeploy']);
const LEAKY_OPS: ReadonlySet<DriverOperation> = new Set([
  'provision',
  'recreate',
  'start',
  'restart',
  'redeploy',
]);
const NEW_REVISION_ACTIONS: ReadonlySet<string> = new Set([
  'recreate',
  'redeploy',
  'update',
  'rollback',
  'reprovision',
]);

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const newId = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
const newToken = (prefix: string) => `${prefix}_${randomBytes(24).toString('base64url')}`;
// Views format the same few instants again and again (created, updated at the same millisecond).
const isoCache = new Map<number, string>();
const iso = (ms: number | null) => {
  if (ms === null) return null;
  let text = isoCache.get(ms);
  if (text === undefined) {
    if (isoCache.size >= 1024) isoCache.clear();
    text = new Date(ms).toISOString();
    isoCache.set(ms, text);
  }
  return text;
};

function runtimeOf(key: string): string | null {
  const config = configurationOf(key);
  return typeof config === 'string' ? null : config.runtime;
}

function overlaysClear(key: string): boolean {
  const config = configurationOf(key);
  return (
    typeof config !== 'string' &&
    config.admission === 'open' &&
    config.access === 'enabled' &&
    config.billing === 'good'
  );
}

/** The driver operation a transition starts, if any. */
function operationFor(t: CompiledTransition, type: LifecycleEventType): DriverOperation | null {
  if (t.targetless) return null;
  if (t.to === 'deleting') return t.from === 'deleting' ? null : 'destroy';
  const before = runtimeOf(t.from);
  const after = runtimeOf(t.to);
  if (after === null || after === before) return null;
  switch (after) {
    case 'provisioning':
      return type === 'recreate' ? 'recreate' : 'provision';
    case 'starting':
      return 'start';
    case 'restarting':
      return 'restart';
    case 'redeploying':
      return 'redeploy';
    case 'stopping':
      return 'stop';
    default:
      return null;
  }
}

const verdictCache = new WeakMap<CompiledTransition, readonly GuardVerdict[]>();
function passedVerdicts(t: CompiledTransition): readonly GuardVerdict[] {
  let v = verdictCache.get(t);
  if (!v) {
    v = Object.freeze(t.guards.map((guard) => Object.freeze({ guard, passed: true })));
    verdictCache.set(t, v);
  }
  return v;
}

/** What a transaction is asked to do. */
interface TransactInput {
  readonly type: LifecycleEventType;
  readonly actor: string;
  readonly reason?: string | undefined;
  readonly confirm?: string | undefined;
  readonly operationId?: string | undefined;
  readonly errorCode?: string | undefined;
  readonly owner?: string | undefined;
  readonly expectedVersion?: number | undefined;
  readonly metadata?: Record<string, unknown> | undefined;
  /** Dispatch options that shape the plan (revision, image, config). */
  readonly options?: DispatchOptions | undefined;
  /** The system is restarting a degraded agent on its own. */
  readonly recoveryAttempt?: boolean | undefined;
  readonly resolvedImage?: string | undefined;
  readonly ghost?: boolean | undefined;
  /** Write refusals to the audit trail (default true). */
  readonly recordDenial?: boolean | undefined;
}

type TransactOutcome =
  | {
      readonly accepted: true;
      readonly record: AgentRecord;
      readonly previous: AgentRecord;
      readonly transition: CompiledTransition;
      readonly operation: OperationRef | null;
    }
  | { readonly accepted: false; readonly record: AgentRecord; readonly denial: ReturnType<typeof explain> };

interface InFlight {
  readonly agentId: string;
  readonly controller: AbortController;
  readonly promise: Promise<void>;
}

/**
 * Create a lifecycle manager.
 *
 * @param options - store, driver, clock, policies, secrets (all optional: an in-memory store
 *   and the system clock by default; without a driver only self-hosted agents can exist).
 * @example
 * ```ts
 * import { createLifecycleManager } from '@berth/core';
 * import { createMemoryDriver } from '@berth/driver-memory';
 *
 * const manager = createLifecycleManager({ driver: createMemoryDriver() });
 * const agent = await manager.create({ name: 'support-bot', owner: 'acme' });
 * await manager.waitFor(agent.id, 'running');
 * await manager.dispatch(agent.id, 'pause', { actor: 'user:ada', reason: 'budget review' });
 * ```
 */
export function createLifecycleManager(options: LifecycleManagerOptions = {}): LifecycleManager {
  const store = options.store ?? createMemoryStore();
  const driver = options.driver ?? null;
  const clock: Clock = options.clock ?? systemClock;
  const policies: ResolvedPolicies = { ...DEFAULT_POLICIES, ...stripUndefined(options.policies ?? {}) };
  const defaultOwner = options.defaultOwner ?? 'default';
  const defaultImage = options.defaultImage ?? 'berth/agent:latest';
  const events = new EventEmitter<LifecycleEvents>();
  const caps = driver ? driverCapabilities(driver) : null;
  const driverName = driver?.name ?? 'none';

  // Without a driver, every action that runs a driver operation is unavailable (destroy of a
  // self-hosted agent needs none); with one, what its capabilities lack.
  const unsupported: Action[] = caps
    ? unsupportedActions(caps)
    : ACTIONS.filter((a) => a !== 'destroy' && ACTION_EFFECTS[a].operation !== null);
  const envWithSlot: GuardEnv = Object.freeze({
    requireReason: policies.requireReason,
    requireConfirm: policies.requireConfirm,
    unsupported,
    slotAvailable: true,
    maxRecoveryAttempts: policies.maxRecoveryAttempts,
    driverName,
  });
  const envWithoutSlot: GuardEnv = Object.freeze({ ...envWithSlot, slotAvailable: false });

  const inflight = new Map<string, InFlight>();
  const launched = new Set<string>();
  const issuedTokens = new Map<string, string>();
  const background = new Set<Promise<unknown>>();
  let closed = false;
  let stopSweeper: (() => void) | null = null;
  let unwatch: (() => void) | null = null;

  // --- decisions ------------------------------------------------------------------------------

  const contextOf = (r: AgentRecord): ChartContext => ({
    name: r.name,
    kind: r.kind,
    operationId: r.operation?.id ?? null,
    recoveryAttempts: r.recovery?.attempts ?? 0,
  });

  async function envFor(r: AgentRecord): Promise<GuardEnv> {
    if (!Number.isFinite(policies.slotsPerOwner) || r.kind !== 'managed' || r.state !== INITIAL_STATE) {
      return envWithSlot;
    }
    return (await store.countSlots(r.owner)) < policies.slotsPerOwner ? envWithSlot : envWithoutSlot;
  }

  const backoff = (attempt: number) =>
    Math.min(policies.retryMaxMs, policies.retryBaseMs * 2 ** Math.max(0, attempt - 1));

  function dueAtOf(r: Omit<AgentRecord, 'dueAt'>): number | null {
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

  function auditEntry(
    r: AgentRecord,
    fields: Pick<
      AuditEntry,
      'actor' | 'action' | 'from' | 'to' | 'reason' | 'operationId' | 'guards' | 'metadata'
    > & {
      denied?: boolean;
      code?: string | null;
      at: number;
      seq: number;
      prevHash: string;
      /** The record version after this entry. @default the next version (this one, for refusals) */
      version?: number;
    },
  ): AuditEntry {
    // One literal with every field (hash last): `{ ...base, hash }` would give each entry its own
    // hidden class (V8 does not share the map of a spread-then-extended clone): ~330 B per entry.
    const entry = {
      id: `aud_${r.id.slice(4)}_${fields.seq}${fields.denied ? `_d${randomUUID().slice(0, 8)}` : ''}`,
      agentId: r.id,
      seq: fields.seq,
      at: fields.at,
      actor: fields.actor,
      action: fields.action,
      from: fields.from,
      to: fields.to,
      reason: fields.reason,
      operationId: fields.operationId,
      version: fields.version ?? (fields.denied ? r.version : r.version + 1),
      denied: fields.denied ?? false,
      code: fields.code ?? null,
      guards: fields.guards,
      metadata: fields.metadata,
      prevHash: fields.prevHash,
      hash: '',
    };
    entry.hash = hashAuditEntry(entry);
    return entry;
  }

  /** Plan the record, audit, revisions and tokens an accepted transition writes. */
  async function plan(
    r: AgentRecord,
    t: CompiledTransition,
    input: TransactInput,
  ): Promise<{
    commit: StoreCommit;
    record: AgentRecord;
    operation: OperationRef | null;
    token: string | null;
  }> {
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
    let token: string | null = null;
    let issueTokens: AgentTokenRecord[] | undefined;
    let revokeTokens = false;
    let lastHeartbeatAt = r.lastHeartbeatAt;
    let heartbeatAuditedAt = r.heartbeatAuditedAt;
    let recovery = r.recovery;
    let waitlist = r.waitlist;
    let deletedAt = r.deletedAt;
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
          spec = { ...spec, image: source.image, config: source.config };
        }
        const rev: Revision = {
          id: newId('rev'),
          agentId: r.id,
          number: all.length + revisionsToWrite.filter((x) => !all.some((y) => y.id === x.id)).length + 1,
          image,
          resolvedImage: null,
          config,
          action: type as Action,
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
        token = newToken('bat');
        issueTokens = [{ hash: sha256(token), agentId: r.id, createdAt: now, revokedAt: null }];
        revokeTokens = true;
      }
      if (op === 'provision' || op === 'recreate' || op === 'redeploy') ghost = false;
    }
    // A failed destroy is retried after a backoff (the chart keeps the agent deleting).
    if (t.to === 'deleting' && t.targetless && type === 'op_failed') {
      const attempts = (recovery?.attempts ?? 0) + 1;
      const runAt = now + backoff(attempts);
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
      waitlist = { attempts, since: waitlist?.since ?? now, nextAt: now + backoff(attempts) };
    } else if (toRuntime !== 'waitlisted' && toRuntime !== 'provisioning') {
      waitlist = null;
    }
    if (toRuntime === 'degraded' && fromRuntime !== 'degraded' && r.kind === 'managed') {
      // Attempts count within a window: an agent that stayed up long enough starts afresh.
      const fresh = !recovery || now - recovery.nextAt > RECOVERY_WINDOW_FACTOR * policies.retryMaxMs;
      const attempts = fresh ? 0 : recovery!.attempts;
      recovery = { attempts, since: fresh ? now : recovery!.since, nextAt: now + backoff(attempts + 1) };
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
          guards: passedVerdicts(t),
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
    // draft carries r's dueAt: overwrite it in place rather than copy 30 fields again.
    draft.dueAt = dueAtOf(draft);
    const record: AgentRecord = Object.freeze(draft);
    const commit: StoreCommit = {
      record,
      expectedVersion: r.version,
      audit,
      revisions: revisionsToWrite,
      issueTokens,
      revokeTokens,
    };
    return { commit, record, operation: newOperation, token };
  }

  async function recordDenial(entry: AuditEntry): Promise<void> {
    await store.appendDenial(entry);
    events.emit('audit', entry);
  }

  /** Load, decide, commit (compare-and-set, retried on conflict), then start the driver call. */
  async function transact(agentId: string, input: TransactInput): Promise<TransactOutcome> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
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
      const env = await envFor(r);
      const event: ChartEvent = {
        type: input.type,
        reason: input.reason,
        confirm: input.confirm,
        operationId: input.operationId,
        errorCode: input.errorCode,
        env,
      };
      const context = contextOf(r);
      const t = decide(r.state, event, context);
      if (!t) {
        const denial = explain(r.state, event, context);
        if (input.recordDenial !== false) {
          await recordDenial(
            auditEntry(r, {
              actor: input.actor,
              action: input.type,
              from: r.status,
              to: r.status,
              reason: input.reason?.trim() || null,
              operationId: input.operationId ?? null,
              guards: denial.guard ? [{ guard: denial.guard, passed: false }] : [],
              metadata: input.metadata ?? null,
              denied: true,
              code: denial.code,
              at: clock.now(),
              seq: r.auditSeq,
              prevHash: r.auditHead,
            }),
          );
        }
        return { accepted: false, record: r, denial };
      }
      const p = await plan(r, t, input);
      try {
        await store.commit(p.commit);
      } catch (error) {
        if (error instanceof VersionConflictError) continue;
        throw error;
      }
      afterCommit(r, p.record, t, p.commit.audit, input.actor);
      if (p.operation) {
        // A new operation supersedes the one in flight (e.g. destroy during provisioning).
        if (r.operation && r.operation.id !== p.operation.id)
          inflight.get(r.operation.id)?.controller.abort();
        if (p.token) issuedTokens.set(p.operation.id, p.token);
        if (p.operation.runAt === null) launch(p.record, p.operation);
      }
      return { accepted: true, record: p.record, previous: r, transition: t, operation: p.operation };
    }
    throw new BerthError(
      'VERSION_CONFLICT',
      `agent ${agentId} kept changing; gave up after ${MAX_CAS_ATTEMPTS} attempts`,
    );
  }

  function afterCommit(
    before: AgentRecord,
    after: AgentRecord,
    t: CompiledTransition,
    audit: readonly AuditEntry[],
    actor: string,
  ) {
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
      if (after.status === 'deleted') nudgeWaitlist();
    }
  }

  // --- driver operations ----------------------------------------------------------------------

  async function buildTarget(r: AgentRecord, op: OperationRef): Promise<DriverTarget> {
    const revs = op.revisionId ? await store.revisions(r.id) : [];
    const rev = revs.find((x) => x.id === op.revisionId);
    const token = issuedTokens.get(op.id) ?? null;
    return {
      agentId: r.id,
      owner: r.owner,
      name: r.name,
      workspaceId: r.workspaceId,
      spec: r.spec,
      revision: rev
        ? { id: rev.id, image: rev.image, config: rev.config }
        : { id: r.revision ?? 'none', image: r.spec.image, config: r.spec.config },
      credentials: token ? { agentId: r.id, agentToken: token } : null,
      secrets: SECRET_OPS.has(op.op) && options.secrets ? { ...(await options.secrets(r.owner)) } : {},
    };
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    background.add(promise);
    promise.finally(() => background.delete(promise)).catch(() => {});
    return promise;
  }

  function launch(r: AgentRecord, op: OperationRef): void {
    if (closed || launched.has(op.id)) return;
    if (!driver || r.kind === 'self_hosted') {
      // Nothing of a self-hosted agent lives in a driver (and only destroy applies to it): the
      // operation has nothing to do and succeeds at once.
      if (op.op !== 'destroy') return;
      launched.add(op.id);
      track(
        feedOutcome(r.id, op, null, undefined)
          .catch((error: unknown) => events.emit('error', toBerthError(error)))
          .finally(() => launched.delete(op.id)),
      );
      return;
    }
    launched.add(op.id);
    const controller = new AbortController();
    const run = async () => {
      events.emit('operation', { agentId: r.id, operationId: op.id, op: op.op, phase: 'started' });
      let result: DriverResult | undefined;
      let failure: BerthError | null = null;
      try {
        const target = await buildTarget(r, op);
        const method = driver[op.op];
        if (typeof method !== 'function')
          throw new DriverError('UNSUPPORTED', `driver '${driver.name}' cannot ${op.op}`);
        result = await method.call(driver, target, {
          operationId: op.id,
          operation: op.op,
          signal: controller.signal,
        });
      } catch (error) {
        failure = toBerthError(error);
      }
      issuedTokens.delete(op.id);
      await feedOutcome(r.id, op, failure, result);
    };
    const promise = track(
      run()
        .catch((error: unknown) => {
          events.emit('error', toBerthError(error));
        })
        .finally(() => {
          inflight.delete(op.id);
          // Its outcome is committed (or fenced): the record no longer names it, so nothing
          // would launch it again; forgetting it keeps the set from growing forever.
          launched.delete(op.id);
        }),
    );
    inflight.set(op.id, { agentId: r.id, controller, promise });
  }

  async function feedOutcome(
    agentId: string,
    op: OperationRef,
    failure: BerthError | null,
    result: DriverResult | undefined,
  ): Promise<void> {
    const type: LifecycleEventType = failure
      ? 'op_failed'
      : CREDENTIAL_OPS.has(op.op)
        ? 'provisioned'
        : 'op_succeeded';
    const errorCode = failure
      ? failure instanceof DriverError
        ? failure.driverCode
        : failure.code
      : undefined;
    let outcome: TransactOutcome | null = null;
    try {
      outcome = await transact(agentId, {
        type,
        actor: `driver:${driverName}`,
        operationId: op.id,
        errorCode,
        resolvedImage: result?.resolvedImage,
        metadata: failure
          ? { op: op.op, error: { code: errorCode, message: failure.message } }
          : { op: op.op },
      });
    } catch (error) {
      if (!(error instanceof AgentNotFoundError)) throw error;
    }
    const phase = outcome?.accepted ? (failure ? 'failed' : 'succeeded') : 'fenced';
    events.emit('operation', {
      agentId,
      operationId: op.id,
      op: op.op,
      phase,
      error: failure ? { code: errorCode ?? failure.code, message: failure.message } : undefined,
    });
    // A superseded operation that still built something must not leave it behind.
    if (phase === 'fenced' && !failure && LEAKY_OPS.has(op.op) && driver) {
      const current = outcome?.record ?? null;
      if (!current || current.status === 'deleting' || current.status === 'deleted') {
        await cleanup(agentId, current, op);
      }
    }
  }

  async function cleanup(agentId: string, r: AgentRecord | null, op: OperationRef): Promise<void> {
    if (!driver) return;
    const target: DriverTarget = {
      agentId,
      owner: r?.owner ?? '',
      name: r?.name ?? agentId,
      workspaceId: r?.workspaceId ?? '',
      spec: r?.spec ?? { image: '', config: {} },
      revision: { id: op.revisionId ?? 'none', image: r?.spec.image ?? '', config: r?.spec.config ?? {} },
      credentials: null,
      secrets: {},
    };
    try {
      await driver.destroy(target, {
        operationId: `${op.id}-cleanup`,
        operation: 'destroy',
        signal: new AbortController().signal,
      });
    } catch (error) {
      events.emit('error', toBerthError(error));
    }
  }

  // --- views ----------------------------------------------------------------------------------

  async function view(r: AgentRecord): Promise<AgentView> {
    const env = await envFor(r);
    const context = contextOf(r);
    const { actions, allowed } = availabilityOf(r.state, context, env);
    let waitlist: AgentView['waitlist'] = null;
    if (r.status === 'waitlisted' && r.waitlist) {
      const position = 1 + (await waitlistLine()).findIndex((x) => x.id === r.id);
      waitlist = { position, nextAttemptAt: iso(r.waitlist.nextAt)! };
    }
    return {
      id: r.id,
      name: r.name,
      owner: r.owner,
      kind: r.kind,
      status: r.status,
      state: r.state,
      version: r.version,
      availableActions: allowed,
      actions,
      workspaceId: r.workspaceId,
      revision: r.revision,
      image: r.spec.image,
      lastHeartbeatAt: iso(r.lastHeartbeatAt),
      operation: r.operation
        ? {
            id: r.operation.id,
            action: r.operation.action,
            op: r.operation.op,
            startedAt: iso(r.operation.startedAt)!,
          }
        : null,
      waitlist,
      ghost: r.ghost,
      createdAt: iso(r.createdAt)!,
      updatedAt: iso(r.updatedAt)!,
      deletedAt: iso(r.deletedAt),
      purgeAt: r.deletedAt === null ? null : iso(r.deletedAt + policies.deletedGraceMs),
    };
  }

  // Availability depends only on the configuration, the kind, whether an operation is in flight
  // and the environment (the name is never part of a denial here: confirmation is supplied).
  const availability = new Map<GuardEnv, Map<string, { actions: ActionAvailability[]; allowed: Action[] }>>();
  function availabilityOf(state: string, context: ChartContext, env: GuardEnv) {
    let byKey = availability.get(env);
    if (!byKey) {
      byKey = new Map();
      availability.set(env, byKey);
    }
    const key = `${state}|${context.kind}|${context.operationId === null ? 0 : 1}`;
    let hit = byKey.get(key);
    if (!hit) {
      const actions = Object.freeze(
        chartAvailableActions(state, context, env).map((a) => Object.freeze(a)),
      ) as ActionAvailability[];
      hit = {
        actions,
        allowed: Object.freeze(actions.filter((a) => a.allowed).map((a) => a.action)) as Action[],
      };
      byKey.set(key, hit);
    }
    return hit;
  }

  async function load(agentId: string, owner?: string): Promise<AgentRecord> {
    const r = await store.get(agentId);
    if (!r || (owner !== undefined && r.owner !== owner)) throw new AgentNotFoundError(agentId);
    return r;
  }

  function deny(r: AgentRecord, denial: ReturnType<typeof explain>): never {
    throw new TransitionDeniedError(
      denial.code === 'STALE_OPERATION' ? 'ILLEGAL_TRANSITION' : denial.code,
      denial.detail,
      {
        allowedActions: allowedActions(r.state, contextOf(r), envWithSlot),
        meta: { status: r.status, guard: denial.guard, unblock: denial.unblock },
      },
    );
  }

  async function idempotent<T>(
    scope: string,
    key: string | undefined,
    fingerprint: string,
    work: () => Promise<T>,
  ) {
    if (key === undefined) return work();
    const now = clock.now();
    const existing = await store.beginIdempotent({
      scope,
      key,
      fingerprint,
      state: 'in_progress',
      response: null,
      createdAt: now,
      expiresAt: now + DAY,
    });
    if (existing) {
      if (existing.fingerprint !== fingerprint) {
        throw new BerthError(
          'IDEMPOTENCY_KEY_REUSED',
          `idempotency key '${key}' was used with a different request`,
        );
      }
      if (existing.state !== 'done' || !existing.response) {
        throw new BerthError(
          'IDEMPOTENCY_KEY_IN_USE',
          `a request with idempotency key '${key}' is still running`,
        );
      }
      return existing.response.body as T;
    }
    try {
      const result = await work();
      await store.finishIdempotent(scope, key, { status: 200, body: result });
      return result;
    } catch (error) {
      await store.abandonIdempotent(scope, key);
      throw error;
    }
  }

  // --- sweeping -------------------------------------------------------------------------------

  /**
   * The waitlist in serving order: by when each agent joined it, ties in the store's
   * (oldest-first) order. Positions, nudges and sweeps all use this one order.
   */
  async function waitlistLine(): Promise<AgentRecord[]> {
    return (await store.list({ status: 'waitlisted' })).sort(
      (a, b) => (a.waitlist?.since ?? 0) - (b.waitlist?.since ?? 0),
    );
  }

  let nudging = false;
  function nudgeWaitlist() {
    if (nudging || closed) return;
    nudging = true;
    track(
      (async () => {
        try {
          await flushMicrotasks(1);
          for (const r of await waitlistLine()) {
            const outcome = await transact(r.id, {
              type: 'capacity_available',
              actor: 'system',
              recordDenial: false,
            });
            if (outcome.accepted) break; // one at a time: the next waits for its own turn
          }
        } catch (error) {
          events.emit('error', toBerthError(error));
        } finally {
          nudging = false;
        }
      })(),
    );
  }

  async function tick(): Promise<TickReport> {
    const now = clock.now();
    const report = { timedOut: 0, stale: 0, recovered: 0, waitlistRetries: 0, destroyRetries: 0, purged: 0 };
    const due = await store.due(now, 1000);
    const waitlisted: AgentRecord[] = [];
    for (const r of due) {
      try {
        const op = r.operation;
        if (op) {
          if (op.runAt !== null && op.runAt <= now && !launched.has(op.id)) {
            launch(r, op);
            if (op.op === 'destroy') report.destroyRetries++;
          }
          if (op.deadline <= now) {
            inflight.get(op.id)?.controller.abort();
            const outcome = await transact(r.id, {
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
          const outcome = await transact(r.id, {
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
          await transact(r.id, {
            type: 'health_degraded',
            actor: 'system',
            reason: `automatic recovery gave up after ${r.recovery.attempts} attempts`,
            recordDenial: false,
            metadata: { recoveryAttempts: r.recovery.attempts },
          });
        } else if (runtime === 'degraded' && r.recovery && r.recovery.nextAt <= now) {
          const outcome = await transact(r.id, {
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
      const head = (await waitlistLine())[0];
      waitlisted.length = 0;
      if (head) waitlisted.push(head);
    }
    for (const r of waitlisted) {
      try {
        const outcome = await transact(r.id, {
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

  // --- the manager ----------------------------------------------------------------------------

  const manager: LifecycleManager = {
    events,
    driverName,

    async create(input: CreateAgentInput, opts = {}) {
      const spec = validateCreate(input);
      const owner = input.owner ?? defaultOwner;
      const actor = opts.actor ?? 'system';
      return idempotent(
        `create:${owner}`,
        opts.idempotencyKey,
        JSON.stringify(['create', input]),
        async () => {
          const now = clock.now();
          const id = newId('agt');
          const base = blankRecord({
            id,
            name: spec.name,
            owner,
            kind: 'managed',
            code: null,
            now,
            spec: {
              image: spec.image ?? defaultImage,
              runtime: spec.runtime,
              region: spec.region,
              size: spec.size,
              config: spec.config ?? {},
            },
          });
          const created = auditEntry(base, {
            actor,
            action: 'create',
            from: null,
            to: base.status,
            reason: null,
            operationId: null,
            guards: [],
            metadata: { image: base.spec.image },
            at: now,
            seq: 1,
            prevHash: GENESIS_HASH,
          });
          const rev: Revision = {
            id: newId('rev'),
            agentId: id,
            number: 1,
            image: base.spec.image,
            resolvedImage: null,
            config: base.spec.config,
            action: 'create',
            sourceRevision: null,
            outcome: 'pending',
            createdAt: now,
          };
          const pending: AgentRecord = { ...base, revision: rev.id, auditSeq: 1, auditHead: created.hash };
          const env = await envFor(pending);
          const event: ChartEvent = { type: 'deploy', env };
          const context = contextOf(pending);
          const t = decide(pending.state, event, context);
          if (!t) deny(pending, explain(pending.state, event, context));
          const p = await plan(pending, t, { type: 'deploy', actor });
          const commit: StoreCommit = {
            ...p.commit,
            expectedVersion: 0,
            audit: [created, ...p.commit.audit],
            revisions: [rev, ...(p.commit.revisions ?? [])],
            quota: Number.isFinite(policies.slotsPerOwner)
              ? { owner, limit: policies.slotsPerOwner }
              : undefined,
          };
          await store.commit(commit);
          afterCommit(pending, p.record, t, commit.audit, actor);
          if (p.operation) {
            if (p.token) issuedTokens.set(p.operation.id, p.token);
            launch(p.record, p.operation);
          }
          return view(p.record);
        },
      );
    },

    async dispatch(agentId, action, opts = {}) {
      if (!isAction(action)) {
        throw new ValidationError(`unknown action '${String(action)}'`, [
          { path: 'action', message: 'not an action' },
        ]);
      }
      validateDispatch(action, opts);
      const fingerprint =
        opts.idempotencyKey === undefined
          ? ''
          : JSON.stringify([action, opts.reason, opts.confirm, opts.revision, opts.image, opts.config]);
      return idempotent(
        `dispatch:${agentId}`,
        opts.idempotencyKey,
        fingerprint,
        async (): Promise<DispatchResult> => {
          if (action === 'rollback') {
            const r = await load(agentId, opts.owner);
            const revs = await store.revisions(r.id);
            if (!revs.some((x) => x.id === opts.revision)) {
              throw new BerthError(
                'REVISION_NOT_FOUND',
                `agent ${agentId} has no revision '${opts.revision}'`,
              );
            }
          }
          const outcome = await transact(agentId, {
            type: action,
            actor: opts.actor ?? 'system',
            reason: opts.reason,
            confirm: opts.confirm,
            owner: opts.owner,
            expectedVersion: opts.expectedVersion,
            options: opts,
            metadata: action === 'rollback' ? { revision: opts.revision } : undefined,
          });
          if (!outcome.accepted) deny(outcome.record, outcome.denial);
          return {
            agent: await view(outcome.record),
            operation: outcome.operation ? { id: outcome.operation.id, action } : null,
          };
        },
      );
    },

    async get(agentId, opts = {}) {
      return view(await load(agentId, opts.owner));
    },

    async list(filter = {}) {
      const records = await store.list({ owner: filter.owner, status: filter.status });
      return Promise.all(records.map(view));
    },

    async availableActions(agentId, opts = {}) {
      return [...(await view(await load(agentId, opts.owner))).actions];
    },

    async waitFor(agentId, until, opts = {}) {
      const matches = typeof until === 'function' ? until : (a: AgentView) => a.status === until;
      const first = await manager.get(agentId, { owner: opts.owner });
      if (matches(first)) return first;
      return new Promise<AgentView>((resolve, reject) => {
        let done = false;
        let checking = Promise.resolve();
        const finish = (fn: () => void) => {
          if (done) return;
          done = true;
          events.off('transition', onTransition);
          cancelTimeout?.();
          clearInterval(poll);
          opts.signal?.removeEventListener('abort', onAbort);
          fn();
        };
        const check = () => {
          checking = checking.then(async () => {
            if (done) return;
            try {
              const agent = await manager.get(agentId, { owner: opts.owner });
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
                      new BerthError(
                        'WAIT_TIMEOUT',
                        `agent ${agentId} did not reach the awaited status in time`,
                      ),
                    ),
                  ),
                opts.timeout,
              );
        if (opts.signal?.aborted) onAbort();
        else opts.signal?.addEventListener('abort', onAbort, { once: true });
        check();
      });
    },

    async audit(agentId, opts = {}) {
      if (opts.owner !== undefined) await load(agentId, opts.owner);
      else if (!(await store.get(agentId)) && (await store.audit(agentId, { limit: 1 })).length === 0) {
        throw new AgentNotFoundError(agentId);
      }
      return store.audit(agentId, { after: opts.after });
    },

    async revisions(agentId, opts = {}) {
      await load(agentId, opts.owner);
      return store.revisions(agentId);
    },

    async createRegistrationToken(opts = {}) {
      const now = clock.now();
      const ttl =
        opts.expiresInSeconds !== undefined ? opts.expiresInSeconds * 1000 : policies.registrationTokenTtlMs;
      if (!Number.isFinite(ttl) || ttl <= 0) {
        throw new ValidationError('expiresInSeconds must be a positive number', [
          { path: 'expiresInSeconds', message: 'must be positive' },
        ]);
      }
      const token = newToken('brg');
      await store.putRegistrationToken({
        hash: sha256(token),
        owner: opts.owner ?? defaultOwner,
        createdAt: now,
        expiresAt: now + ttl,
        usedAt: null,
        revokedAt: null,
      });
      return { token, expiresAt: iso(now + ttl)! };
    },

    async register(input) {
      if (typeof input.code !== 'string' || input.code.trim() === '' || input.code.length > 200) {
        throw new ValidationError('code is required', [
          { path: 'code', message: 'a non-empty string of at most 200 characters' },
        ]);
      }
      const now = clock.now();
      const consumed =
        typeof input.registrationToken === 'string'
          ? await store.consumeRegistrationToken(sha256(input.registrationToken), now)
          : null;
      if (!consumed) {
        throw new BerthError(
          'REGISTRATION_TOKEN_INVALID',
          'the registration token is unknown, expired, revoked or used',
        );
      }
      const owner = consumed.owner;
      const token = newToken('bat');
      const issue: AgentTokenRecord = { hash: sha256(token), agentId: '', createdAt: now, revokedAt: null };
      const existing = await store.findByCode(owner, input.code);
      if (existing && existing.status !== 'deleted' && existing.status !== 'deleting') {
        // Re-registration: same agent, fresh token, older tokens revoked; counts as a heartbeat.
        for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
          const r = (await store.get(existing.id))!;
          const event: ChartEvent = { type: 'heartbeat', env: envWithSlot };
          const t = decide(r.state, event, contextOf(r));
          const at = clock.now();
          const entry = auditEntry(r, {
            actor: `agent:${r.id}`,
            action: 'register',
            from: r.status,
            to: t ? statusOfState(t.to) : r.status,
            reason: null,
            operationId: null,
            guards: t ? passedVerdicts(t) : [],
            metadata: { code: input.code, tokenRotated: true },
            at,
            seq: r.auditSeq + 1,
            prevHash: r.auditHead,
          });
          const draft: Omit<AgentRecord, 'dueAt'> = {
            ...r,
            state: t ? t.to : r.state,
            status: t ? statusOfState(t.to) : r.status,
            version: r.version + 1,
            lastHeartbeatAt: at,
            heartbeatAuditedAt: at,
            updatedAt: at,
            auditSeq: entry.seq,
            auditHead: entry.hash,
          };
          const next: AgentRecord = { ...draft, dueAt: dueAtOf(draft) };
          try {
            await store.commit({
              record: next,
              expectedVersion: r.version,
              audit: [entry],
              revokeTokens: true,
              issueTokens: [{ ...issue, agentId: r.id }],
            });
          } catch (error) {
            if (error instanceof VersionConflictError) continue;
            throw error;
          }
          if (t) afterCommit(r, next, t, [entry], `agent:${r.id}`);
          else events.emit('audit', entry);
          return { agentId: r.id, agentToken: token };
        }
        throw new BerthError('VERSION_CONFLICT', 'the agent kept changing during registration');
      }
      const id = newId('agt');
      const name = input.name?.trim() || input.code;
      const base = blankRecord({
        id,
        name,
        owner,
        kind: 'self_hosted',
        code: input.code,
        now,
        spec: { image: 'self-hosted', runtime: input.runtime, config: {} },
      });
      const registered = auditEntry(base, {
        actor: `agent:${id}`,
        action: 'register',
        from: null,
        to: base.status,
        reason: null,
        operationId: null,
        guards: [],
        metadata: { code: input.code, runtime: input.runtime ?? null },
        at: now,
        seq: 1,
        prevHash: GENESIS_HASH,
      });
      const pending: AgentRecord = { ...base, auditSeq: 1, auditHead: registered.hash };
      const t = decide(pending.state, { type: 'heartbeat', env: envWithSlot }, contextOf(pending))!;
      const p = await plan(pending, t, { type: 'heartbeat', actor: `agent:${id}` });
      await store.commit({
        ...p.commit,
        expectedVersion: 0,
        audit: [registered, ...p.commit.audit],
        issueTokens: [{ ...issue, agentId: id }],
      });
      afterCommit(pending, p.record, t, [registered, ...p.commit.audit], `agent:${id}`);
      return { agentId: id, agentToken: token };
    },

    async authenticateAgent(agentId, agentToken) {
      const unauthorized = () => new BerthError('UNAUTHORIZED', 'missing or invalid agent token');
      if (typeof agentToken !== 'string' || agentToken === '') throw unauthorized();
      const digest = sha256(agentToken);
      const stored = await store.findAgentToken(digest);
      if (
        !stored ||
        stored.agentId !== agentId ||
        !timingSafeEqual(Buffer.from(stored.hash, 'hex'), Buffer.from(digest, 'hex'))
      ) {
        throw unauthorized();
      }
      const r = await store.get(agentId);
      if (!r || r.status === 'deleted' || r.status === 'deleting') {
        throw new BerthError(
          'AGENT_REVOKED',
          'the agent was destroyed; register again with a fresh registration token',
        );
      }
      if (stored.revokedAt !== null) throw unauthorized();
      if (configurationOf(r.state) !== 'deleted' && r.status === 'disabled') {
        throw new BerthError('AGENT_DISABLED', 'the agent is disabled; an operator can enable it');
      }
      const config = configurationOf(r.state);
      if (typeof config !== 'string' && config.access === 'disabled') {
        throw new BerthError('AGENT_DISABLED', 'the agent is disabled; an operator can enable it');
      }
      return view(r);
    },

    async heartbeat(agentId) {
      const outcome = await transact(agentId, {
        type: 'heartbeat',
        actor: `agent:${agentId}`,
        recordDenial: false,
      });
      if (!outcome.accepted) deny(outcome.record, outcome.denial);
      return view(outcome.record);
    },

    async enqueueCommand(agentId, command, opts = {}) {
      if (typeof command.type !== 'string' || command.type.trim() === '' || command.type.length > 100) {
        throw new ValidationError('type is required', [
          { path: 'type', message: 'a non-empty string of at most 100 characters' },
        ]);
      }
      const r = await load(agentId, opts.owner);
      if (r.status === 'deleted' || r.status === 'deleting') {
        throw new TransitionDeniedError('ILLEGAL_TRANSITION', `agent ${agentId} is ${r.status}`, {
          allowedActions: [],
        });
      }
      const config = configurationOf(r.state);
      if (typeof config !== 'string' && config.admission === 'paused') {
        throw new BerthError('AGENT_PAUSED', 'the agent is paused: no new commands until it is resumed');
      }
      if (typeof config !== 'string' && config.billing === 'suspended') {
        throw new BerthError(
          'AGENT_PAUSED',
          'the agent is suspended for billing: no new commands until billing is resolved',
        );
      }
      const existing = await store.listCommands(agentId);
      const record: CommandRecord = {
        id: newId('cmd'),
        agentId,
        seq: existing.length + 1,
        type: command.type,
        payload: command.payload ?? null,
        status: 'pending',
        createdAt: clock.now(),
        claimedAt: null,
        finishedAt: null,
        output: null,
        error: null,
      };
      await store.putCommand(record);
      return record;
    },

    async pollCommands(agentId, opts = {}) {
      const limit = opts.limit ?? 10;
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
        throw new ValidationError('limit must be an integer from 1 to 100', [
          { path: 'limit', message: '1..100' },
        ]);
      }
      const r = await load(agentId);
      const config = configurationOf(r.state);
      // Admission is closed while paused or suspended for billing: in-flight commands may still
      // report their results, but nothing new is handed out.
      if (typeof config === 'string' || config.admission === 'paused' || config.billing === 'suspended') {
        return [];
      }
      return store.claimCommands(agentId, limit, clock.now());
    },

    async completeCommand(agentId, commandId, result) {
      await load(agentId);
      const existing = await store.getCommand(agentId, commandId);
      if (!existing) throw new BerthError('COMMAND_NOT_FOUND', `no command '${commandId}'`);
      const finished = await store.finishCommand(agentId, commandId, {
        status: result.ok ? 'succeeded' : 'failed',
        output: result.output ?? null,
        error: result.ok ? null : (result.error ?? { code: 'FAILED', message: 'the command failed' }),
        finishedAt: clock.now(),
      });
      if (!finished) {
        throw new TransitionDeniedError(
          'ILLEGAL_TRANSITION',
          `command '${commandId}' is ${existing.status}, not running`,
        );
      }
      return (await store.getCommand(agentId, commandId))!;
    },

    async commands(agentId, opts = {}) {
      await load(agentId, opts.owner);
      return store.listCommands(agentId);
    },

    async setBilling(agentId, suspended, opts = {}) {
      const outcome = await transact(agentId, {
        type: suspended ? 'billing_suspended' : 'billing_resolved',
        actor: opts.actor ?? 'billing',
        reason: opts.reason,
      });
      if (!outcome.accepted) deny(outcome.record, outcome.denial);
      return view(outcome.record);
    },

    async observe(event: DriverEvent, opts = {}) {
      const actor = opts.actor ?? `driver:${driverName}`;
      const r = await store.get(event.agentId);
      if (!r || r.operation) return; // unknown (an orphan) or an operation will report itself
      const runtime = r.status === 'deleted' || r.status === 'deleting' ? null : runtimeOf(r.state);
      if (runtime === null) return;
      const up = runtime === 'running' || runtime === 'degraded';
      switch (event.type) {
        case 'exited':
          if (!up) return;
          await transact(r.id, {
            type: 'health_degraded',
            actor,
            reason: `exited with code ${event.exitCode ?? 'unknown'}${event.oom ? ' (out of memory)' : ''}`,
            metadata: { exitCode: event.exitCode, oom: event.oom ?? false },
            recordDenial: false,
          });
          return;
        case 'removed':
          if (r.ghost || runtime === 'pending' || runtime === 'waitlisted') return;
          await transact(r.id, {
            type: 'health_degraded',
            actor,
            reason: 'the runtime vanished (removed out of band)',
            metadata: { ghost: true },
            ghost: true,
            recordDenial: false,
          });
          return;
        case 'health':
          await transact(r.id, {
            type: event.health === 'healthy' ? 'health_recovered' : 'health_degraded',
            actor,
            metadata: { health: event.health },
            recordDenial: false,
          });
          return;
        case 'started':
          if (runtime !== 'degraded') return;
          await transact(r.id, {
            type: 'health_recovered',
            actor,
            metadata: { started: true },
            recordDenial: false,
          });
          return;
      }
    },

    async reconcile(opts = {}): Promise<ReconcileReport> {
      const policy = opts.orphans ?? 'remove';
      const ghosts: string[] = [];
      const orphansRemoved: string[] = [];
      const orphansAdopted: string[] = [];
      if (!driver?.list) return { ghosts, orphansRemoved, orphansAdopted };
      const resources = await driver.list();
      const byAgent = new Map(resources.map((x) => [x.agentId, x]));
      // Resources a deleted agent left behind: removed, never adopted (deleted is final).
      const leftovers = new Set<string>();
      for (const r of await store.list()) {
        const res = byAgent.get(r.id);
        byAgent.delete(r.id);
        if (r.status === 'deleted' || r.status === 'deleting') {
          if (res && res.state !== 'missing' && r.status === 'deleted') {
            byAgent.set(r.id, res);
            leftovers.add(r.id);
          }
          continue;
        }
        if (r.operation) continue;
        if ((!res || res.state === 'missing') && !r.ghost && r.kind === 'managed') {
          const runtime = runtimeOf(r.state);
          if (runtime === 'pending' || runtime === 'waitlisted') continue;
          await manager.observe({ type: 'removed', agentId: r.id }, { actor: 'reconciler' });
          ghosts.push(r.id);
        } else if (res && res.state === 'exited') {
          await manager.observe(
            { type: 'exited', agentId: r.id, exitCode: res.exitCode },
            { actor: 'reconciler' },
          );
        }
      }
      for (const orphan of byAgent.values()) {
        if (orphan.state === 'missing' || policy === 'ignore') continue;
        if (policy === 'remove' || leftovers.has(orphan.agentId)) {
          await cleanup(orphan.agentId, null, {
            id: newId('op'),
            op: 'destroy',
            action: 'destroy',
            epoch: 0,
            actor: 'reconciler',
            startedAt: clock.now(),
            deadline: clock.now(),
            revisionId: null,
            runAt: null,
          });
          orphansRemoved.push(orphan.agentId);
        } else {
          orphansAdopted.push(await adopt(orphan.agentId, orphan.owner ?? defaultOwner, orphan.state));
        }
      }
      return { ghosts, orphansRemoved, orphansAdopted };
    },

    tick,

    async resume() {
      let count = 0;
      for (const r of await store.list()) {
        const op = r.operation;
        if (!op || launched.has(op.id) || (op.runAt !== null && op.runAt > clock.now())) continue;
        let current = r;
        if (CREDENTIAL_OPS.has(op.op)) {
          // The plaintext credentials died with the previous process: rotate them for the re-drive.
          const token = newToken('bat');
          const now = clock.now();
          const draft: Omit<AgentRecord, 'dueAt'> = { ...r, version: r.version + 1, updatedAt: now };
          current = { ...draft, dueAt: dueAtOf(draft) };
          try {
            await store.commit({
              record: current,
              expectedVersion: r.version,
              audit: [],
              revokeTokens: true,
              issueTokens: [{ hash: sha256(token), agentId: r.id, createdAt: now, revokedAt: null }],
            });
          } catch (error) {
            if (error instanceof VersionConflictError) continue;
            throw error;
          }
          issuedTokens.set(op.id, token);
        }
        launch(current, op);
        count++;
      }
      return count;
    },

    start(opts = {}) {
      if (closed) throw new BerthError('INTERNAL', 'the manager is closed');
      const interval = opts.intervalMs ?? 1000;
      if (!stopSweeper) {
        let cancel: (() => void) | null = null;
        let stopped = false;
        const loop = () => {
          cancel = clock.setTimeout(() => {
            track(
              tick()
                .catch((error: unknown) => events.emit('error', toBerthError(error)))
                .finally(() => {
                  if (!stopped) loop();
                }),
            );
          }, interval);
        };
        loop();
        stopSweeper = () => {
          stopped = true;
          cancel?.();
        };
      }
      if (!unwatch && driver?.watch) {
        unwatch = driver.watch((event) => {
          track(manager.observe(event).catch((error: unknown) => events.emit('error', toBerthError(error))));
        });
      }
    },

    async settle() {
      for (let i = 0; i < 1000; i++) {
        const pending = [...background];
        if (pending.length === 0) {
          await flushMicrotasks(2);
          if (background.size === 0) return;
          continue;
        }
        await Promise.allSettled(pending);
      }
    },

    async close() {
      closed = true;
      stopSweeper?.();
      stopSweeper = null;
      unwatch?.();
      unwatch = null;
      for (const f of inflight.values()) f.controller.abort();
      await Promise.allSettled([...background]);
      await driver?.dispose?.();
    },
  };

  async function adopt(agentId: string, owner: string, state: string): Promise<string> {
    const now = clock.now();
    const key = state === 'running' ? 'running' : 'stopped';
    const base: AgentRecord = {
      ...blankRecord({
        id: agentId,
        name: agentId,
        owner,
        kind: 'managed',
        code: null,
        now,
        spec: { image: defaultImage, config: {} },
      }),
      state: key,
      status: statusOfState(key),
      version: 1,
    };
    const entry = auditEntry(base, {
      actor: 'reconciler',
      action: 'adopt',
      from: null,
      to: base.status,
      reason: 'found a labelled resource unknown to the store',
      operationId: null,
      guards: [],
      metadata: null,
      at: now,
      seq: 1,
      version: 1,
      prevHash: GENESIS_HASH,
    });
    const record: AgentRecord = { ...base, auditSeq: 1, auditHead: entry.hash, dueAt: dueAtOf(base) };
    await store.commit({ record, expectedVersion: 0, audit: [entry] });
    events.emit('audit', entry);
    return agentId;
  }

  return manager;
}

// --- internal helpers ---------------------------------------------------------------------------

/** A record as it is before its first commit: pending, version 0, nothing run yet. */
function blankRecord(fields: {
  id: string;
  name: string;
  owner: string;
  kind: AgentRecord['kind'];
  code: string | null;
  spec: AgentRecord['spec'];
  now: number;
}): AgentRecord {
  return {
    id: fields.id,
    name: fields.name,
    owner: fields.owner,
    kind: fields.kind,
    state: INITIAL_STATE,
    status: statusOfState(INITIAL_STATE),
    version: 0,
    spec: fields.spec,
    workspaceId: newId('ws'),
    revision: null,
    lastGoodRevision: null,
    operation: null,
    epoch: 0,
    code: fields.code,
    lastHeartbeatAt: null,
    upSince: null,
    heartbeatAuditedAt: null,
    recovery: null,
    waitlist: null,
    dueAt: null,
    ghost: false,
    createdAt: fields.now,
    updatedAt: fields.now,
    deletedAt: null,
    auditSeq: 0,
    auditHead: GENESIS_HASH,
  };
}

/** Recovery attempts older than this many backoff ceilings are forgotten. */
const RECOVERY_WINDOW_FACTOR = 10;

/** The last time the agent showed it was alive: its last heartbeat, or when it last came up. */
function lastSignOfLife(r: Pick<AgentRecord, 'lastHeartbeatAt' | 'upSince'>): number {
  return Math.max(r.lastHeartbeatAt ?? 0, r.upSince ?? 0);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/;

function validateCreate(input: CreateAgentInput): CreateAgentInput {
  const issues: { path: string; message: string }[] = [];
  if (typeof input !== 'object' || input === null)
    throw new ValidationError('the agent spec must be an object', []);
  if (typeof input.name !== 'string' || !NAME.test(input.name)) {
    issues.push({
      path: 'name',
      message: '1–63 letters, digits, dots, dashes or underscores, starting with a letter or digit',
    });
  }
  for (const field of ['owner', 'image', 'runtime', 'region', 'size'] as const) {
    const v = input[field];
    if (v !== undefined && (typeof v !== 'string' || v.trim() === '' || v.length > 200)) {
      issues.push({ path: field, message: 'a non-empty string of at most 200 characters' });
    }
  }
  if (
    input.config !== undefined &&
    (typeof input.config !== 'object' || input.config === null || Array.isArray(input.config))
  ) {
    issues.push({ path: 'config', message: 'an object' });
  }
  if (issues.length > 0)
    throw new ValidationError(`invalid agent spec: ${issues.map((i) => i.path).join(', ')}`, issues);
  return input;
}

function validateDispatch(action: Action, opts: DispatchOptions): void {
  const issues: { path: string; message: string }[] = [];
  for (const field of ['reason', 'confirm', 'revision', 'image', 'actor'] as const) {
    const v = opts[field];
    if (v !== undefined && (typeof v !== 'string' || v.length > 1000)) {
      issues.push({ path: field, message: 'a string of at most 1000 characters' });
    }
  }
  if (action === 'rollback' && (typeof opts.revision !== 'string' || opts.revision === '')) {
    issues.push({ path: 'revision', message: 'rollback needs the revision to go back to' });
  }
  if (
    opts.config !== undefined &&
    (typeof opts.config !== 'object' || opts.config === null || Array.isArray(opts.config))
  ) {
    issues.push({ path: 'config', message: 'an object' });
  }
  if (opts.expectedVersion !== undefined && !Number.isInteger(opts.expectedVersion)) {
    issues.push({ path: 'expectedVersion', message: 'an integer' });
  }
  if (issues.length > 0)
    throw new ValidationError(`invalid ${action} request: ${issues.map((i) => i.path).join(', ')}`, issues);
}

/** True when an error is a refusal by the statechart (typed, with allowed actions). */
export function isTransitionDenied(error: unknown): error is TransitionDeniedError {
  return (
    error instanceof TransitionDeniedError || (isBerthError(error) && error.allowedActions !== undefined)
  );
}
