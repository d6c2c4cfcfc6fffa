/**
 * The layout the design promises (DESIGN.md "Layout", issue 10), checked on the files
 * themselves: small source files (400 lines; 300 in drivers), the runtime as `manager/` rather
 * than one `manager.ts`, and Express confined to its adapter, which stays a thin binding
 * (at most 300 lines in all) of `@berth/core/http`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGES = join(ROOT, 'packages');
const SOURCE = /\.(?:[cm]?ts|tsx|[cm]?js)$/;
const SKIP = new Set(['node_modules', 'dist', 'coverage', '.turbo']);

/** Every source file under `dir` (relative to the repository root), recursively. */
function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (SOURCE.test(name)) out.push(relative(ROOT, path));
  }
  return out.sort();
}

const lines = (file: string): number => {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
};

const packages = readdirSync(PACKAGES).filter((p) => statSync(join(PACKAGES, p)).isDirectory());
const srcOf = (pkg: string) => sourceFiles(join(PACKAGES, pkg, 'src'));

/** Files over `limit` lines, as `path: n lines`. */
const over = (files: readonly string[], limit: number) =>
  files
    .map((f) => [f, lines(f)] as const)
    .filter(([, n]) => n > limit)
    .map(([f, n]) => `${f}: ${n} lines`);

describe('layout', () => {
  test('the packages are found (the checks below look at real files)', () => {
    expect(packages).toEqual(expect.arrayContaining(['core', 'adapter-express']));
    expect(srcOf('core').length).toBeGreaterThan(20);
  });

  test('no source file under packages/*/src is over 400 lines', () => {
    expect(over(packages.flatMap(srcOf), 400)).toEqual([]);
  });

  test('no file under packages/driver-*/src is over 300 lines', () => {
    const drivers = packages.filter((p) => p.startsWith('driver-'));
    expect(drivers.length).toBeGreaterThan(0);
    expect(over(drivers.flatMap(srcOf), 300)).toEqual([]);
  });

  test('the runtime is packages/core/src/manager/, not one manager.ts', () => {
    expect(existsSync(join(PACKAGES, 'core/src/manager.ts'))).toBe(false);
    expect(existsSync(join(PACKAGES, 'core/src/manager/create-manager.ts'))).toBe(true);
  });

  test('nothing outside packages/adapter-express (and bench/, examples/) imports express', () => {
    const imports = /(?:from\s*|import\s*\(\s*|require\s*\(\s*|import\s+)['"]express(?:\/[^'"]*)?['"]/;
    const files = [
      ...packages.filter((p) => p !== 'adapter-express').flatMap((p) => sourceFiles(join(PACKAGES, p))),
      ...sourceFiles(join(ROOT, 'scripts')),
    ];
    expect(files.filter((f) => imports.test(readFileSync(join(ROOT, f), 'utf8')))).toEqual([]);
    // …nor depends on it.
    for (const pkg of packages.filter((p) => p !== 'adapter-express')) {
      const manifest = JSON.parse(readFileSync(join(PACKAGES, pkg, 'package.json'), 'utf8')) as Record<
        string,
        Record<string, string> | undefined
      >;
      for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'])
        expect(Object.keys(manifest[field] ?? {}), `${pkg} ${field}`).not.toContain('express');
    }
    // The check itself sees an import where there is one.
    expect(imports.test(readFileSync(join(PACKAGES, 'adapter-express/src/router.ts'), 'utf8'))).toBe(true);
  });

  test('packages/adapter-express/src is a binding of at most 300 lines in all', () => {
    const files = srcOf('adapter-express');
    const total = files.reduce((sum, f) => sum + lines(f), 0);
    expect(total, files.map((f) => `${f}: ${lines(f)}`).join('\n')).toBeLessThanOrEqual(300);
    expect(files.some((f) => /from '@berth\/core\/http'/.test(readFileSync(join(ROOT, f), 'utf8')))).toBe(
      true,
    );
  });

  test('docs/architecture.md names only files and folders that exist', () => {
    const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
    const paths = [...doc.matchAll(/`(packages\/[^`*<\s]+)`/g)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(5);
    expect(paths.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });
});
