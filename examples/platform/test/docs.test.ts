/**
 * docs/getting-started.md ("Run the platform") stays true to the platform: its environment
 * table has a row per variable the platform reads, with the default the code uses.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, CONFIG_VARIABLES, loadConfig } from '../src/index.js';

const page = readFileSync(new URL('../../../docs/getting-started.md', import.meta.url), 'utf8');
const section = page.slice(
  page.indexOf('## Run the platform'),
  page.indexOf('\n## ', page.indexOf('## Run the platform') + 1),
);

function row(variable: string): string[] {
  const line = section.split('\n').find((l) => l.startsWith(`| \`${variable}\` |`));
  if (!line) throw new Error(`no row for ${variable}`);
  return line.split('|').map((cell) => cell.trim());
}

describe('docs/getting-started.md: Run the platform', () => {
  it('has a row per environment variable', () => {
    const rows = section.split('\n').filter((l) => /^\| `[A-Z_]+` \|/.test(l));
    expect(rows.map((l) => /`([A-Z_]+)`/.exec(l)![1])).toEqual([...CONFIG_VARIABLES]);
  });

  it('states the defaults the code uses', () => {
    const defaults = loadConfig({});
    expect(row('PORT')[2]).toBe(`\`${defaults.port}\``);
    expect(row('HOST')[2]).toBe(`\`${defaults.host}\``);
    expect(row('BERTH_DRIVER')[2]).toBe(`\`${defaults.driver}\``);
    expect(row('BERTH_OPERATOR_KEYS')[2]).toBe('unset');
    expect(row('BERTH_SLOTS_PER_OWNER')[2]).toBe('unlimited');
    expect(row('BERTH_MEMORY_CAPACITY')[2]).toBe('unlimited');
    expect(row('BERTH_MEMORY_LATENCY_MS')[2]).toBe(
      `\`${defaults.memoryLatencyMs.min}-${defaults.memoryLatencyMs.max}\``,
    );
    expect(row('BERTH_HEARTBEAT_TIMEOUT_MS')[2]).toBe(`\`${defaults.heartbeatTimeoutMs}\``);
    expect(row('BERTH_REQUIRE_REASON')[2]).toBe(`\`${defaults.requireReason.join(',')}\``);
    expect(row('BERTH_STORE')[2]).toBe(`\`${CONFIG_DEFAULTS.store}\``);
    expect(defaults.store).toEqual({ kind: 'sqlite', path: CONFIG_DEFAULTS.store.slice('sqlite:'.length) });
    expect(row('BERTH_HEADERS_TIMEOUT_SECONDS')[2]).toBe(`\`${defaults.headersTimeoutSeconds}\``);
    expect(row('BERTH_REQUEST_TIMEOUT_SECONDS')[2]).toBe(`\`${defaults.requestTimeoutSeconds}\``);
  });

  it('starts with Quick start line 1 of the README', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const line1 = /## Quick start\s+```sh\n(.+)\n/.exec(readme)?.[1];
    expect(line1).toBeDefined();
    expect(section).toContain(line1!);
  });
});
