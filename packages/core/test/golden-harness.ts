/**
 * Golden traces (not a test file): runs a scenario against a real manager over the memory store
 * and the memory driver on a {@link ManualClock}, and records what it did, normalised so two runs
 * of the same code give the same text: every audit trail, the driver calls in order, the emitted
 * events and each step's outcome. Random ids, tokens and hashes become placeholders numbered in
 * order of first appearance, so a change in who refers to what still shows.
 */
import {
  createLifecycleManager,
  createMemoryStore,
  flushMicrotasks,
  isBerthError,
  type LifecycleManager,
  type LifecyclePolicies,
  ManualClock,
  type MemoryStore,
  verifyAuditChain,
} from '@berth/core';
import { createMemoryDriver, type MemoryDriver, type MemoryDriverOptions } from '@berth/driver-memory';

/** One manager of a golden scenario, with its own driver, over a store the scenario may share. */
export interface GoldenManager {
  readonly manager: LifecycleManager;
  readonly driver: MemoryDriver;
}

/** What a scenario gets to drive. */
export interface GoldenContext {
  readonly clock: ManualClock;
  readonly store: MemoryStore;
  /** The first manager (with its driver); `spawn` makes more over the same store. */
  readonly manager: LifecycleManager;
  readonly driver: MemoryDriver;
  /** Another manager over the same store and clock, with a fresh memory driver. */
  spawn(options?: { policies?: LifecyclePolicies; driver?: MemoryDriverOptions }): GoldenManager;
  /** Run one named step and record its outcome (a status, a value, or an error code). */
  step<T>(name: string, work: () => Promise<T>, summarise?: (value: T) => unknown): Promise<T | undefined>;
  /** Let every manager's background work and watch events finish. */
  settle(): Promise<void>;
  /** Move the clock and settle. */
  advance(ms: number): Promise<void>;
  /** Let queued callbacks run without waiting for driver calls (use while a call hangs). */
  flush(): Promise<void>;
  /** Stop waiting for a manager's background work (it "died": never closed, never answered). */
  retire(manager: LifecycleManager): void;
  /** Remember an agent id whose audit trail goes into the trace. */
  track(agentId: string): void;
}

/** Options of {@link runGolden}. */
export interface GoldenOptions {
  readonly policies?: LifecyclePolicies;
  readonly driver?: MemoryDriverOptions;
}

function outcomeOf(value: unknown): unknown {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if ('agent' in v && v.agent && typeof v.agent === 'object') {
      const a = v.agent as Record<string, unknown>;
      return { status: a.status, version: a.version, operation: v.operation ?? null };
    }
    if ('status' in v && 'version' in v) return { status: v.status, version: v.version };
  }
  return value;
}

function errorSummary(error: unknown): unknown {
  if (isBerthError(error)) {
    return {
      error: error.code,
      message: error.message,
      allowedActions: error.allowedActions ?? null,
      errors: error.errors ?? null,
      meta: error.meta ?? null,
    };
  }
  return { error: 'not a BerthError', message: String(error) };
}

/** Replace random ids, tokens and hashes with numbered placeholders (stable across runs). */
export function normalise(value: unknown): unknown {
  const names = new Map<string, string>();
  const counters = new Map<string, number>();
  const name = (kind: string, raw: string) => {
    const key = `${kind}:${raw}`;
    let n = names.get(key);
    if (n === undefined) {
      const next = (counters.get(kind) ?? 0) + 1;
      counters.set(kind, next);
      n = `<${kind}#${next}>`;
      names.set(key, n);
    }
    return n;
  };
  const text = (s: string) =>
    s
      .replace(/\b[0-9a-f]{64}\b/g, (h) => (/^0+$/.test(h) ? '<genesis>' : name('hash', h)))
      .replace(/\b(bat|brg)_[A-Za-z0-9_-]{32}/g, (t, kind: string) => name(kind, t))
      .replace(/\b(agt|op|rev|ws|cmd|aud|rtk|bkp)_([0-9a-f]{20})/g, (_m, kind: string, hex: string) =>
        name(kind === 'aud' ? 'agt' : kind, `${kind === 'aud' ? 'agt' : kind}_${hex}`).replace(
          /^<agt/,
          kind === 'aud' ? '<aud-of-agt' : '<agt',
        ),
      )
      .replace(/_d[0-9a-f]{8}\b/g, '_d<random>');
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      if (v instanceof Error) return errorSummary(v);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[text(k)] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value);
}

/** Run a scenario and return its normalised trace as JSON text. */
export async function runGolden(
  scenario: (g: GoldenContext) => Promise<void>,
  options: GoldenOptions = {},
): Promise<string> {
  const clock = new ManualClock();
  const store = createMemoryStore();
  const steps: unknown[] = [];
  const events: unknown[] = [];
  const tracked: string[] = [];
  const managers: GoldenManager[] = [];
  const observing = new Set<Promise<unknown>>();
  const retired = new Set<LifecycleManager>();

  const spawn = (o: GoldenOptions = {}): GoldenManager => {
    const index = managers.length + 1;
    const driver = createMemoryDriver({ clock, ...(o.driver ?? options.driver ?? {}) });
    const policies = o.policies ?? options.policies;
    const manager = createLifecycleManager({
      store,
      driver,
      clock,
      ...(policies ? { policies } : {}),
      secrets: (owner) => ({ OWNER_SECRET: `secret-of-${owner}` }),
    });
    manager.events.on('transition', (e) => events.push({ m: index, transition: e }));
    manager.events.on('audit', (e) => events.push({ m: index, audit: e }));
    manager.events.on('operation', (e) => events.push({ m: index, operation: e }));
    manager.events.on('error', (e) => events.push({ m: index, error: errorSummary(e) }));
    manager.events.on('transition', (e) => {
      if (!tracked.includes(e.agentId)) tracked.push(e.agentId);
    });
    driver.watch((event) => {
      events.push({ m: index, watch: event });
      const p = manager.observe(event).catch((error: unknown) => {
        events.push({ m: index, observeError: errorSummary(error) });
      });
      observing.add(p);
      p.finally(() => observing.delete(p));
    });
    const made = { manager, driver };
    managers.push(made);
    return made;
  };

  const first = spawn();
  const settle = async () => {
    for (let i = 0; i < 100; i++) {
      await Promise.all([...observing]);
      for (const m of managers) if (!retired.has(m.manager)) await m.manager.settle();
      if (observing.size === 0) return;
    }
  };
  const g: GoldenContext = {
    clock,
    store,
    manager: first.manager,
    driver: first.driver,
    spawn,
    async step(stepName, work, summarise) {
      try {
        const value = await work();
        steps.push({ step: stepName, at: clock.now(), ok: (summarise ?? outcomeOf)(value) });
        return value;
      } catch (error) {
        steps.push({ step: stepName, at: clock.now(), ...(errorSummary(error) as object) });
        return undefined;
      }
    },
    settle,
    async advance(ms) {
      await clock.advance(ms);
      await settle();
    },
    async flush() {
      await flushMicrotasks(20);
    },
    retire(manager) {
      retired.add(manager);
    },
    track(agentId) {
      if (!tracked.includes(agentId)) tracked.push(agentId);
    },
  };

  await scenario(g);
  await settle();

  const audits: Record<string, unknown> = {};
  for (const id of tracked) {
    const entries = await store.audit(id);
    audits[id] = { chain: verifyAuditChain(entries), entries };
  }
  const records: Record<string, unknown> = {};
  for (const id of tracked) records[id] = await store.get(id);
  const trace = {
    steps,
    events,
    driverCalls: managers.map((m) => m.driver.calls),
    audits,
    records,
  };
  const text = `${JSON.stringify(normalise(trace), null, 2)}\n`;
  return text;
}
