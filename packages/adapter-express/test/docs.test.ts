/** docs/http.md stays true to the code: its error table is ERROR_CODES, row for row. */
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '@berth/core';
import { expect, test } from 'vitest';

const doc = readFileSync(new URL('../../../docs/http.md', import.meta.url), 'utf8');

test('the error table of docs/http.md lists every code with its status, and nothing else', () => {
  const section = doc.slice(doc.indexOf('## Errors'), doc.indexOf('## Input rules'));
  const rows = [...section.matchAll(/^\| `([A-Z_]+)`\s*\| (\d{3})\s*\|/gm)].map((m) => [m[1], Number(m[2])]);
  const expected = Object.entries(ERROR_CODES).map(([code, { status }]) => [code, status]);
  expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(expected));
  expect(rows).toHaveLength(expected.length);
});

test('every route of the OpenAPI route table appears in docs/http.md', async () => {
  const { buildOpenApiDocument } = await import('../src/index.js');
  const paths = Object.entries(buildOpenApiDocument().paths as Record<string, object>);
  for (const [path, ops] of paths)
    for (const method of Object.keys(ops))
      expect(doc, `${method} ${path}`).toContain(
        `\`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
      );
});
