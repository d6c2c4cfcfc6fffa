/**
 * What the benchmarks found where Berth misses a target, and what would fix it (written by hand
 * after profiling; the figures here come from experiments on a scratch copy of the sources).
 *
 * @module
 */

/** Findings rendered under "Where Berth misses, and what would fix it". */
export const FINDINGS: readonly string[] = [];
