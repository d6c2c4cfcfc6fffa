/**
 * Render docs/benchmarks.md from the sections a run measured.
 *
 * @module
 */
import type { Section, Table } from './bench.js';
import type { MachineInfo } from './machine.js';

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

function table(t: Table): string[] {
  const out: string[] = [];
  if (t.caption) out.push(`*${t.caption}*`, '');
  out.push(`| ${t.columns.map(cell).join(' | ')} |`);
  out.push(`| ${t.columns.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`);
  for (const row of t.rows) out.push(`| ${row.map(cell).join(' | ')} |`);
  out.push('');
  return out;
}

const verdict = (met: boolean | null) => (met === null ? 'not measured' : met ? '**met**' : '**not met**');

/** Options of {@link renderReport}. */
export interface ReportInput {
  readonly machine: MachineInfo;
  readonly sections: readonly Section[];
  readonly quick: boolean;
  readonly seconds: number;
  /** Findings written by hand-off: what misses and what would fix it. */
  readonly findings: readonly string[];
}

/** The whole document. */
export function renderReport(input: ReportInput): string {
  const { machine, sections } = input;
  const out: string[] = [
    '# Benchmarks',
    '',
    '<!-- Written by `pnpm bench` (bench/src/main.ts). Do not edit by hand: run it again. -->',
    '',
    'Berth measured against its anchors, side by side in one run. This machine is shared and noisy, so every figure that matters is a **ratio against a reference measured in the same run**, with the contenders interleaved round by round and the **median** round reported (min – max beside it).',
    '',
    input.quick
      ? '> **Quick (smoke) run**: few, short rounds at small sizes. It only proves the scripts work; the figures are not comparable with a full run.'
      : `Full run: ${Math.round(input.seconds)} s.`,
    '',
    '## Machine',
    '',
    `- CPU: ${machine.cpu}, ${machine.cores} cores; memory ${machine.memory}; ${machine.os}`,
    `- Node.js ${machine.node}; commit ${machine.commit}; measured ${machine.date}`,
    `- Versions: ${machine.versions.map(([n, v]) => `${n} ${v}`).join(', ')}`,
    '',
    '## Commands',
    '',
    '```sh',
    'pnpm install',
    'scripts/ci/start-docker.sh   # optional: measurement 5 runs only where a Docker engine answers',
    '# measurement 8 starts a throwaway PostgreSQL 15 cluster itself (or uses BERTH_BENCH_PG_URL)',
    'pnpm bench                   # full run (~10 min), rewrites docs/benchmarks.md',
    'pnpm bench -- --quick        # smoke mode for CI (< 60 s); or BERTH_BENCH_QUICK=1; writes bench/.out-quick.md',
    'pnpm bench -- --only=decide,dispatch   # some measurements (full mode; does not rewrite this file)',
    '# measure a patched copy of the core, e.g. answers without `actions` (bench/experiments/compact-answer.patch):',
    'BERTH_BENCH_CORE=/path/to/copy/packages/core/src/index.ts pnpm bench -- --only=http',
    '```',
    '',
    "The measurement scripts are bundled with esbuild from the packages' TypeScript sources (what `tsc` emits, without a loader in the hot path) and each runs in its own Node process (`--expose-gc`).",
    '',
    '## Targets',
    '',
  ];
  out.push(
    ...table({
      columns: ['measurement', 'target', 'measured', 'reference (same run)', 'ratio', 'verdict'],
      rows: sections.flatMap((s) =>
        s.targets.map((t) => [
          `${s.title.split('.')[0]}. ${t.name}`,
          t.target,
          t.measured,
          t.reference,
          t.ratio,
          verdict(t.met),
        ]),
      ),
    }),
  );
  if (input.findings.length > 0) {
    out.push('## Where Berth misses, and what would fix it', '');
    for (const f of input.findings) out.push(`- ${f}`);
    out.push('');
  }
  for (const s of sections) {
    out.push(`## ${s.title}`, '');
    for (const p of s.method) out.push(p, '');
    for (const t of s.tables) out.push(...table(t));
    for (const n of s.notes) out.push(`- ${n}`);
    if (s.notes.length > 0) out.push('');
    if (s.seconds !== undefined) out.push(`<sub>Took ${s.seconds.toFixed(0)} s.</sub>`, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
