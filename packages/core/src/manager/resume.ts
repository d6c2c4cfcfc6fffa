/**
 * Resuming: re-drive the operations a previous manager left in flight, with their own
 * operation ids (credentials rotated where the plaintext died with that process).
 *
 * @module
 */
import type { AgentRecord } from '../record.js';
import type { ManagerContext } from './context.js';
import { CREDENTIAL_OPS } from './kinds.js';
import { issueCredentials } from './credentials.js';
import { dueAtOf } from './scheduling.js';
import { tryCommit } from './transaction.js';

/**
 * Re-drive operations that were in flight when a previous manager stopped; returns how many.
 * Over a shared store (with leases) each is only launched: its lease decides whether this
 * instance runs it (another live instance may hold it).
 */
export async function resume(ctx: ManagerContext): Promise<number> {
  const { store, clock, launched, issuedCredentials } = ctx;
  let count = 0;
  // Every record with an operation in flight has a due time (at the latest its deadline), so the
  // due index finds them all without reading every agent: a restart costs what is in flight.
  for (const r of await store.due(Number.MAX_SAFE_INTEGER, Number.POSITIVE_INFINITY)) {
    const op = r.operation;
    if (!op || launched.has(op.id) || (op.runAt !== null && op.runAt > clock.now())) continue;
    let current = r;
    // Over a shared store the lease decides who runs it (and rotates what needs rotating).
    if (store.leases) {
      ctx.launch(r, op);
      count++;
      continue;
    }
    if (CREDENTIAL_OPS.has(op.op)) {
      // The plaintext credentials died with the previous process: rotate them for the re-drive.
      const now = clock.now();
      const issued = issueCredentials(r.id, now);
      const draft: Omit<AgentRecord, 'dueAt'> = { ...r, version: r.version + 1, updatedAt: now };
      current = { ...draft, dueAt: dueAtOf(ctx, draft) };
      const committed = await tryCommit(ctx, {
        record: current,
        expectedVersion: r.version,
        audit: [],
        revokeTokens: true,
        issueTokens: [issued.token],
      });
      if (!committed) continue;
      issuedCredentials.set(op.id, issued.credentials);
    }
    ctx.launch(current, op);
    count++;
  }
  return count;
}
