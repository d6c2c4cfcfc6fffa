/**
 * The manager-model test (the same model, commands and invariants as
 * `packages/core/test/manager-model.test.ts`) over PostgreSQL with THREE instances: three managers,
 * each with its own store and pool on one schema (leases, change feed), one shared driver (as
 * several instances share one Docker engine) and one clock; every call of every command goes to an
 * instance picked at random (seeded). Runs: BERTH_PG_MODEL_RUNS (default 25).
 */
import { createLifecycleManager, type LifecycleManager } from '@berth/core';
import fc from 'fast-check';
import { it } from 'vitest';
import { commands, type ModelManagerOptions, runModel, SEED } from '../../core/test/manager-model-harness.js';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { freshSchema, pgDescribe } from './support/pg-env.js';

const { describePg, url } = await pgDescribe();
const RUNS = Number(process.env.BERTH_PG_MODEL_RUNS ?? 25);

/** A manager whose every method call goes to one of `managers`, picked by a seeded generator. */
function routed(managers: readonly LifecycleManager[], seed: number): LifecycleManager {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return managers[state % managers.length]!;
  };
  return new Proxy(managers[0]!, {
    get(_target, prop) {
      if (prop === 'close')
        return async () => {
          for (const m of managers) await m.close();
        };
      if (prop === 'events') return managers[0]!.events;
      const m = next();
      const value = (m as unknown as Record<PropertyKey, unknown>)[prop];
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(m) : value;
    },
  });
}

describePg('manager model over PostgreSQL, three instances', () => {
  it(`keeps its invariants with commands sent to random instances (${RUNS} runs, seed ${SEED})`, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 20 }), async (cmds) => {
        const schema = freshSchema('model');
        const stores: PostgresStore[] = [];
        for (let i = 0; i < 3; i++)
          stores.push(await createPostgresStore({ connection: url, schema, poolSize: 3 }));
        // Background work runs on real round trips here: wait until the stored state rests
        // (four reads 50 ms apart agree) before each command's checks.
        const quiesce = async () => {
          let last = '';
          let same = 0;
          for (let i = 0; i < 400 && same < 3; i++) {
            const now = JSON.stringify(
              (await stores[0]!.list()).map((r) => [r.id, r.version, r.auditSeq, r.operation?.id]),
            );
            same = now === last ? same + 1 : 0;
            last = now;
            await new Promise((r) => setTimeout(r, 50));
          }
        };
        try {
          await runModel(
            cmds,
            stores[0]!,
            undefined,
            (o: ModelManagerOptions) =>
              routed(
                stores.map((store) => createLifecycleManager({ ...o, store })),
                SEED + ++run,
              ),
            quiesce,
          );
        } finally {
          for (const s of stores) await s.close();
        }
      }),
      { numRuns: RUNS, seed: SEED, verbose: 1 },
    );
  }, 900_000);
});
