/**
 * Measurement 3 — scale: heap per stored agent at 100 k and 1 M agents (each size in a fresh
 * process), the time to create them, what dominates, a live XState actor for comparison, and
 * dispatch throughput with 1 M agents stored against 1 k stored (interleaved across the two
 * processes).
 *
 * @module
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  type BenchMode,
  bytes,
  log,
  median,
  runMeasurement,
  type Section,
  si,
  spread,
  times,
} from './lib/bench.js';
import type { ScaleReport, ScaleVariant } from './scale-worker.js';

const WORKER = fileURLToPath(new URL('./scale-worker.mjs', import.meta.url));

interface Worker {
  readonly report: Promise<ScaleReport>;
  readonly ready: Promise<void>;
  round(ms: number): Promise<number>;
  stop(): Promise<void>;
}

function startWorker(size: number, variant: ScaleVariant, dispatch: boolean): Worker {
  const heapMb = size >= 500_000 ? 12_288 : 4_096;
  const child: ChildProcess = fork(WORKER, [], {
    execArgv: ['--expose-gc', `--max-old-space-size=${heapMb}`],
    env: {
      ...process.env,
      BERTH_SCALE_SIZE: String(size),
      BERTH_SCALE_VARIANT: variant,
      BERTH_SCALE_DISPATCH: dispatch ? '1' : '0',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let onRate: ((rate: number) => void) | null = null;
  let resolveReport: (r: ScaleReport) => void;
  let resolveReady: () => void;
  const failed = new Promise<never>((_, reject) => {
    child.on('exit', (code, signal) => {
      if (code !== 0) reject(new Error(`scale worker (${size}, ${variant}) exited with ${code ?? signal}`));
    });
  });
  failed.catch(() => {});
  const report = Promise.race([new Promise<ScaleReport>((r) => (resolveReport = r)), failed]);
  const ready = Promise.race([new Promise<void>((r) => (resolveReady = r)), failed]);
  child.on('message', (m: { type: string; report?: ScaleReport; rate?: number }) => {
    if (m.type === 'report') resolveReport(m.report!);
    else if (m.type === 'ready') resolveReady();
    else if (m.type === 'rate') onRate?.(m.rate!);
  });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return {
    report,
    ready,
    round(ms) {
      return Promise.race([
        new Promise<number>((resolve) => {
          onRate = resolve;
          child.send({ type: 'round', ms });
        }),
        failed,
      ]);
    },
    async stop() {
      if (child.connected) child.send({ type: 'stop', ms: 0 });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function measure(mode: BenchMode): Promise<Section> {
  const small = mode.quick ? 2_000 : 100_000;
  const parts = mode.quick ? 2_000 : 20_000;
  const large = mode.quick ? 10_000 : 1_000_000;
  const base = 1_000;
  const label = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000} M` : `${n / 1_000} k`);

  log(`scale: XState actors × ${label(small)}`);
  const actor = await startWorker(small, 'xstate-actor', false).report;
  log(`scale: ${label(small)} agents`);
  const full = await startWorker(small, 'full', false).report;
  const variants: ScaleVariant[] = mode.quick
    ? ['full', 'record-only']
    : ['full', 'no-revisions', 'no-audit', 'record-only', 'audit-capped'];
  const breakdown = new Map<ScaleVariant, ScaleReport>();
  for (const v of variants) {
    log(`scale: ${label(parts)} agents, the store keeps ${v}`);
    breakdown.set(v, await startWorker(parts, v, false).report);
  }
  log(`scale: ${label(large)} agents (and ${label(base)} for the dispatch comparison)`);
  const big = startWorker(large, 'full', true);
  const bigReport = await big.report;
  await big.ready;
  const few = startWorker(base, 'full', true);
  await few.report;
  await few.ready;
  const rates = new Map<string, number[]>([
    ['few', []],
    ['big', []],
  ]);
  try {
    // Warm-up: the dispatch path needs a few hundred ms of calls before it is compiled.
    for (let w = 0; w < 3; w++) {
      await few.round(mode.roundMs);
      await big.round(mode.roundMs);
    }
    for (let r = 0; r < mode.rounds; r++) {
      const order: [string, Worker][] =
        r % 2 === 0
          ? [
              ['few', few],
              ['big', big],
            ]
          : [
              ['big', big],
              ['few', few],
            ];
      for (const [name, w] of order) rates.get(name)!.push(await w.round(mode.roundMs));
    }
  } finally {
    await Promise.all([few.stop(), big.stop()]);
  }
  const fewRate = median(rates.get('few')!);
  const bigRate = median(rates.get('big')!);
  const slowdown = fewRate / bigRate;
  const row = (what: string, r: ScaleReport): string[] => [
    what,
    bytes(r.perAgentStore),
    bytes(r.perAgentProcess),
    `${r.createSeconds.toFixed(1)} s (${si(r.size / r.createSeconds)}/s)`,
  ];
  const part = (a: ScaleVariant, b: ScaleVariant) => {
    const x = breakdown.get(a);
    const y = breakdown.get(b);
    return x && y ? x.perAgentStore - y.perAgentStore : Number.NaN;
  };
  const partsFull = breakdown.get('full')!;
  const recordOnly = breakdown.get('record-only')!;
  const share = (v: number) => `${((v / partsFull.perAgentStore) * 100).toFixed(0)} %`;
  const WHAT: Record<string, string> = {
    full: 'everything (record, audit entries, revisions, tokens)',
    'no-revisions': 'no revisions',
    'no-audit': 'no audit entries',
    'record-only': 'the record alone (no audit entries, no revisions)',
    'audit-capped': 'everything, with `createMemoryStore({ maxAuditEntriesPerAgent: 1 })`',
  };
  const tables = [
    {
      caption: 'Heap per agent (heapUsed after GC ÷ agents) and time to create them',
      columns: ['what is stored', 'store alone', 'with the manager alive', 'time to create'],
      rows: [
        row(
          `${label(small)} agents via \`manager.create\` (record + ${full.auditPerAgent} audit entries + ${full.revisionsPerAgent} revision)`,
          full,
        ),
        row(`${label(large)} agents via \`manager.create\` (same)`, bigReport),
        [
          `${label(small)} live XState actors (\`createActor(lifecycleMachine).start()\`)`,
          bytes(actor.perAgentStore),
          '—',
          `${actor.createSeconds.toFixed(1)} s (${si(actor.size / actor.createSeconds)}/s)`,
        ],
      ],
    },
  ];
  tables.push({
    caption: `What dominates (${label(parts)} agents; a store wrapper drops part of each commit)`,
    columns: ['the store keeps', 'store alone, per agent', 'share of everything'],
    rows: [
      ...variants.map((v) => [
        WHAT[v] ?? v,
        bytes(breakdown.get(v)!.perAgentStore),
        share(breakdown.get(v)!.perAgentStore),
      ]),
      ...(mode.quick
        ? []
        : [
            [
              '→ the audit entries (everything − no audit)',
              bytes(part('full', 'no-audit')),
              share(part('full', 'no-audit')),
            ],
            [
              '→ the revision (everything − no revisions)',
              bytes(part('full', 'no-revisions')),
              share(part('full', 'no-revisions')),
            ],
          ]),
    ],
  });
  tables.push({
    caption: 'Dispatch (pause/resume on random stored agents, sequential) by store size',
    columns: ['agents stored', 'dispatches/s (median)', 'min – max', `÷ ${label(base)} rate`],
    rows: [
      [label(base), si(fewRate), spread(rates.get('few')!, si), '1.00×'],
      [label(large), si(bigRate), spread(rates.get('big')!, si), times(bigRate / fewRate)],
    ],
  });
  const perAgent = Math.max(full.perAgentStore, bigReport.perAgentStore);
  return {
    id: 'scale',
    title: '3. Scale',
    method: [
      `Each size runs in a fresh \`node --expose-gc\` process: \`manager.create\` in batches of 1 000 with a stateless instant driver (so the heap is Berth's, not a driver's), until every agent is \`running\` (create → provisioning → starting → running: ${full.auditPerAgent} audit entries and ${full.revisionsPerAgent} revision each). Heap per agent = (heapUsed after two GCs − heapUsed before) ÷ agents, once with the manager alive and once with only the store left.`,
      `The dispatch comparison keeps the ${label(large)}-agent process and a ${label(base)}-agent process alive and alternates rounds between them (pause then resume on uniformly random stored agents; three warm-up rounds each, then ${mode.rounds} rounds of ~${mode.roundMs} ms each).`,
      `The breakdown creates ${label(parts)} agents the same way with a store wrapper that drops the audit entries and/or revisions of each commit (per-agent figures hardly depend on the count), and once with the memory store's own \`maxAuditEntriesPerAgent: 1\`.`,
    ],
    tables,
    targets: [
      {
        name: 'Heap per stored agent (with its audit trail)',
        measured: `${bytes(full.perAgentStore)} at ${label(small)}, ${bytes(bigReport.perAgentStore)} at ${label(large)}`,
        reference: `live XState actor ${bytes(actor.perAgentStore)}`,
        ratio: times(perAgent / actor.perAgentStore),
        target: '≤ 1 KB per agent',
        met: perAgent <= 1024,
      },
      {
        name: 'Heap per stored agent, the record alone (audit and revisions elsewhere)',
        measured: `${bytes(recordOnly.perAgentStore)} at ${label(parts)}`,
        reference: `live XState actor ${bytes(actor.perAgentStore)}`,
        ratio: times(recordOnly.perAgentStore / actor.perAgentStore),
        target: '≤ 1 KB per agent',
        met: recordOnly.perAgentStore <= 1024,
      },
      {
        name: `Dispatch with ${label(large)} agents stored`,
        measured: `${si(bigRate)}/s`,
        reference: `${label(base)} stored: ${si(fewRate)}/s`,
        ratio: `${times(bigRate / fewRate)} the ${label(base)} rate`,
        target: '≥ 0.5× (no more than 2× worse)',
        met: slowdown <= 2,
      },
    ],
    notes: [
      'Absolute dispatch rates here are below those of measurement 2 (another driver, and a second process with a multi-GB heap alive on the same two cores); what this table compares is the ratio.',
    ],
  };
}

await runMeasurement(measure);
