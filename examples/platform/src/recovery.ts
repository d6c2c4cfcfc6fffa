/**
 * What the platform does on every start, before it answers: with the memory driver, put back the
 * simulated resources the store says existed (they died with the last process: the restart looks
 * like a host that rebooted); then `resume()` re-drives every operation left in flight, under its
 * own operation id; then `reconcile()` compares the store with the driver (ghosts marked,
 * leftover resources removed). The same for every driver and every store.
 *
 * @module
 */
import type {
  AgentRecord,
  LifecycleDriver,
  LifecycleManager,
  LifecycleStore,
  ReconcileReport,
} from '@berth/core';
import type { MemoryDriver, PriorResource } from '@berth/driver-memory';

/** What start-up recovery did. */
export interface RecoveryReport {
  /** Simulated resources put back (memory driver only). */
  readonly rehydrated: number;
  /** Operations re-driven by `resume()`. */
  readonly resumed: number;
  readonly reconciled: ReconcileReport;
}

/** Runtime statuses whose resource exists but does not run. */
const AT_REST = new Set(['pending', 'waitlisted', 'provisioning', 'stopping', 'stopped', 'failed']);

/**
 * Rehydrate (memory driver), resume, reconcile.
 *
 * @param log - Where a line about what happened goes (nothing is printed when nothing happened).
 */
export async function recoverOnStart(
  manager: LifecycleManager,
  store: LifecycleStore,
  driver: LifecycleDriver,
  log: (line: string) => void,
): Promise<RecoveryReport> {
  const rehydrated = isMemoryDriver(driver) ? driver.rehydrate(priorResources(await store.list())) : 0;
  const resumed = await manager.resume();
  const reconciled = await manager.reconcile({ orphans: 'remove' });
  if (rehydrated > 0) log(`Restarted ${rehydrated} simulated agent resource(s) of an earlier run.`);
  if (resumed > 0) log(`Resumed ${resumed} operation(s) left in flight by an earlier run.`);
  if (reconciled.orphansRemoved.length > 0) {
    log(`Removed ${reconciled.orphansRemoved.length} leftover container(s) of an earlier run.`);
  }
  if (reconciled.ghosts.length > 0) {
    log(`${reconciled.ghosts.length} agent(s) have lost their resource (marked degraded).`);
  }
  return { rehydrated, resumed, reconciled };
}

/**
 * The resources the stored agents had: every managed agent that was once up (it has a last good
 * revision) and is not being deleted. Those whose runtime was up run again; the others are back
 * at rest.
 */
export function priorResources(records: readonly AgentRecord[]): PriorResource[] {
  const prior: PriorResource[] = [];
  for (const r of records) {
    if (r.kind !== 'managed' || r.lastGoodRevision === null) continue;
    if (r.status === 'deleting' || r.status === 'deleted') continue;
    // The record's state key is the runtime status, then its overlays (`running+paused`).
    const runtime = r.state.split('+')[0] ?? r.state;
    prior.push({
      agentId: r.id,
      owner: r.owner,
      name: r.name,
      workspaceId: r.workspaceId,
      revision: { id: r.lastGoodRevision, image: r.spec.image, config: r.spec.config },
      state: AT_REST.has(runtime) ? 'stopped' : 'running',
    });
  }
  return prior;
}

function isMemoryDriver(driver: LifecycleDriver): driver is MemoryDriver {
  return driver.name === 'memory' && typeof (driver as Partial<MemoryDriver>).rehydrate === 'function';
}
