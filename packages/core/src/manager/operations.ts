/**
 * Running operations: launching the driver call of a committed operation (with its operation
 * id and an AbortSignal), building the target it is given, feeding the outcome back through
 * the transaction, and cleaning up what a superseded operation built.
 *
 * @module
 */
import type { DriverResult, DriverTarget } from '../driver.js';
import { AgentNotFoundError, type BerthError, DriverError, toBerthError } from '../errors.js';
import type { AgentRecord, DriverOperation, OperationRef } from '../record.js';
import type { LifecycleEventType } from '../vocabulary.js';
import { runInBackground } from './background-run.js';
import { type ManagerContext, track } from './context.js';
import { restoreWorkspace } from './restore.js';
import { CREDENTIAL_OPS, LEAKY_OPS, SECRET_OPS } from './kinds.js';
import { type TransactOutcome, transact } from './transaction.js';

/** What the driver is told about the agent for one operation. */
export async function buildTarget(
  ctx: ManagerContext,
  r: AgentRecord,
  op: OperationRef,
): Promise<DriverTarget> {
  const { store, issuedCredentials, secrets } = ctx;
  const revs = op.revisionId ? await store.revisions(r.id) : [];
  const rev = revs.find((x) => x.id === op.revisionId);
  const issued = issuedCredentials.get(op.id) ?? null;
  return {
    agentId: r.id,
    owner: r.owner,
    name: r.name,
    workspaceId: r.workspaceId,
    spec: r.spec,
    revision: rev
      ? { id: rev.id, image: rev.image, config: rev.config }
      : { id: r.revision ?? 'none', image: r.spec.image, config: r.spec.config },
    credentials: issued
      ? {
          agentId: r.id,
          agentToken: issued.runtimeToken,
          username: issued.username,
          password: issued.password,
        }
      : null,
    secrets: SECRET_OPS.has(op.op) && secrets ? { ...(await secrets(r.owner)) } : {},
  };
}

/** Start the driver call of a committed operation (once per operation id). */
export function launch(
  ctx: ManagerContext,
  r: AgentRecord,
  op: OperationRef & { readonly op: DriverOperation },
): void {
  const { driver, events, launched } = ctx;
  if (ctx.state.closed || launched.has(op.id)) return;
  if (!driver || r.kind === 'self_hosted') {
    // Nothing of a self-hosted agent lives in a driver (and only destroy applies to it): the
    // operation has nothing to do and succeeds at once.
    if (op.op !== 'destroy') return;
    launched.add(op.id);
    track(
      ctx,
      feedOutcome(ctx, r.id, op, null, undefined)
        .catch((error: unknown) => events.emit('error', toBerthError(error)))
        .finally(() => launched.delete(op.id)),
    );
    return;
  }
  const kind = op.op;
  runInBackground(
    ctx,
    r,
    op,
    async (signal): Promise<DriverResult | undefined> => {
      const target = await buildTarget(ctx, r, op);
      if (kind === 'provision' && r.restoredFrom)
        await restoreWorkspace(ctx, target, op, r.restoredFrom, signal);
      const method = driver[kind];
      if (typeof method !== 'function')
        throw new DriverError('UNSUPPORTED', `driver '${driver.name}' cannot ${kind}`);
      return method.call(driver, target, { operationId: op.id, operation: kind, signal });
    },
    // Under a lease (a shared store), the outcome is fenced by the epoch the lease ran under.
    (failure, result, leased) => feedOutcome(ctx, r.id, leased ?? op, failure, result, leased !== null),
  );
}

/** Feed a driver call's outcome back as an event (fenced if the record moved on). */
export async function feedOutcome(
  ctx: ManagerContext,
  agentId: string,
  op: OperationRef,
  failure: BerthError | null,
  result: DriverResult | undefined,
  fence = false,
): Promise<void> {
  const { driver, events, driverName } = ctx;
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
    outcome = await transact(ctx, agentId, {
      type,
      actor: `driver:${driverName}`,
      operationId: op.id,
      epoch: fence ? op.epoch : undefined,
      // A leased outcome that lost its operation writes nothing, not even a refusal.
      recordDenial: fence ? false : undefined,
      errorCode,
      resolvedImage: result?.resolvedImage,
      endpoints: failure ? undefined : result?.endpoints,
      metadata: failure ? { op: op.op, error: { code: errorCode, message: failure.message } } : { op: op.op },
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
      await cleanup(ctx, agentId, current, op);
    }
  }
}

/** Remove what a superseded operation (or an orphan) left behind; failures are reported as `error` events. */
export async function cleanup(
  ctx: ManagerContext,
  agentId: string,
  r: AgentRecord | null,
  op: OperationRef,
): Promise<void> {
  const { driver, events } = ctx;
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
