/**
 * Measurement 6 — property-test throughput: model-based runs per second of
 * packages/core/test/manager-model.test.ts (fast-check `fc.commands` + `asyncModelRun` against
 * the real manager, memory store and memory driver), timed through vitest with
 * `BERTH_MODEL_RUNS=N`, so CI budgets stay honest.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BenchMode, log, median, ms, runMeasurement, type Section, si, spread } from './lib/bench.js';

const run = promisify(execFile);
const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const TEST = 'packages/core/test/manager-model.test.ts';
const NAME = 'keeps its invariants';

interface Timing {
  /** Wall time of the whole vitest process (startup, transform, the test). */
  readonly wallMs: number;
  /** The property test's own duration, as vitest reports it. */
  readonly testMs: number;
}

async function vitest(runs: number): Promise<Timing> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-model-'));
  const out = join(dir, 'report.json');
  try {
    const t0 = performance.now();
    await run(
      join(ROOT, 'node_modules/.bin/vitest'),
      ['run', TEST, '-t', NAME, '--reporter=json', `--outputFile=${out}`],
      { cwd: ROOT, env: { ...process.env, BERTH_MODEL_RUNS: String(runs) }, maxBuffer: 64 * 1024 * 1024 },
    );
    const wallMs = performance.now() - t0;
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      testResults: { assertionResults: { title: string; status: string; duration?: number }[] }[];
    };
    const result = report.testResults.flatMap((f) => f.assertionResults).find((a) => a.title.includes(NAME));
    if (result?.status !== 'passed' || result.duration === undefined)
      throw new Error(`the model test did not pass with BERTH_MODEL_RUNS=${runs}`);
    return { wallMs, testMs: result.duration };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(mode: BenchMode): Promise<Section> {
  const small = mode.quick ? 10 : 100;
  const large = mode.quick ? 50 : 1000;
  const rounds = mode.quick ? 1 : 5;
  const timings = new Map<number, Timing[]>([
    [small, []],
    [large, []],
  ]);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [small, large] : [large, small];
    for (const n of order) timings.get(n)!.push(await vitest(n));
    log(`model: round ${r + 1}/${rounds}`);
  }
  const rate = (n: number) => timings.get(n)!.map((t) => (n * 1000) / t.testMs);
  const wall = (n: number) => median(timings.get(n)!.map((t) => t.wallMs));
  const test = (n: number) => median(timings.get(n)!.map((t) => t.testMs));
  const marginal = ((large - small) * 1000) / (test(large) - test(small));
  const overhead = wall(large) - test(large);
  return {
    id: 'model',
    title: '6. Property-test throughput',
    method: [
      `\`${TEST}\` ("${NAME}"): fast-check \`fc.commands\` (up to 25 commands: create, dispatch, driver faults, clock jumps, heartbeats, billing) run with \`asyncModelRun\` against the real manager, memory store and memory driver, every command followed by the invariant checks (audit chain verified, edges of the published table, at most one operation in flight and one resource per agent). Timed through vitest (\`BERTH_MODEL_RUNS=N npx vitest run ${TEST} -t '${NAME}'\`), ${rounds} round(s) alternating N = ${small} and N = ${large}; the test's own duration comes from vitest's JSON report, the wall time includes vitest's startup.`,
    ],
    tables: [
      {
        columns: [
          'BERTH_MODEL_RUNS',
          'test time (median)',
          'runs/s (median)',
          'min – max',
          'wall time incl. vitest startup',
        ],
        rows: [small, large].map((n) => [
          String(n),
          ms(test(n)),
          si(median(rate(n))),
          spread(rate(n), si),
          ms(wall(n)),
        ]),
      },
    ],
    targets: [],
    notes: [
      `Marginal throughput between the two sizes: ${si(marginal)} runs/s; vitest's startup and transform add ~${ms(overhead)} per invocation. At that rate the default of 1000 runs costs ~${ms(overhead + (1000 * 1000) / marginal)} of a CI run, vitest's startup included.`,
    ],
  };
}

await runMeasurement(measure);
