/**
 * What every measurement shares: the run mode (full or quick), interleaved rounds, medians, and
 * the shape of a measurement's result (a section of docs/benchmarks.md).
 *
 * @module
 */
import { writeFileSync } from 'node:fs';

/** How a measurement runs. */
export interface BenchMode {
  /** Smoke mode: few, short rounds (CI proves the scripts still work). */
  readonly quick: boolean;
  /** Rounds per contender (≥ 5 in a full run). */
  readonly rounds: number;
  /** Target length of one contender's round, in ms. */
  readonly roundMs: number;
}

/** True when the quick (smoke) mode is asked for, by `--quick` or `BERTH_BENCH_QUICK=1`. */
export function isQuick(argv: readonly string[] = process.argv): boolean {
  return argv.includes('--quick') || process.env.BERTH_BENCH_QUICK === '1';
}

/** The mode of this process. */
export function benchMode(): BenchMode {
  const quick = isQuick();
  return { quick, rounds: quick ? 2 : 7, roundMs: quick ? 60 : 300 };
}

/** A target and whether it was met. `met` is null when it could not be measured here. */
export interface TargetResult {
  readonly name: string;
  /** What was measured (e.g. `6.1 M decisions/s`). */
  readonly measured: string;
  /** The reference measured in the same run, or `—`. */
  readonly reference: string;
  /** The ratio that the target is about, or `—`. */
  readonly ratio: string;
  readonly target: string;
  readonly met: boolean | null;
}

/** A table of the document. */
export interface Table {
  readonly caption?: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** A measurement's result: one section of docs/benchmarks.md. */
export interface Section {
  readonly id: string;
  readonly title: string;
  /** How it was measured (markdown paragraphs). */
  readonly method: readonly string[];
  readonly tables: readonly Table[];
  readonly targets: readonly TargetResult[];
  /** Findings, profiles, what remains and why (markdown list items). */
  readonly notes: readonly string[];
  /** Seconds the measurement took. */
  seconds?: number;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A contender in an interleaved comparison. */
export interface Contender {
  readonly name: string;
  /** One round; resolves to the round's figure (e.g. operations per second). */
  readonly round: () => number | Promise<number>;
}

/**
 * Run `rounds` rounds; in each, every contender runs once, in an order that rotates from round
 * to round (so no contender always runs first, or right after the same neighbour). Returns
 * each contender's figures, in round order.
 */
export async function interleave(
  contenders: readonly Contender[],
  rounds: number,
  onRound?: (round: number) => void,
): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(i + r) % contenders.length]!;
      gc();
      out.get(c.name)!.push(await c.round());
    }
    onRound?.(r);
  }
  return out;
}

/** Collect garbage when the process runs with `--expose-gc` (between rounds, not inside one). */
export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * How many iterations of `fn` take about `ms` milliseconds: doubling from 100 until one batch
 * takes a fifth of it, then twice more at the estimated size (which also warms the code up, so
 * a cold first batch does not shrink the rounds).
 */
export function calibrate(fn: (iterations: number) => void, ms: number): number {
  let n = 100;
  let took = 0;
  for (;;) {
    const t0 = performance.now();
    fn(n);
    took = performance.now() - t0;
    if (took >= ms / 5 || n >= 1e9) break;
    n *= 2;
  }
  for (let pass = 0; pass < 2; pass++) {
    n = Math.max(1, Math.round((n * ms) / Math.max(took, 0.001)));
    const t0 = performance.now();
    fn(n);
    took = performance.now() - t0;
  }
  return Math.max(1, Math.round((n * ms) / Math.max(took, 0.001)));
}

/** Operations per second of `iterations` runs of `fn`. */
export function opsPerSecond(fn: (iterations: number) => void, iterations: number): number {
  const t0 = process.hrtime.bigint();
  fn(iterations);
  const ns = Number(process.hrtime.bigint() - t0);
  return (iterations * 1e9) / ns;
}

/** Operations per second of an async loop that runs until `ms` has passed; `step` returns operations done. */
export async function asyncOpsPerSecond(step: () => Promise<number>, ms: number): Promise<number> {
  const t0 = performance.now();
  let ops = 0;
  let elapsed = 0;
  do {
    ops += await step();
    elapsed = performance.now() - t0;
  } while (elapsed < ms);
  return (ops * 1000) / elapsed;
}

/** `12.3 M`, `45.6 k`, `789` — three significant figures. */
export function si(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toPrecision(3)} G`;
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)} M`;
  if (abs >= 1e3) return `${(value / 1e3).toPrecision(3)} k`;
  return value.toPrecision(3);
}

/** A ratio as `2.41×`. */
export function times(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '—';
}

/** Milliseconds as `12.3 ms` (or `0.85 ms`). */
export function ms(value: number): string {
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ms`;
}

/** Bytes as `1.23 KB` (1 KB = 1024 B) or `456 B`. */
export function bytes(value: number): string {
  if (Math.abs(value) >= 1024 * 1024) return `${(value / 1024 / 1024).toFixed(1)} MB`;
  if (Math.abs(value) >= 1024) return `${(value / 1024).toFixed(2)} KB`;
  return `${Math.round(value)} B`;
}

/** `min–max` of a list, formatted with `fmt`. */
export function spread(values: readonly number[], fmt: (v: number) => string): string {
  if (values.length === 0) return '—';
  return `${fmt(Math.min(...values))} – ${fmt(Math.max(...values))}`;
}

/** Log progress on stderr (stdout stays clean). */
export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/**
 * The entry point of a measurement script: run `measure` and write its section as JSON to
 * `BERTH_BENCH_RESULT` (or print it when the script runs on its own).
 */
export async function runMeasurement(measure: (mode: BenchMode) => Promise<Section>): Promise<void> {
  const started = performance.now();
  const section = await measure(benchMode());
  section.seconds = (performance.now() - started) / 1000;
  const out = process.env.BERTH_BENCH_RESULT;
  if (out) writeFileSync(out, JSON.stringify(section));
  else console.log(JSON.stringify(section, null, 2));
}
