/**
 * Exhaustive proof of the lifecycle chart: walk every configuration XState can reach, send
 * every event with contexts and payloads that satisfy and that fail each data guard, and check
 * the compiled table against XState's own pure `transition()` at every single step.
 */
import type { AnyMachineSnapshot } from 'xstate';
import { beforeAll, describe, expect, it } from 'vitest';
import { type GuardEnv, type LifecycleEventType, lifecycleContract, STATUSES } from '../src/index.js';
import {
  allTransitions,
  type ChartContext,
  type ChartEvent,
  compiledChart,
  DATA_GUARDS,
  type DataGuardName,
  decide,
  EVENT_TYPES,
  explain,
  isStateGuard,
  STATE_KEYS,
  statusOfState,
} from '../src/_internal/index.js';
import {
  DENIAL_CODES,
  keyOfSnapshot,
  statusOfSnapshot,
  withContext,
  xstateInitial,
  xstateStep,
} from './statechart-harness.js';

const NAME = 'agent-7';

interface Variant {
  readonly label: string;
  readonly context: ChartContext;
  readonly event: ChartEvent;
}

const idle: ChartContext = { name: NAME, kind: 'managed', operationId: null, recoveryAttempts: 0 };
const busy: ChartContext = { name: NAME, kind: 'managed', operationId: 'op-1', recoveryAttempts: 1 };

/** The policy env in which every policy applies to `type`. */
function strictEnv(type: LifecycleEventType): GuardEnv {
  return {
    requireReason: [type as never],
    requireConfirm: [type as never],
    unsupported: [],
    slotAvailable: true,
    maxRecoveryAttempts: 3,
    driverName: 'test-driver',
  };
}

/**
 * Variants for one event type: a base that satisfies every data guard (idle and busy, managed
 * and self-hosted), then one change at a time that makes one guard fail.
 */
function variantsFor(type: LifecycleEventType): Variant[] {
  const env = strictEnv(type);
  const good = (context: ChartContext): ChartEvent => ({
    type,
    reason: 'maintenance window',
    confirm: NAME,
    operationId: context.operationId ?? undefined,
    env,
  });
  const out: Variant[] = [];
  for (const base of [idle, busy]) {
    for (const kind of ['managed', 'self_hosted'] as const) {
      const context = { ...base, kind };
      out.push({ label: `${kind} ${base.operationId ? 'busy' : 'idle'}`, context, event: good(context) });
    }
    const tag = base.operationId ? 'busy' : 'idle';
    const e = good(base);
    const changes: [string, Partial<ChartEvent>, Partial<ChartContext>?][] = [
      ['no reason', { reason: undefined }],
      ['blank reason', { reason: '   ' }],
      [
        'no policies, no reason or confirm',
        { reason: undefined, confirm: undefined, env: { ...env, requireReason: [], requireConfirm: [] } },
      ],
      ['no confirm', { confirm: undefined }],
      ['wrong confirm', { confirm: `${NAME}-x` }],
      ['driver cannot', { env: { ...env, unsupported: [type as never] } }],
      ['no slot', { env: { ...env, slotAvailable: false } }],
      ['stale operation id', { operationId: 'op-0' }],
      ['no operation id', { operationId: undefined }],
      ['no capacity', { errorCode: 'NO_CAPACITY' }],
      ['other failure', { errorCode: 'BOOM' }],
      ['no capacity, no attempts left', { errorCode: 'NO_CAPACITY' }, { recoveryAttempts: 3 }],
      ['attempts exhausted', { errorCode: 'BOOM' }, { recoveryAttempts: 3 }],
      ['never tried recovery', { errorCode: 'BOOM' }, { recoveryAttempts: 0 }],
    ];
    for (const [label, eventChange, contextChange] of changes)
      out.push({
        label: `${tag}: ${label}`,
        context: { ...base, ...contextChange },
        event: { ...e, ...eventChange },
      });
  }
  return out;
}

const VARIANTS = new Map(EVENT_TYPES.map((type) => [type, variantsFor(type)]));

interface Walk {
  /** configuration key → an XState snapshot in it (as XState reached it). */
  readonly snapshots: Map<string, AnyMachineSnapshot>;
  /** Accepted (from, event, to) triples, configuration level. */
  readonly accepted: Set<string>;
  /** Problems found (empty when the table and XState agree everywhere). */
  readonly problems: string[];
  /** `from|event|to|guard` → which outcomes of that data guard were exercised where the transition is a candidate. */
  readonly guardOutcomes: Map<string, Set<boolean>>;
  steps: number;
}

const triple = (from: string, event: string, to: string) => `${from} --${event}--> ${to}`;

function walkChart(): Walk {
  const walk: Walk = {
    snapshots: new Map(),
    accepted: new Set(),
    problems: [],
    guardOutcomes: new Map(),
    steps: 0,
  };
  const start = xstateInitial(idle);
  const queue: string[] = [keyOfSnapshot(start)];
  walk.snapshots.set(queue[0]!, start);
  while (queue.length > 0) {
    const key = queue.shift()!;
    const base = walk.snapshots.get(key)!;
    const byContext = new Map<ChartContext, AnyMachineSnapshot>();
    for (const type of EVENT_TYPES) {
      for (const variant of VARIANTS.get(type)!) {
        let snapshot = byContext.get(variant.context);
        if (!snapshot) {
          snapshot = withContext(base, variant.context);
          byContext.set(variant.context, snapshot);
        }
        const where = `${key} + ${type} (${variant.label})`;
        const { next, accepted } = xstateStep(snapshot, variant.event);
        walk.steps++;
        const t = decide(key, variant.event, variant.context);
        if ((t !== null) !== accepted) {
          walk.problems.push(
            `${where}: table ${t ? 'accepts' : 'refuses'}, XState ${accepted ? 'accepts' : 'refuses'}`,
          );
          continue;
        }
        // Which data guards this event exercised, on every transition that is a candidate here.
        for (const candidate of compiledChart.table.get(key)?.get(type) ?? []) {
          if (candidate.blockedBy !== null) continue;
          for (const g of candidate.dataGuards) {
            const id = `${triple(candidate.from, type, candidate.to)} [${g}]`;
            const seen = walk.guardOutcomes.get(id) ?? new Set<boolean>();
            seen.add(DATA_GUARDS[g](variant.context, variant.event));
            walk.guardOutcomes.set(id, seen);
          }
        }
        if (accepted) {
          const to = keyOfSnapshot(next);
          if (t!.to !== to) walk.problems.push(`${where}: table goes to ${t!.to}, XState to ${to}`);
          if (statusOfState(to) !== statusOfSnapshot(next))
            walk.problems.push(`${where}: status ${statusOfState(to)} vs XState ${statusOfSnapshot(next)}`);
          walk.accepted.add(triple(key, type, to));
          if (!walk.snapshots.has(to)) {
            walk.snapshots.set(to, withContext(next, idle));
            queue.push(to);
          }
        } else {
          if (
            JSON.stringify(next.value) !== JSON.stringify(snapshot.value) ||
            next.context !== snapshot.context
          )
            walk.problems.push(`${where}: refused, but XState's snapshot changed`);
          const denial = explain(key, variant.event, variant.context);
          if (!DENIAL_CODES.includes(denial.code))
            walk.problems.push(`${where}: untyped denial ${denial.code}`);
          if (
            denial.guard !== null &&
            !isStateGuard(denial.guard) &&
            DATA_GUARDS[denial.guard as DataGuardName](variant.context, variant.event)
          )
            walk.problems.push(`${where}: denial blames ${denial.guard}, which holds`);
        }
      }
    }
  }
  return walk;
}

describe('the lifecycle chart, exhaustively', () => {
  let walk: Walk;
  beforeAll(() => {
    walk = walkChart();
  });

  it('agrees with XState at every configuration, event and guard outcome', () => {
    expect(walk.problems).toEqual([]);
    // Every configuration × every event × every variant was tried.
    const variants = [...VARIANTS.values()].reduce((n, v) => n + v.length, 0);
    expect(walk.steps).toBe(walk.snapshots.size * variants);
  });

  it('reaches exactly the configurations the compiled table holds', () => {
    expect(new Set(walk.snapshots.keys())).toEqual(new Set(STATE_KEYS));
  });

  it('reaches every one of the 16 statuses from creation', () => {
    const reached = new Set([...walk.snapshots.values()].map(statusOfSnapshot));
    expect([...reached].sort()).toEqual([...STATUSES].sort());
  });

  it('can reach deleted from every configuration that is not final (no trap)', () => {
    const into = new Map<string, Set<string>>();
    for (const t of walk.accepted) {
      const [from, rest] = t.split(' --');
      const to = rest!.split('--> ')[1]!;
      if (!into.has(to)) into.set(to, new Set());
      into.get(to)!.add(from!);
    }
    const canDelete = new Set(['deleted']);
    const queue = ['deleted'];
    while (queue.length > 0) {
      for (const from of into.get(queue.shift()!) ?? [])
        if (!canDelete.has(from)) {
          canDelete.add(from);
          queue.push(from);
        }
    }
    const trapped = STATE_KEYS.filter((k) => !canDelete.has(k));
    expect(trapped).toEqual([]);
  });

  it('keeps deleted absorbing: nothing leaves it and XState reports the machine done', () => {
    const out = [...walk.accepted].filter((t) => t.startsWith('deleted '));
    expect(out).toEqual([]);
    expect(walk.snapshots.get('deleted')!.status).toBe('done');
    for (const type of EVENT_TYPES)
      for (const variant of VARIANTS.get(type)!)
        expect(decide('deleted', variant.event, variant.context)).toBeNull();
  });

  it('accepts exactly the published configuration-level table', () => {
    const published = new Set(allTransitions().map((t) => triple(t.from, t.event, t.to)));
    const fromContract = new Set(
      lifecycleContract().configurationTransitions.map((t) => triple(t.from, t.event, t.to)),
    );
    expect(fromContract).toEqual(published);
    expect([...walk.accepted].filter((t) => !published.has(t))).toEqual([]);
    expect([...published].filter((t) => !walk.accepted.has(t))).toEqual([]);
  });

  it('accepts exactly the published status-level table', () => {
    const seen = new Set(
      [...walk.accepted].map((t) => {
        const [from, rest] = t.split(' --');
        const [event, to] = rest!.split('--> ');
        return triple(statusOfState(from!), event!, statusOfState(to!));
      }),
    );
    const published = new Set(lifecycleContract().transitions.map((t) => triple(t.from, t.event, t.to)));
    expect(seen).toEqual(published);
  });

  it('tried every data guard of every transition both holding and failing', () => {
    const oneSided = [...walk.guardOutcomes].filter(([, seen]) => seen.size !== 2).map(([id]) => id);
    expect(oneSided).toEqual([]);
    // and every transition of the table was a candidate somewhere
    expect(walk.guardOutcomes.size).toBeGreaterThan(0);
  });
});
