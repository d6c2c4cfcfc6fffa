/**
 * The manager-model test over the SQLite store: the same model, commands and invariants as
 * `packages/core/test/manager-model.test.ts` (shared through its harness), with every run's state
 * in a SQLite file of its own instead of the memory store. Runs: BERTH_MODEL_RUNS (default 300).
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { commands, runModel, SEED } from '../../core/test/manager-model-harness.js';
import { createSqliteStore } from '../src/index.js';
import { tempDir } from './helpers.js';

const RUNS = Number(process.env.BERTH_MODEL_RUNS ?? 300);
const dir = tempDir();

describe('manager model over SQLite', () => {
  for (const synchronous of ['FULL', 'NORMAL'] as const) {
    const runs = synchronous === 'FULL' ? Math.ceil(RUNS / 3) : RUNS;
    it(`keeps its invariants over random command sequences (synchronous ${synchronous}, ${runs} runs, seed ${SEED})`, async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 25 }), async (cmds) => {
          const store = createSqliteStore({ path: join(dir, `${synchronous}-${++n}.sqlite`), synchronous });
          try {
            await runModel(cmds, store);
          } finally {
            await store.close();
          }
        }),
        { numRuns: runs, seed: SEED, verbose: 1 },
      );
    }, 600_000);
  }
});
