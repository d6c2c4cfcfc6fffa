/**
 * Measurement 1 — decision speed: the next state for an event, on the same lifecycle walk, for
 * Berth's compiled table (`decide`), a hand-written lookup table (the practical limit), an
 * XState 5 actor (`createActor` + `send`) and XState 5's pure `transition()`.
 *
 * @module
 */
import { lifecycleMachine } from '@berth/core';
import { decide } from '@berth/core/internal';
import { createActor, initialTransition, transition } from 'xstate';
import {
  type BenchMode,
  calibrate,
  interleave,
  log,
  median,
  opsPerSecond,
  runMeasurement,
  type Section,
  si,
  spread,
  times,
} from './lib/bench.js';
import { ACTOR_WALK, keyOfSnapshotValue, WALK, WALK_NAME, WALK_START, walkMachine } from './lib/walk.js';

/**
 * The hand-written table: configuration × event → configuration, for the statuses the walk
 * visits and the actions they allow. No guards: the fastest a lookup can be.
 */
const HAND: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  pending: { deploy: 'provisioning', destroy: 'deleting' },
  provisioning: { provisioned: 'starting', op_failed: 'failed', destroy: 'deleting' },
  starting: { op_succeeded: 'running', op_failed: 'failed', destroy: 'deleting' },
  running: {
    pause: 'running+paused',
    stop: 'stopping',
    restart: 'restarting',
    redeploy: 'redeploying',
    update: 'redeploying',
    rollback: 'redeploying',
    reprovision: 'redeploying',
    recreate: 'provisioning',
    disable: 'running+disabled',
    heartbeat_stale: 'degraded',
    health_degraded: 'degraded',
    billing_suspended: 'running+billing_suspended',
    destroy: 'deleting',
  },
  'running+paused': { resume: 'running', disable: 'running+paused+disabled', destroy: 'deleting' },
  stopping: { op_succeeded: 'stopped', op_failed: 'failed', destroy: 'deleting' },
  stopped: { start: 'starting', restart: 'restarting', redeploy: 'redeploying', destroy: 'deleting' },
  restarting: { op_succeeded: 'running', op_failed: 'failed', destroy: 'deleting' },
  redeploying: { op_succeeded: 'running', op_failed: 'failed', destroy: 'deleting' },
  deleting: { op_succeeded: 'deleted' },
  deleted: {},
};

const steps = WALK.length;

function berthWalk(iterations: number): void {
  let key = WALK_START;
  let i = 0;
  for (let n = 0; n < iterations; n++) {
    const s = WALK[i]!;
    const t = decide(key, s.event, s.context);
    if (t === null) throw new Error(`berth refused ${s.event.type} in ${key}`);
    key = t.to;
    if (++i === steps) {
      i = 0;
      key = WALK_START;
    }
  }
}

function handWalk(iterations: number): void {
  let key = WALK_START;
  let i = 0;
  for (let n = 0; n < iterations; n++) {
    const s = WALK[i]!;
    const next = HAND[key]![s.event.type];
    if (next === undefined) throw new Error(`hand table has no ${s.event.type} in ${key}`);
    key = next;
    if (++i === steps) {
      i = 0;
      key = WALK_START;
    }
  }
}

const machine = walkMachine();
const input = WALK[0]!.context;

/** Actors for the next round, created before it starts (so the round times `send` only). */
let actors: ReturnType<typeof createActor<typeof machine>>[] = [];

function prepareActors(iterations: number): void {
  actors = [];
  for (let n = 0; n <= iterations / steps; n++) actors.push(createActor(machine, { input }).start());
}

function actorWalk(iterations: number): void {
  let w = 0;
  let actor = actors[w]!;
  let i = 0;
  for (let n = 0; n < iterations; n++) {
    actor.send(ACTOR_WALK[i]!);
    if (++i === steps) {
      i = 0;
      actor = actors[++w]!;
    }
  }
}

function createActors(iterations: number): void {
  for (let n = 0; n < iterations; n++) createActor(machine, { input }).start();
}

function pureWalk(iterations: number): void {
  const [initial] = initialTransition(machine, input);
  let snapshot = initial;
  let i = 0;
  for (let n = 0; n < iterations; n++) {
    [snapshot] = transition(machine, snapshot, ACTOR_WALK[i]!);
    if (++i === steps) {
      i = 0;
      snapshot = initial;
    }
  }
}

/** Every contender goes through the same configurations (checked once before timing). */
function checkAgreement(): void {
  let key = WALK_START;
  let hand = WALK_START;
  const actor = createActor(machine, { input }).start();
  let [snapshot] = initialTransition(machine, input);
  for (let i = 0; i < steps; i++) {
    const s = WALK[i]!;
    key = decide(key, s.event, s.context)?.to ?? 'REFUSED';
    hand = HAND[hand]?.[s.event.type] ?? 'REFUSED';
    actor.send(ACTOR_WALK[i]!);
    [snapshot] = transition(machine, snapshot, ACTOR_WALK[i]!);
    const got = [
      key,
      hand,
      keyOfSnapshotValue(actor.getSnapshot().value),
      keyOfSnapshotValue(snapshot.value),
    ];
    if (got.some((k) => k !== s.to))
      throw new Error(`step ${i} (${s.event.type}): expected ${s.to}, got ${got.join(' / ')}`);
  }
  if (machine.id !== lifecycleMachine.id || WALK_NAME !== 'walker') throw new Error('unexpected machine');
}

async function measure(mode: BenchMode): Promise<Section> {
  checkAgreement();
  const fns = {
    'Berth `decide()` (compiled table)': berthWalk,
    'hand-written table (no guards)': handWalk,
    'XState 5 actor `send` (created beforehand)': actorWalk,
    'XState 5 pure `transition()`': pureWalk,
  } as const;
  const names = Object.keys(fns) as (keyof typeof fns)[];
  const sizes = new Map(
    names.map((name) => [
      name,
      calibrate((n) => {
        if (fns[name] === actorWalk) prepareActors(n);
        fns[name](n);
      }, mode.roundMs),
    ]),
  );
  const creations = calibrate(createActors, mode.roundMs / 2);
  log(`decide: calibrated ${[...sizes].map(([n, s]) => `${n}=${s}`).join(', ')}`);
  const results = await interleave(
    [
      ...names.map((name) => ({
        name: name as string,
        round: () => {
          if (fns[name] === actorWalk) prepareActors(sizes.get(name)!);
          return opsPerSecond(fns[name], sizes.get(name)!);
        },
      })),
      { name: 'create', round: () => opsPerSecond(createActors, creations) },
    ],
    mode.rounds,
  );
  actors = [];
  const med = (name: string) => median(results.get(name)!);
  const berth = med(names[0]!);
  const hand = med(names[1]!);
  const slowdown = hand / berth;
  return {
    id: 'decide',
    title: '1. Decision speed',
    method: [
      `The same lifecycle walk for every contender: ${WALK.map((s) => s.event.type).join(' → ')} (${steps} decisions from a new agent to \`deleted\`, then the next agent). Each step carries the agent context at that point (outcome events must match the operation in flight), the default policies (pause needs a reason, destroy the typed name).`,
      'Berth: `decide(key, event, context)` on the compiled table (data guards evaluated per decision). Hand table: `TABLE[key][event.type]`, no guards, the practical limit. XState: the same machine (`lifecycleMachine`) with the same guard functions reading the context from the event (the chart has no `assign`); each walk gets a fresh actor, created before the round starts (the round times `send` only; `createActor` + `start` is timed on its own row), the pure `transition()` starts each walk from one initial snapshot. All four are checked to reach the same configuration at every step before timing.',
      `${mode.rounds} interleaved rounds of ~${mode.roundMs} ms per contender (the order rotates every round); the figure is the median round.`,
    ],
    tables: [
      {
        columns: ['contender', 'decisions/s (median)', 'min – max', 'Berth is … as fast'],
        rows: [
          ...names.map((name) => {
            const m = med(name);
            return [name, si(m), spread(results.get(name)!, si), times(berth / m)];
          }),
          [
            'XState 5 `createActor(machine).start()` alone (per walk of 15 decisions)',
            `${si(median(results.get('create')!))} actors/s`,
            spread(results.get('create')!, si),
            '—',
          ],
        ],
      },
    ],
    targets: [
      {
        name: 'Decision speed (Berth `decide`)',
        measured: `${si(berth)} decisions/s`,
        reference: '—',
        ratio: '—',
        target: '≥ 5 M decisions/s',
        met: berth >= 5e6,
      },
      {
        name: 'Decision speed vs hand-written table',
        measured: `${si(berth)}/s`,
        reference: `hand table ${si(hand)}/s`,
        ratio: `${times(slowdown)} slower`,
        target: 'within 4×',
        met: slowdown <= 4,
      },
    ],
    notes: [
      `Berth decides ${times(med(names[2]!) > 0 ? berth / med(names[2]!) : Number.NaN)} as fast as an XState actor and ${times(berth / med(names[3]!))} as fast as XState's pure \`transition()\` on the same machine and guards.`,
    ],
  };
}

await runMeasurement(measure);
