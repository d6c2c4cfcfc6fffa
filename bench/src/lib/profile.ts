/**
 * Summarise a V8 `.cpuprofile` (from `node --cpu-prof`): self time and inclusive time per
 * function, so a benchmark can say where its time goes.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
    readonly columnNumber: number;
  };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** One function's share of the samples. */
export interface ProfileLine {
  /** `name (file:line)`. */
  readonly where: string;
  /** Share of all samples spent in the function itself. */
  readonly self: number;
  /** Share of all samples with the function on the stack. */
  readonly total: number;
}

const maps = new Map<string, SourceMap | null>();

/** The source map next to a bundled script (`x.mjs.map`), if there is one. */
function mapOf(url: string): SourceMap | null {
  let map = maps.get(url);
  if (map === undefined) {
    map = null;
    if (url.startsWith('file://')) {
      const file = `${fileURLToPath(url)}.map`;
      if (existsSync(file)) map = new SourceMap(JSON.parse(readFileSync(file, 'utf8')));
    }
    maps.set(url, map);
  }
  return map;
}

const shorten = (file: string) =>
  file.replace(/^file:\/\//, '').replace(/^.*?\/(packages|bench|node_modules)\//, '$1/');

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber, columnNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  const entry = mapOf(url)?.findEntry(lineNumber, columnNumber);
  if (entry && 'originalSource' in entry && entry.originalSource) {
    return `${name} (${shorten(entry.originalSource)}:${entry.originalLine + 1})`;
  }
  const file = shorten(url);
  return `${name}${file ? ` (${file}:${lineNumber + 1})` : ''}`;
}

/**
 * Self and inclusive shares per function, largest self first.
 * @param path - A `.cpuprofile` file.
 * @param top - How many lines to keep.
 */
export function summariseProfile(path: string, top = 15): ProfileLine[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfCount = new Map<string, number>();
  const totalCount = new Map<string, number>();
  let samples = 0;
  for (const id of profile.samples) {
    const node = byId.get(id);
    if (!node) continue;
    samples++;
    const self = label(node);
    selfCount.set(self, (selfCount.get(self) ?? 0) + 1);
    const seen = new Set<string>();
    for (let n: ProfileNode | undefined = node; n; n = byId.get(parent.get(n.id) ?? -1)) {
      const l = label(n);
      if (seen.has(l)) continue;
      seen.add(l);
      totalCount.set(l, (totalCount.get(l) ?? 0) + 1);
    }
  }
  return [...selfCount.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, count]) => ({
      where,
      self: count / samples,
      total: (totalCount.get(where) ?? 0) / samples,
    }));
}

/** Inclusive share of every function whose label matches `pattern`, largest first. */
export function inclusiveShares(path: string, pattern: RegExp, top = 15): ProfileLine[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const totalCount = new Map<string, number>();
  const selfCount = new Map<string, number>();
  let samples = 0;
  for (const id of profile.samples) {
    const node = byId.get(id);
    if (!node) continue;
    samples++;
    const l0 = label(node);
    selfCount.set(l0, (selfCount.get(l0) ?? 0) + 1);
    const seen = new Set<string>();
    for (let n: ProfileNode | undefined = node; n; n = byId.get(parent.get(n.id) ?? -1)) {
      const l = label(n);
      if (seen.has(l) || !pattern.test(l)) continue;
      seen.add(l);
      totalCount.set(l, (totalCount.get(l) ?? 0) + 1);
    }
  }
  return [...totalCount.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, count]) => ({
      where,
      self: (selfCount.get(where) ?? 0) / samples,
      total: count / samples,
    }));
}
