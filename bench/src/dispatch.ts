/**
 * Measurement 2 — full dispatch: guards + compare-and-set commit + hash-chained audit entry +
 * event emit (memory store, instant memory driver, one process), against a bare XState actor
 * that only `send`s the same events.
 *
 * @module
 */
import { createLifecycleManager, type LifecycleManager } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import { createActor } from 'xstate';
import {
  asyncOpsPerSecond,
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
import { createWaiter } from './lib/waiter.js';
import { ACTOR_WALK, walkMachine } from './lib/walk.js';

/** A manager over a fresh memory store and an instant memory driver, with `count` running agents. */
async function freshManager(count: number): Promise<{ manager: LifecycleManager; ids: string[] }> {
  const manager = createLifecycleManager({ driver: createMemoryDriver({ maxCalls: 100 }) });
  const waiter = createWaiter(manager);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const agent = await manager.create({ name: `bench-${i}` }).then(async (a) => a);
    ids.push(agent.id);
  }
  await manager.settle();
  for (const id of ids) if ((await manager.get(id)).status !== 'running') await waiter.expect(id, 'running');
  return { manager, ids };
}

/** One agent paused and resumed in a loop: two instant transitions, no driver operation. */
async function pauseResume(ms: number): Promise<number> {
  const { manager, ids } = await freshManager(1);
  const id = ids[0]!;
  const rate = await asyncOpsPerSecond(async () => {
    for (let i = 0; i < 50; i++) {
      await manager.dispatch(id, 'pause', { actor: 'user:bench', reason: 'bench' });
      await manager.dispatch(id, 'resume', { actor: 'user:bench' });
    }
    return 100;
  }, ms);
  await manager.close();
  return rate;
}

/** `agents` agents paused and resumed concurrently (one loop each). */
async function pauseResumeConcurrent(agents: number, ms: number): Promise<number> {
  const { manager, ids } = await freshManager(agents);
  const started = performance.now();
  let done = 0;
  await Promise.all(
    ids.map(async (id) => {
      while (performance.now() - started < ms) {
        await manager.dispatch(id, 'pause', { actor: 'user:bench', reason: 'bench' });
        await manager.dispatch(id, 'resume', { actor: 'user:bench' });
        done += 2;
      }
    }),
  );
  const rate = (done * 1000) / (performance.now() - started);
  await manager.close();
  return rate;
}

/**
 * The whole walk through the manager: create (provision, start), pause, resume, stop, start,
 * restart, redeploy, destroy, each driver operation done by the instant memory driver and its
 * outcome fed back; counts every transition (15 per agent).
 */
async function mixedWalk(ms: number): Promise<number> {
  const manager = createLifecycleManager({ driver: createMemoryDriver({ maxCalls: 100 }) });
  const waiter = createWaiter(manager);
  let transitions = 0;
  manager.events.on('transition', () => {
    transitions++;
  });
  const actor = { actor: 'user:bench' };
  const act = async (
    id: string,
    action: Parameters<LifecycleManager['dispatch']>[1],
    until?: 'running' | 'stopped' | 'deleted',
    extra = {},
  ) => {
    const reached = until ? waiter.expect(id, until) : null;
    await manager.dispatch(id, action, { ...actor, ...extra });
    await reached;
  };
  const started = performance.now();
  let n = 0;
  while (performance.now() - started < ms) {
    const name = `walker-${n++}`;
    const created = await manager.create({ name });
    const id = created.id;
    if (created.status !== 'running') {
      const now = await manager.get(id);
      if (now.status !== 'running') await waiter.expect(id, 'running');
    }
    await act(id, 'pause', undefined, { reason: 'bench' });
    await act(id, 'resume');
    await act(id, 'stop', 'stopped');
    await act(id, 'start', 'running');
    await act(id, 'restart', 'running');
    await act(id, 'redeploy', 'running');
    await act(id, 'destroy', 'deleted', { confirm: name });
  }
  const rate = (transitions * 1000) / (performance.now() - started);
  await manager.close();
  return rate;
}

/** The bare actor: the same machine and guards, only `send` (pause, resume), nothing stored. */
function actorPauseResume(): (iterations: number) => void {
  const machine = walkMachine();
  const actor = createActor(machine, { input: ACTOR_WALK[0]!.ctx }).start();
  for (const e of ACTOR_WALK.slice(0, 3)) actor.send(e);
  const pause = ACTOR_WALK[3]!;
  const resume = ACTOR_WALK[4]!;
  if (pause.type !== 'pause' || resume.type !== 'resume') throw new Error('walk changed');
  return (iterations) => {
    for (let n = 0; n < iterations; n += 2) {
      actor.send(pause);
      actor.send(resume);
    }
  };
}

async function measure(mode: BenchMode): Promise<Section> {
  if (process.env.BERTH_BENCH_PROFILE === '1') {
    // Profiling run (node --cpu-prof): only Berth's loop.
    await pauseResume(2_000);
    return { id: 'dispatch-profile', title: '', method: [], tables: [], targets: [], notes: [] };
  }
  const actorLoop = actorPauseResume();
  const actorSize = calibrate(actorLoop, mode.roundMs);
  const concurrency = 16;
  const names = {
    berth: 'Berth `dispatch` pause/resume, 1 agent, sequential',
    concurrent: `Berth \`dispatch\` pause/resume, ${concurrency} agents concurrently`,
    actor: 'bare XState 5 actor `send` pause/resume',
    walk: 'Berth mixed walk with driver operations (instant memory driver)',
  };
  await pauseResume(mode.roundMs); // warm-up
  await mixedWalk(mode.roundMs / 2);
  const results = await interleave(
    [
      { name: names.berth, round: () => pauseResume(mode.roundMs) },
      { name: names.concurrent, round: () => pauseResumeConcurrent(concurrency, mode.roundMs) },
      { name: names.actor, round: () => opsPerSecond(actorLoop, actorSize) },
      { name: names.walk, round: () => mixedWalk(mode.roundMs) },
    ],
    mode.rounds,
    (r) => log(`dispatch: round ${r + 1}/${mode.rounds}`),
  );
  const med = (name: string) => median(results.get(name)!);
  const berth = med(names.berth);
  const actor = med(names.actor);
  return {
    id: 'dispatch',
    title: '2. Full dispatch',
    method: [
      'Berth: `manager.dispatch(id, action)` with the in-memory store and the memory driver (instant, the default), in one process. Every accepted dispatch loads the record, evaluates the guards on the compiled table, plans the new record, writes it with its SHA-256 hash-chained audit entry in one compare-and-set commit, emits `audit` and `transition` events, and returns the agent view (with its available actions). Pause and resume need no driver operation, so the pause/resume loop times the manager alone; each round uses a fresh manager (the audit trail grows by one entry per transition).',
      'The mixed walk creates an agent and takes it through pause, resume, stop, start, restart, redeploy and destroy, waiting for every driver outcome (provision, start, stop, start, restart, redeploy, destroy) to come back as an event: 15 transitions per agent, counted from the `transition` events.',
      'The bare XState actor runs the same machine and guards (`send` of pause then resume on a started actor): no storage, no audit, no events, no view.',
      `${mode.rounds} interleaved rounds of ~${mode.roundMs} ms per contender; medians.`,
    ],
    tables: [
      {
        columns: ['contender', 'transitions/s (median)', 'min – max', 'vs bare actor'],
        rows: Object.values(names).map((name) => [
          name,
          si(med(name)),
          spread(results.get(name)!, si),
          times(med(name) / actor),
        ]),
      },
    ],
    targets: [
      {
        name: 'Full dispatch throughput',
        measured: `${si(berth)} transitions/s`,
        reference: '—',
        ratio: '—',
        target: '≥ 200 k transitions/s',
        met: berth >= 200_000,
      },
      {
        name: 'Full dispatch vs bare XState actor',
        measured: `${si(berth)}/s`,
        reference: `actor ${si(actor)}/s`,
        ratio: times(berth / actor),
        target: '≥ 1.7×',
        met: berth / actor >= 1.7,
      },
    ],
    notes: [],
  };
}

await runMeasurement(measure);
