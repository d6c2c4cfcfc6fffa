/**
 * Model-based test of the real manager with the memory driver: fast-check generates sequences
 * of operator actions, driver faults, heartbeats, billing changes and clock jumps, and after
 * every command the invariants of the runtime are checked against the stored truth (the model
 * itself is manager-model-harness.ts, which the SQLite store's run shares).
 */
import { type AgentView, createLifecycleManager, createMemoryStore, ManualClock } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commands, runModel, SEED } from './manager-model-harness.js';

const statusesSeen = new Set<string>();
const RUNS = Number(process.env.BERTH_MODEL_RUNS ?? 1000);

describe('manager model', () => {
  it(`keeps its invariants over random command sequences (${RUNS} runs, seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 25 }), (cmds) =>
        runModel(cmds, createMemoryStore(), process.env.BERTH_MODEL_DEBUG ? statusesSeen : undefined),
      ),
      { numRuns: RUNS, seed: SEED, verbose: 1 },
    );
    if (process.env.BERTH_MODEL_DEBUG) console.log([...statusesSeen].sort().join(' '));
  }, 600_000);

  it('the model sees every status the runtime can show (the generator is not too weak)', async () => {
    // A fixed walk through the generator's building blocks reaches the busy statuses too.
    const clock = new ManualClock();
    const driver = createMemoryDriver({ clock, latency: 1_000 });
    const manager = createLifecycleManager({ driver, clock });
    const seen = new Set<string>();
    manager.events.on('transition', (e) => {
      seen.add(e.from);
      seen.add(e.to);
    });
    const a: AgentView = await manager.create({ name: 'walker' });
    await clock.advance(5_000);
    await manager.settle();
    await manager.dispatch(a.id, 'pause', { reason: 'x' });
    await manager.dispatch(a.id, 'resume');
    await manager.dispatch(a.id, 'stop');
    await clock.advance(2_000);
    await manager.dispatch(a.id, 'start');
    await clock.advance(2_000);
    await manager.dispatch(a.id, 'restart');
    await clock.advance(2_000);
    await manager.dispatch(a.id, 'redeploy');
    await clock.advance(2_000);
    await manager.dispatch(a.id, 'destroy', { confirm: 'walker' });
    await clock.advance(2_000);
    await manager.settle();
    for (const s of [
      'provisioning',
      'starting',
      'running',
      'paused',
      'stopping',
      'stopped',
      'restarting',
      'redeploying',
      'deleting',
      'deleted',
    ]) {
      expect(seen.has(s), s).toBe(true);
    }
    await manager.close();
  });
});
