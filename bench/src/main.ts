/**
 * `pnpm bench`: bundle the measurement scripts, run each in its own Node process, and write
 * docs/benchmarks.md (full mode) or bench/.out-quick.md (`--quick`, the smoke mode CI runs).
 *
 * Flags: `--quick` (or BERTH_BENCH_QUICK=1), `--only=decide,dispatch,…` (a full run of some
 * measurements; never rewrites docs/benchmarks.md), `--out=<file>`. `BERTH_BENCH_CORE=<path to
 * a copy of packages/core/src/index.ts>` measures a patched copy of the core (for trying a
 * change before making it).
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { isQuick, log, type Section } from './lib/bench.js';
import { FINDINGS } from './lib/findings.js';
import { machineInfo } from './lib/machine.js';
import { summariseProfile } from './lib/profile.js';
import { renderReport } from './lib/report.js';

const BENCH = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = resolve(BENCH, '..');

/** The measurements, in the order of the document, with the entry scripts each needs bundled. */
const MEASUREMENTS = [
  { id: 'decide', entries: ['decide'], timeoutS: 120 },
  { id: 'dispatch', entries: ['dispatch'], timeoutS: 180 },
  { id: 'scale', entries: ['scale', 'scale-worker'], timeoutS: 900 },
  { id: 'http', entries: ['http', 'http-server'], timeoutS: 420 },
  { id: 'docker', entries: ['docker'], timeoutS: 600 },
  { id: 'model', entries: ['model'], timeoutS: 300 },
  { id: 'sqlite', entries: ['sqlite'], timeoutS: 900 },
  { id: 'postgres', entries: ['postgres', 'pg-instance'], timeoutS: 600 },
] as const;

const argv = process.argv.slice(2).filter((a) => a !== '--');
const quick = isQuick(argv);
const only = argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
  .filter(Boolean);
const outArg = argv.find((a) => a.startsWith('--out='))?.slice('--out='.length);
for (const a of argv) {
  if (a !== '--quick' && !a.startsWith('--only=') && !a.startsWith('--out=')) {
    console.error(`unknown argument '${a}' (use --quick, --only=a,b, --out=file)`);
    process.exit(2);
  }
}
const selected = MEASUREMENTS.filter((m) => !only || only.includes(m.id));
if (only && selected.length !== only.length) {
  console.error(`--only names unknown measurements; known: ${MEASUREMENTS.map((m) => m.id).join(', ')}`);
  process.exit(2);
}

/**
 * With `BERTH_BENCH_CORE=/path/to/copy/packages/core/src/index.ts`: every `@berth/core` entry
 * point (`@berth/core`, `@berth/core/http`, `/node`, `/fetch`, …) from that copy instead, mapped
 * through the package's own exports.
 */
function patchedCore(): Plugin[] {
  const index = process.env.BERTH_BENCH_CORE;
  if (!index) return [];
  const root = resolve(dirname(resolve(index)), '..');
  const { exports } = JSON.parse(readFileSync(join(BENCH, '..', 'packages/core/package.json'), 'utf8')) as {
    exports: Record<string, string | { '@berth/source'?: string }>;
  };
  return [
    {
      name: 'patched-core',
      setup(b) {
        b.onResolve({ filter: /^@berth\/core(\/[^/]+)?$/ }, (args) => {
          const entry = exports[`.${args.path.slice('@berth/core'.length)}`];
          const source = typeof entry === 'string' ? entry : entry?.['@berth/source'];
          if (source === undefined) throw new Error(`BERTH_BENCH_CORE: no entry point ${args.path}`);
          return { path: join(root, source) };
        });
      },
    },
  ];
}

/** Bundle every entry (workspace packages from their TypeScript sources; dependencies stay external). */
async function bundle(outDir: string): Promise<void> {
  await build({
    entryPoints: selected.flatMap((m) => m.entries).map((e) => join(BENCH, 'src', `${e}.ts`)),
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@berth/source'],
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [
      ...patchedCore(),
      {
        name: 'external-dependencies',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@berth/') ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
  });
}

/** Run one bundled script in a fresh process; resolve to its section. */
function runChild(
  script: string,
  outDir: string,
  timeoutS: number,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<Section> {
  const result = join(outDir, `${script}.result.json`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', ...extraArgs, join(outDir, `${script}.mjs`)], {
      cwd: BENCH,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...env, BERTH_BENCH_RESULT: result, BERTH_BENCH_QUICK: quick ? '1' : '0' },
      detached: true,
    });
    const timer = setTimeout(() => {
      log(`${script}: no result after ${timeoutS} s; stopping it`);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
    }, timeoutS * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${script} exited with ${code ?? signal}`));
      try {
        resolvePromise(JSON.parse(readFileSync(result, 'utf8')) as Section);
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** Profile Berth's dispatch loop (`--cpu-prof`) and add where its time goes to the section. */
async function profileDispatch(section: Section, outDir: string): Promise<Section> {
  const dir = join(outDir, 'profile');
  mkdirSync(dir, { recursive: true });
  await runChild('dispatch', outDir, 120, ['--cpu-prof', `--cpu-prof-dir=${dir}`], {
    BERTH_BENCH_PROFILE: '1',
  });
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return section;
  const lines = summariseProfile(join(dir, file), 12);
  return {
    ...section,
    tables: [
      ...section.tables,
      {
        caption:
          'Where a pause/resume dispatch spends its time (`node --cpu-prof`, 2 s of the loop; self time, and inclusive time with callees)',
        columns: ['function', 'self', 'inclusive'],
        rows: lines.map((l) => [
          `\`${l.where}\``,
          `${(l.self * 100).toFixed(1)} %`,
          `${(l.total * 100).toFixed(1)} %`,
        ]),
      },
    ],
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const outDir = join(BENCH, `.out-${process.pid}`);
  const sections: Section[] = [];
  let failed = 0;
  try {
    log(`bench: ${quick ? 'quick' : 'full'} run of ${selected.map((m) => m.id).join(', ')}`);
    await bundle(outDir);
    for (const m of selected) {
      log(`bench: ${m.id} …`);
      try {
        let section = await runChild(m.id, outDir, m.timeoutS);
        if (m.id === 'dispatch' && !quick) section = await profileDispatch(section, outDir);
        log(`bench: ${m.id} done in ${section.seconds?.toFixed(0)} s`);
        for (const t of section.targets)
          log(
            `  ${t.name}: ${t.measured} (${t.ratio}) — target ${t.target}: ${t.met === null ? 'not measured' : t.met ? 'met' : 'NOT met'}`,
          );
        sections.push(section);
      } catch (error) {
        failed++;
        log(`bench: ${m.id} FAILED: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  const doc = renderReport({
    machine: machineInfo(ROOT),
    sections,
    quick,
    seconds,
    findings: quick ? [] : FINDINGS,
  });
  const target = outArg
    ? resolve(process.cwd(), outArg)
    : quick || only
      ? join(BENCH, '.out-quick.md')
      : join(ROOT, 'docs', 'benchmarks.md');
  if (failed === 0 || outArg) writeFileSync(target, doc);
  log(
    `bench: ${failed === 0 ? 'wrote' : failed > 0 && outArg ? 'wrote (incomplete)' : 'did not write'} ${target} after ${seconds.toFixed(0)} s`,
  );
  if (failed > 0) process.exit(1);
}

await main();
