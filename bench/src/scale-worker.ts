/**
 * One size of the scale measurement, in its own process (`node --expose-gc`, forked with IPC):
 * create `BERTH_SCALE_SIZE` agents through `manager.create`, report the time and the heap they
 * take, then answer `round` messages with a pause/resume dispatch rate over random stored agents.
 *
 * @module
 */
import {
  type AgentRecord,
  createLifecycleManager,
  createMemoryStore,
  type LifecycleManager,
  type LifecycleStore,
  lifecycleMachine,
} from '@berth/core';
import { createActor } from 'xstate';
import { gc } from './lib/bench.js';
import { createNullDriver } from './lib/null-driver.js';

/** What the store keeps of each commit. */
export type ScaleVariant =
  | 'full'
  | 'audit-capped'
  | 'no-audit'
  | 'no-revisions'
  | 'record-only'
  | 'xstate-actor';

/** The worker's report after creating its agents. */
export interface ScaleReport {
  readonly size: number;
  readonly variant: ScaleVariant;
  readonly createSeconds: number;
  /** Heap per agent with the manager (and its bookkeeping) alive. */
  readonly perAgentProcess: number;
  /** Heap per agent of the store alone (manager and driver dropped). */
  readonly perAgentStore: number;
  /** Audit entries and revisions per agent as created. */
  readonly auditPerAgent: number;
  readonly revisionsPerAgent: number;
}

const size = Number(process.env.BERTH_SCALE_SIZE ?? 1000);
const variant = (process.env.BERTH_SCALE_VARIANT ?? 'full') as ScaleVariant;

function heap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** A store that keeps only part of each commit (to see what dominates). */
function variantStore(base: LifecycleStore): LifecycleStore {
  if (variant === 'full' || variant === 'audit-capped' || variant === 'xstate-actor') return base;
  const dropAudit = variant === 'no-audit' || variant === 'record-only';
  const dropRevisions = variant === 'no-revisions' || variant === 'record-only';
  return {
    ...base,
    commit: (c) =>
      base.commit({
        ...c,
        audit: dropAudit ? [] : c.audit,
        revisions: dropRevisions ? [] : c.revisions,
      }),
  };
}

const send = (message: unknown) =>
  new Promise<void>((resolve, reject) =>
    process.send!(message, (e: Error | null) => (e ? reject(e) : resolve())),
  );

async function createAgents(manager: LifecycleManager): Promise<string[]> {
  const ids: string[] = new Array(size);
  const batch = 1000;
  for (let start = 0; start < size; start += batch) {
    const end = Math.min(size, start + batch);
    const views = await Promise.all(
      Array.from({ length: end - start }, (_, i) => manager.create({ name: `agent-${start + i}` })),
    );
    for (let i = 0; i < views.length; i++) ids[start + i] = views[i]!.id;
    await manager.settle();
  }
  return ids;
}

async function main(): Promise<void> {
  if (variant === 'xstate-actor') {
    const before = heap();
    const t0 = performance.now();
    const actors = [];
    const input = { name: 'agent', kind: 'managed' as const, operationId: null, recoveryAttempts: 0 };
    for (let i = 0; i < size; i++) actors.push(createActor(lifecycleMachine, { input }).start());
    const createSeconds = (performance.now() - t0) / 1000;
    const per = (heap() - before) / size;
    await send({
      type: 'report',
      report: {
        size,
        variant,
        createSeconds,
        perAgentProcess: per,
        perAgentStore: per,
        auditPerAgent: 0,
        revisionsPerAgent: 0,
      } satisfies ScaleReport,
    });
    if (actors.length !== size) throw new Error('lost actors');
    process.disconnect();
    return;
  }
  const before = heap();
  // audit-capped: the memory store's own option, keeping only each agent's latest audit entry.
  const store = createMemoryStore(variant === 'audit-capped' ? { maxAuditEntriesPerAgent: 1 } : {});
  const wrapped = variantStore(store);
  let manager: LifecycleManager | null = createLifecycleManager({
    store: wrapped,
    driver: createNullDriver(),
  });
  const t0 = performance.now();
  const ids = await createAgents(manager);
  const createSeconds = (performance.now() - t0) / 1000;
  const sample = (await store.get(ids[0]!)) as AgentRecord;
  if (sample.status !== 'running') throw new Error(`agents are ${sample.status}, not running`);
  const auditPerAgent = (await store.audit(ids[0]!)).length;
  const revisionsPerAgent = (await store.revisions(ids[0]!)).length;
  const withManager = heap();
  await manager.close();
  manager = null;
  const storeOnly = heap();
  await send({
    type: 'report',
    report: {
      size,
      variant,
      createSeconds,
      perAgentProcess: (withManager - before) / size,
      perAgentStore: (storeOnly - before) / size,
      auditPerAgent,
      revisionsPerAgent,
    } satisfies ScaleReport,
  });
  if (process.env.BERTH_SCALE_DISPATCH !== '1') {
    process.disconnect();
    return;
  }
  // Dispatch over the stored agents: a fresh manager on the same store (pause/resume need no driver).
  const live = createLifecycleManager({ store: wrapped, driver: createNullDriver() });
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  process.on('message', async (message: { type: string; ms: number }) => {
    if (message.type !== 'round') {
      await live.close();
      process.disconnect();
      return;
    }
    gc();
    const started = performance.now();
    let done = 0;
    while (performance.now() - started < message.ms) {
      for (let i = 0; i < 20; i++) {
        const id = ids[Math.floor(random() * ids.length)]!;
        await live.dispatch(id, 'pause', { actor: 'user:bench', reason: 'bench' });
        await live.dispatch(id, 'resume', { actor: 'user:bench' });
      }
      done += 40;
    }
    await send({ type: 'rate', rate: (done * 1000) / (performance.now() - started) });
  });
  await send({ type: 'ready' });
}

await main();
