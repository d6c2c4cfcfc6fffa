/**
 * docs/cli.md stays true to the command: every verb, every flag and every exit code the CLI
 * has is documented, and the page documents none it lacks.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FLAGS, VERB_FLAGS } from '../src/args.js';
import { EXIT } from '../src/exit-codes.js';
import { VERB_HELP } from '../src/help.js';

const page = readFileSync(new URL('../../../docs/cli.md', import.meta.url), 'utf8');

describe('docs/cli.md', () => {
  it('documents every verb', () => {
    for (const verb of Object.keys(VERB_HELP))
      expect(page, verb).toMatch(new RegExp(`berth ([a-z|]+\\|)?${verb}\\b`));
  });

  it('documents every flag, and only real ones', () => {
    for (const flag of Object.keys(FLAGS)) expect(page, flag).toContain(`--${flag}`);
    // Flags written after `berth` in a command (not pnpm's or node's own flags).
    const commands = page
      .split('\n')
      .flatMap((line) => [...line.matchAll(/\bberth [^`#\n]*/g)].map((m) => m[0]));
    const mentioned = new Set(
      commands.flatMap((c) => [...c.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!)),
    );
    expect(mentioned.size).toBeGreaterThan(10);
    for (const flag of mentioned) expect(Object.keys(FLAGS), `--${flag}`).toContain(flag);
  });

  it('lists every exit code in its table', () => {
    const table = page.slice(page.indexOf('## Exit codes'));
    for (const code of Object.values(EXIT))
      expect(table, String(code)).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });

  it('every verb with flags has help text', () => {
    for (const verb of Object.keys(VERB_FLAGS))
      if (verb !== 'help') expect(VERB_HELP[verb], verb).toBeDefined();
  });
});
