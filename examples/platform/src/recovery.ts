/**
 * What the platform does on every start, for every driver and every store. Before it answers:
 * `resume()` re-drives every operation left in flight, under its own operation id (with the
 * memory driver, whose simulated resources died with the last process, each agent's resource is
 * first put back on demand: the restart looks like a host that rebooted). Once it answers, in the
 * background: the memory driver's resources are all put back, and `reconcile()` compares the
 * store with the driver (ghosts marked, leftover resources removed).
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

/** What start-up recovery did once the platform answered. */
export interface RecoveryReport {
  /** Simulated resources put back (memory driver only). */
  readonly rehydrated: number;
  readonly reconciled: ReconcileReport;
}

/**
 * Before the platform answers: with the memory driver, rehydrate each agent on demand (its first
 * operation looks its record up), then `resume()` — which reads only the agents with an operation
 * in flight. Cheap whatever the number of agents stored. Returns how many operations it re-drove.
 */
export async function resumeOnStart(
  manager: LifecycleManager,
  store: LifecycleStore,
  driver: LifecycleDriver,
  log: (line: string) => void,
): Promise<number> {
  if (isMemoryDriver(driver)) {
    driver.rehydrateOnDemand(async (agentId) => {
      const record = await store.get(agentId);
      return record === null ? null : (priorResources([record])[0] ?? null);
    });
  }
  const resumed = await manager.resume();
  if (resumed > 0) log(`Resumed ${resumed} operation(s) left in flight by an earlier run.`);
  return resumed;
}

/**
 * Once the platform answers: with the memory driver, rehydrate every agent at once (so `list()`
 * shows them), then `reconcile()` — ghosts marked, leftover resources removed. It reads every
 * agent, so it runs in the background; operations meanwhile rehydrate on demand.
 */
export async function reconcileAfterStart(
  manager: LifecycleManager,
  store: LifecycleStore,
  driver: LifecycleDriver,
  log: (line: string) => void,
): Promise<RecoveryReport> {
  const rehydrated = isMemoryDriver(driver) ? driver.rehydrate(priorResources(await store.list())) : 0;
  const reconciled = await manager.reconcile({ orphans: 'remove' });
  if (rehydrated > 0) log(`Restarted ${rehydrated} simulated agent resource(s) of an earlier run.`);
  if (reconciled.orphansRemoved.length > 0) {
    log(`Removed ${reconciled.orphansRemoved.length} leftover container(s) of an earlier run.`);
  }
  if (reconciled.ghosts.length > 0) {
    log(`${reconciled.ghosts.length} agent(s) have lost their resource (marked degraded).`);
  }
  return { rehydrated, reconciled };
}

/** Runtime statuses whose resource exists but does not run. */
const AT_REST = new Set(['pending', 'waitlisted', 'provisioning', 'stopping', 'stopped', 'failed']);

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
