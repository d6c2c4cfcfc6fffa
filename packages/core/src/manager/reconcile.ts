/**
 * Reconciling: compare the store with what the driver lists; mark ghosts, report exits, and
 * remove or adopt orphans (resources no record knows).
 *
 * @module
 */
import { statusOfState } from '../chart.js';
import type { ReconcileReport } from '../manager-types.js';
import type { AgentRecord } from '../record.js';
import type { ManagerContext } from './context.js';
import { observe } from './observe.js';
import { cleanup } from './operations.js';
import { blankRecord, newAgent, newId, runtimeOf } from './records.js';
import { dueAtOf } from './scheduling.js';
import { noteDue } from './transaction.js';

/** Compare the store with the driver: mark ghosts, remove or adopt orphans. */
export async function reconcile(
  ctx: ManagerContext,
  opts: { orphans?: 'remove' | 'adopt' | 'ignore' } = {},
): Promise<ReconcileReport> {
  const { store, driver, clock, defaultOwner } = ctx;
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
      await observe(ctx, { type: 'removed', agentId: r.id }, { actor: 'reconciler' });
      ghosts.push(r.id);
    } else if (res && res.state === 'exited') {
      await observe(ctx, { type: 'exited', agentId: r.id, exitCode: res.exitCode }, { actor: 'reconciler' });
    }
  }
  for (const orphan of byAgent.values()) {
    if (orphan.state === 'missing' || policy === 'ignore') continue;
    if (policy === 'remove' || leftovers.has(orphan.agentId)) {
      await cleanup(ctx, orphan.agentId, null, {
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
      orphansAdopted.push(await adopt(ctx, orphan.agentId, orphan.owner ?? defaultOwner, orphan.state));
    }
  }
  return { ghosts, orphansRemoved, orphansAdopted };
}

/** Take a labelled resource unknown to the store under management, as an agent of its own. */
async function adopt(ctx: ManagerContext, agentId: string, owner: string, state: string): Promise<string> {
  const { store, clock, events, defaultImage } = ctx;
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
  const born = newAgent(base, {
    actor: 'reconciler',
    action: 'adopt',
    reason: 'found a labelled resource unknown to the store',
    metadata: null,
    at: now,
    version: 1,
  });
  const entry = born.entry;
  const record: AgentRecord = { ...born.record, dueAt: dueAtOf(ctx, base) };
  await store.commit({ record, expectedVersion: 0, audit: [entry] });
  noteDue(ctx, record);
  events.emit('audit', entry);
  return agentId;
}
