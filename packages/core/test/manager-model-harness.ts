/**
 * The model of the manager-model tests, shared by the memory store's run
 * (`manager-model.test.ts`) and the SQLite store's (`packages/store-sqlite/test`): fast-check
 * commands of operator actions, driver faults, heartbeats, billing changes and clock jumps, and
 * the invariants of the runtime checked against the stored truth after every command.
 */
import {
  ACTIONS,
  type Action,
  createLifecycleManager,
  flushMicrotasks,
  isBerthError,
  type LifecycleManager,
  type LifecycleStore,
  ManualClock,
  verifyAuditChain,
} from '@berth/core';
import { allTransitions, statusOfState } from '@berth/core/internal';
import { createMemoryDriver, type MemoryDriver } from '@berth/driver-memory';
import fc from 'fast-check';
import { expect } from 'vitest';

/** The seed every run of the model uses (printed in the test's name and on failure). */
export const SEED = 20261122;

/** Status-level edges of the published table, plus the entry points that create a record. */
const EDGES = new Set(
  allTransitions().map((t) => `${statusOfState(t.from)}|${t.event}|${statusOfState(t.to)}`),
);

interface Real {
  readonly manager: LifecycleManager;
  readonly driver: MemoryDriver;
  readonly store: LifecycleStore;
  readonly clock: ManualClock;
  readonly ids: string[];
  readonly deleted: Set<string>;
  /** Wait until background work has come to rest (stores other processes or pools write to). */
  readonly quiesce?: (() => Promise<void>) | undefined;
}

interface Model {
  agents: number;
}

async function checkInvariants(real: Real): Promise<void> {
  // Not settle(): a hung driver call (hangNext) stays in flight until a deadline aborts it.
  await flushMicrotasks(20);
  await real.quiesce?.();
  const perAgent = new Map<string, number>();
  for (const res of real.driver.resources()) perAgent.set(res.agentId, (perAgent.get(res.agentId) ?? 0) + 1);
  const pending = new Map<string, number>();
  for (const call of real.driver.calls) {
    if (call.outcome === 'pending' && call.agentId)
      pending.set(call.agentId, (pending.get(call.agentId) ?? 0) + 1);
  }
  for (const id of real.ids) {
    const record = await real.store.get(id);
    const entries = await real.store.audit(id);
    // The chain verifies and seq is contiguous.
    const verdict = verifyAuditChain(entries);
    expect(verdict, `audit chain of ${id}`).toEqual({ ok: true, length: expect.any(Number) });
    const accepted = entries.filter((e) => !e.denied);
    // Every audited (from, action, to) is an edge of the published table (create is the entry point).
    for (const e of accepted) {
      if (e.action === 'create') {
        expect(e.from).toBeNull();
        continue;
      }
      expect(EDGES.has(`${e.from}|${e.action}|${e.to}`), `edge ${e.from} --${e.action}--> ${e.to}`).toBe(
        true,
      );
    }
    // Audit entry <=> transition: the entries chain status to status and end where the record is.
    for (let i = 1; i < accepted.length; i++) {
      expect(accepted[i]!.from, `entry ${accepted[i]!.seq} starts where ${accepted[i - 1]!.seq} ended`).toBe(
        accepted[i - 1]!.to,
      );
    }
    if (record) {
      expect(accepted.at(-1)?.to).toBe(record.status);
      expect(record.auditSeq).toBe(accepted.at(-1)?.seq);
    }
    // Deleted stays deleted (or is purged).
    if (real.deleted.has(id)) expect(record === null || record.status === 'deleted').toBe(true);
    if (record?.status === 'deleted') real.deleted.add(id);
    // At most one driver operation in flight, at most one resource, none once deleted.
    expect(pending.get(id) ?? 0, `calls in flight for ${id}`).toBeLessThanOrEqual(1);
    expect(perAgent.get(id) ?? 0, `resources of ${id}`).toBeLessThanOrEqual(1);
    if (record === null || record.status === 'deleted') expect(perAgent.get(id) ?? 0).toBe(0);
  }
}

const pick = (real: Real, index: number) => real.ids[index % real.ids.length]!;

class CreateCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly name: string) {}
  check = (m: Readonly<Model>) => m.agents < 4;
  async run(m: Model, real: Real) {
    try {
      const agent = await real.manager.create({ name: this.name, owner: 'acme' });
      real.ids.push(agent.id);
      m.agents++;
    } catch (error) {
      // Only the quota may refuse a well-formed create, and then nothing is stored.
      expect(isBerthError(error) && error.code).toBe('QUOTA_EXCEEDED');
    }
    await checkInvariants(real);
  }
  toString = () => `create(${this.name})`;
}

class DispatchCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly index: number,
    readonly action: Action,
    readonly reason: boolean,
    readonly confirm: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.agents > 0;
  async run(_m: Model, real: Real) {
    const id = pick(real, this.index);
    const before = await real.store.get(id);
    const beforeAudit = (await real.store.audit(id)).filter((e) => !e.denied).length;
    const revision = (await real.store.revisions(id))[0]?.id;
    try {
      await real.manager.dispatch(id, this.action, {
        actor: 'user:model',
        reason: this.reason ? 'model says so' : undefined,
        confirm: this.confirm ? before?.name : 'not-the-name',
        revision: this.action === 'rollback' ? revision : undefined,
      });
    } catch (error) {
      if (!isBerthError(error)) throw error;
      // A refusal changes nothing: same version, no new accepted audit entry.
      const after = await real.store.get(id);
      if (
        before &&
        after &&
        [
          'ILLEGAL_TRANSITION',
          'OPERATION_IN_PROGRESS',
          'REASON_REQUIRED',
          'CONFIRMATION_REQUIRED',
          'AGENT_PAUSED',
          'QUOTA_EXCEEDED',
        ].includes(error.code)
      ) {
        expect(after.version).toBe(before.version);
        expect((await real.store.audit(id)).filter((e) => !e.denied).length).toBe(beforeAudit);
        expect(error.allowedActions).toBeDefined();
      }
    }
    await checkInvariants(real);
  }
  toString = () =>
    `dispatch(#${this.index}, ${this.action}${this.reason ? ', reason' : ''}${this.confirm ? ', confirm' : ''})`;
}

type Fault =
  | 'failNext'
  | 'hangNext'
  | 'crash'
  | 'remove'
  | 'unhealthy'
  | 'healthy'
  | 'capacity0'
  | 'capacity9';
class FaultCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly index: number,
    readonly fault: Fault,
    readonly op: 'provision' | 'start' | 'stop' | 'restart' | 'redeploy' | 'recreate' | 'destroy',
  ) {}
  check = (m: Readonly<Model>) => m.agents > 0;
  async run(_m: Model, real: Real) {
    const id = pick(real, this.index);
    const has = real.driver.resources().some((r) => r.agentId === id);
    switch (this.fault) {
      case 'failNext':
        real.driver.failNext(this.op);
        break;
      case 'hangNext':
        real.driver.hangNext(this.op);
        break;
      case 'crash':
        if (has) real.driver.crash(id, 137);
        break;
      case 'remove':
        if (has) real.driver.remove(id);
        break;
      case 'unhealthy':
      case 'healthy':
        if (has) real.driver.setHealth(id, this.fault);
        break;
      case 'capacity0':
        real.driver.setCapacity(real.driver.resources().length);
        break;
      case 'capacity9':
        real.driver.setCapacity(9);
        break;
    }
    await checkInvariants(real);
  }
  toString = () => `fault(#${this.index}, ${this.fault}${this.fault.endsWith('Next') ? ` ${this.op}` : ''})`;
}

class TimeCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(_m: Model, real: Real) {
    await real.clock.advance(this.ms);
    await real.manager.tick();
    await checkInvariants(real);
  }
  toString = () => `advance(${this.ms}ms) + tick`;
}

class HeartbeatCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number) {}
  check = (m: Readonly<Model>) => m.agents > 0;
  async run(_m: Model, real: Real) {
    await real.manager.heartbeat(pick(real, this.index)).catch((error: unknown) => {
      if (!isBerthError(error)) throw error;
    });
    await checkInvariants(real);
  }
  toString = () => `heartbeat(#${this.index})`;
}

class BillingCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly index: number,
    readonly suspended: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.agents > 0;
  async run(_m: Model, real: Real) {
    await real.manager.setBilling(pick(real, this.index), this.suspended).catch((error: unknown) => {
      if (!isBerthError(error)) throw error;
    });
    await checkInvariants(real);
  }
  toString = () => `billing(#${this.index}, ${this.suspended ? 'suspend' : 'resolve'})`;
}

const index = fc.nat({ max: 7 });
/** The command generators: operator actions, driver faults, clock jumps, heartbeats, billing. */
export const commands = [
  fc.constantFrom('alpha', 'beta', 'gamma', 'delta').map((n) => new CreateCommand(n)),
  fc
    .tuple(index, fc.constantFrom(...ACTIONS), fc.boolean(), fc.boolean())
    .map(([i, a, r, c]) => new DispatchCommand(i, a, r, c)),
  fc
    .tuple(
      index,
      fc.constantFrom<Fault>(
        'failNext',
        'hangNext',
        'crash',
        'remove',
        'unhealthy',
        'healthy',
        'capacity0',
        'capacity9',
      ),
      fc.constantFrom('provision', 'start', 'stop', 'restart', 'redeploy', 'recreate', 'destroy' as const),
    )
    .map(([i, f, op]) => new FaultCommand(i, f, op)),
  fc.constantFrom(500, 5_000, 100_000, 700_000, 8 * 24 * 3_600_000).map((ms) => new TimeCommand(ms)),
  index.map((i) => new HeartbeatCommand(i)),
  fc.tuple(index, fc.boolean()).map(([i, s]) => new BillingCommand(i, s)),
];

/** What the model's manager is built with. */
export interface ModelManagerOptions {
  readonly store: LifecycleStore;
  readonly driver: MemoryDriver;
  readonly clock: ManualClock;
  readonly policies: { readonly slotsPerOwner: number; readonly operationTimeoutMs: number };
}

/**
 * One run of the model: a fresh manager (memory driver, manual clock) over `store`, the commands
 * run against it, the invariants checked after each. `statusesSeen` collects the statuses reached.
 */
export async function runModel(
  cmds: Iterable<fc.AsyncCommand<Model, Real>>,
  store: LifecycleStore,
  statusesSeen?: Set<string>,
  /**
   * Build the manager the commands talk to (default: one manager over `store`). Several
   * instances over a shared store pass a manager that routes each call to one of them.
   */
  build: (options: ModelManagerOptions) => LifecycleManager = (o) => createLifecycleManager(o),
  quiesce?: () => Promise<void>,
): Promise<void> {
  const clock = new ManualClock();
  const driver = createMemoryDriver({ clock });
  const manager = build({
    store,
    driver,
    clock,
    policies: { slotsPerOwner: 3, operationTimeoutMs: 600_000 },
  });
  const unwatch = driver.watch((event) => {
    void manager.observe(event);
  });
  const real: Real = { manager, driver, store, clock, ids: [], deleted: new Set(), quiesce };
  if (statusesSeen) manager.events.on('transition', (e) => statusesSeen.add(e.to));
  try {
    await fc.asyncModelRun(() => ({ model: { agents: 0 }, real }), cmds);
  } finally {
    unwatch();
    await manager.close();
  }
}
