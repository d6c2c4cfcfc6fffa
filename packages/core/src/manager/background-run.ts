/**
 * Running one committed operation's driver call in the background: what every kind of
 * operation shares (the `started` event, its AbortController in `inflight`, `settle()` and
 * `close()` waiting for it, an operation left recorded when the manager closes under it).
 *
 * @module
 */
import { type BerthError, toBerthError } from '../errors.js';
import type { AgentRecord, OperationRef } from '../record.js';
import { type ManagerContext, track } from './context.js';
import { claimOperation } from './leases.js';

/**
 * Run `call` with the operation's signal, then `finish` with its outcome. A call aborted because
 * this manager is closing finishes nothing: the operation stays recorded, unfailed, for the next
 * manager's `resume()` to re-drive under the same operation id. Over a shared store (with leases)
 * the call runs only under this instance's lease, and `finish` gets the operation as leased (its
 * fencing epoch, bumped by a takeover) — null without leases.
 */
export function runInBackground<T>(
  ctx: ManagerContext,
  r: AgentRecord,
  op: OperationRef,
  call: (signal: AbortSignal) => Promise<T>,
  finish: (failure: BerthError | null, result: T | undefined, leased: OperationRef | null) => Promise<void>,
): void {
  const { events, launched, inflight, issuedCredentials } = ctx;
  launched.add(op.id);
  const controller = new AbortController();
  const run = async () => {
    // Over a shared store, the call runs only under this instance's lease on the operation.
    const leases = ctx.store.leases;
    const leased = leases ? await claimOperation(ctx, leases, r, op, controller) : null;
    if (leases && !leased) return;
    try {
      events.emit('operation', { agentId: r.id, operationId: op.id, op: op.op, phase: 'started' });
      let result: T | undefined;
      let failure: BerthError | null = null;
      try {
        result = await call(controller.signal);
      } catch (error) {
        failure = toBerthError(error);
      }
      issuedCredentials.delete(op.id);
      if (failure && controller.signal.aborted && ctx.state.closed) return;
      // The lease was lost: another instance runs the operation now, and reports its outcome.
      if (leased?.lost()) return;
      await finish(failure, result, leased?.op ?? null);
    } finally {
      await leased?.stop();
    }
  };
  const promise = track(
    ctx,
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
