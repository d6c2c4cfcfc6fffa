/**
 * Leased operations, over a store that several instances share (`store.leases`): an instance runs
 * an operation's driver call only under its lease, renews it while the call runs, and gives up
 * the call when the lease is lost. An instance that takes over an operation whose holder died
 * bumps the operation's fencing epoch in the record first (compare-and-set), so a late outcome of
 * the superseded attempt is refused and writes nothing; it rotates the agent's credentials when
 * the operation hands them out (their plaintext died with the other instance). Every instance
 * looks for orphaned operations every half lease and re-drives them with their own operation id.
 *
 * @module
 */
import { toBerthError, VersionConflictError } from '../errors.js';
import type { OperationLeases } from '../lease-types.js';
import type { AgentRecord, OperationRef } from '../record.js';
import { type ManagerContext, track } from './context.js';
import { CREDENTIAL_OPS } from './kinds.js';
import { issueCredentials } from './credentials.js';
import { dueAtOf } from './scheduling.js';

/** An operation this instance holds the lease of. */
export interface LeasedRun {
  /** The record and operation to run (the epoch bumped after a takeover). */
  readonly record: AgentRecord;
  readonly op: OperationRef;
  /** Whether the lease was lost while the call ran (then its outcome must not be fed). */
  lost(): boolean;
  /** Stop renewing and give the lease up. */
  stop(): Promise<void>;
}

const MAX_ATTEMPTS = 5;

/**
 * Take the operation over in the record: a new fencing epoch, and fresh credentials when the
 * operation hands them out and this instance does not hold their plaintext. Null when the record
 * no longer names the operation.
 */
async function takeOver(ctx: ManagerContext, agentId: string, opId: string) {
  const { store, clock, issuedCredentials } = ctx;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const r = await store.get(agentId);
    if (!r?.operation || r.operation.id !== opId) return null;
    const epoch = r.epoch + 1;
    const op: OperationRef = { ...r.operation, epoch };
    const now = clock.now();
    const draft: Omit<AgentRecord, 'dueAt'> = {
      ...r,
      operation: op,
      epoch,
      version: r.version + 1,
      updatedAt: now,
    };
    const record: AgentRecord = { ...draft, dueAt: dueAtOf(ctx, draft) };
    const rotate = CREDENTIAL_OPS.has(op.op) && !issuedCredentials.has(op.id);
    const issued = rotate ? issueCredentials(agentId, now) : null;
    try {
      await store.commit({
        record,
        expectedVersion: r.version,
        audit: [],
        ...(issued ? { revokeTokens: true, issueTokens: [issued.token] } : {}),
      });
    } catch (error) {
      if (error instanceof VersionConflictError) continue;
      throw error;
    }
    if (issued) issuedCredentials.set(op.id, issued.credentials);
    return { record, op };
  }
  return null;
}

/**
 * Take the lease of `op` and keep it renewed; null when another instance holds it (or the
 * record moved on). Renewal failing (the lease was taken over) aborts `controller`.
 */
export async function claimOperation(
  ctx: ManagerContext,
  leases: OperationLeases,
  r: AgentRecord,
  op: OperationRef,
  controller: AbortController,
): Promise<LeasedRun | null> {
  const claim = await leases.acquire(r.id, op.id);
  if (!claim) return null;
  let record = r;
  let current = op;
  const needsCredentials = CREDENTIAL_OPS.has(op.op) && !ctx.issuedCredentials.has(op.id);
  if (claim.takeover || needsCredentials) {
    const taken = await takeOver(ctx, r.id, op.id).catch(async (error: unknown) => {
      await leases.release(op.id).catch(() => undefined);
      throw error;
    });
    if (!taken) {
      await leases.release(op.id);
      return null;
    }
    record = taken.record;
    current = taken.op;
  }
  let lost = false;
  const timer = setInterval(
    () => {
      leases.renew(op.id).then(
        (ok) => {
          if (ok || lost) return;
          lost = true;
          controller.abort();
        },
        () => undefined, // a failed renewal is retried; a lease that runs out is fenced by its epoch
      );
    },
    Math.max(20, Math.floor(leases.leaseMs / 3)),
  );
  timer.unref?.();
  return {
    record,
    op: current,
    lost: () => lost,
    async stop() {
      clearInterval(timer);
      if (!lost) await leases.release(op.id).catch(() => undefined);
    },
  };
}

/** Re-drive operations whose instance died: every half lease, while the manager runs. */
export function startTakeovers(ctx: ManagerContext, leases: OperationLeases): () => void {
  const { store, clock, launched, events } = ctx;
  let scanning = false;
  const scan = async () => {
    for (const agentId of await leases.orphaned(100)) {
      const r = await store.get(agentId);
      const op = r?.operation;
      if (!r || !op || launched.has(op.id) || (op.runAt !== null && op.runAt > clock.now())) continue;
      ctx.launch(r, op);
    }
  };
  const timer = setInterval(
    () => {
      if (scanning || ctx.state.closed) return;
      scanning = true;
      track(
        ctx,
        scan()
          .catch((error: unknown) => {
            events.emit('error', toBerthError(error));
          })
          .finally(() => {
            scanning = false;
          }),
      );
    },
    Math.max(20, Math.floor(leases.leaseMs / 2)),
  );
  timer.unref?.();
  return () => clearInterval(timer);
}
