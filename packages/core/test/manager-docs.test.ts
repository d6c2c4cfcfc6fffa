/**
 * The manager's hand-written docs stay true to the code: the policy table equals
 * DEFAULT_POLICIES, every error code the pages name exists, and the "Embed the manager" program
 * of docs/getting-started.md is the fixture this test runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICIES, ERROR_CODES } from '@berth/core';
import { afterEach, describe, expect, it, vi } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The rows of the markdown table that follows `heading`, as arrays of trimmed cells. */
function tableAfter(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`${heading}\n`);
  expect(start, `heading ${heading}`).toBeGreaterThanOrEqual(0);
  const lines = markdown.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

const unquote = (cell: string) => cell.replace(/^`|`$/g, '');

describe('docs/manager.md', () => {
  const page = read('docs/manager.md');

  it('lists every policy with its default from DEFAULT_POLICIES', () => {
    const rows = tableAfter(page, '### Policies');
    const documented = Object.fromEntries(
      rows.map(([name, value]) => {
        const raw = unquote(value!);
        return [unquote(name!), raw === 'Infinity' ? Number.POSITIVE_INFINITY : JSON.parse(raw)];
      }),
    );
    expect(documented).toEqual({ ...DEFAULT_POLICIES });
  });

  it('names only error codes that exist, and every code the manager table lists is one', () => {
    const rows = tableAfter(page, '## Errors');
    const codes = rows.flatMap(([cell]) => [...cell!.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]!));
    expect(codes.length).toBeGreaterThan(15);
    for (const code of codes) expect(Object.keys(ERROR_CODES), code).toContain(code);
    for (const path of ['docs/manager.md', 'docs/operations.md', 'docs/stores.md']) {
      for (const [, code] of read(path).matchAll(/`([A-Z][A-Z]+(?:_[A-Z]+)+)`/g)) {
        // A driver's own code and the exported defaults are not Berth error codes.
        if (code === 'NO_CAPACITY' || code === 'DEFAULT_POLICIES') continue;
        expect(Object.keys(ERROR_CODES), `${code} in ${path}`).toContain(code);
      }
    }
  });
});

describe('docs/getting-started.md: Embed the manager', () => {
  const fixture = read('packages/core/test/fixtures/embed-manager.ts');
  const program = fixture.split('// --- docs/getting-started.md ---\n')[1]!;

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('shows exactly the program this test runs, in at most 20 lines', () => {
    const page = read('docs/getting-started.md');
    const section = page.slice(page.indexOf('## Embed the manager'));
    expect(section).toContain(`\`\`\`ts\n${program}\`\`\``);
    expect(program.trimEnd().split('\n').length).toBeLessThanOrEqual(20);
  });

  it('runs and prints what the page says it prints', async () => {
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((value: unknown) => {
      printed.push(typeof value === 'string' ? value : JSON.stringify(value));
    });
    await import('./fixtures/embed-manager.js');
    expect(printed).toEqual([
      'pending → provisioning (deploy by user:ada)',
      'provisioning → starting (provisioned by driver:memory)',
      'starting → running (op_succeeded by driver:memory)',
      'running → paused (pause by user:ada)',
      'paused → running (resume by user:ada)',
      'running → deleting (destroy by user:ada)',
      'deleting → deleted (op_succeeded by driver:memory)',
      '{"ok":true,"length":8}',
    ]);
    const page = read('docs/getting-started.md');
    for (const line of printed.slice(0, -1)) expect(page).toContain(line);
    expect(page).toContain('{ ok: true, length: 8 }');
  });
});
