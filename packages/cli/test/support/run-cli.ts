/** Runs the CLI in this process with captured output (no colour), as the CLI tests need it. */
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/index.js';

/** What one CLI run gave: its exit code and what it printed. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `berth <args>` with `env` (NO_COLOR set), stdin empty; resolves with the exit code and output.
 * With `tty`, stdout claims to be a terminal and NO_COLOR is left to `env`.
 */
export async function runBerth(
  args: readonly string[],
  env: Record<string, string> = {},
  { tty = false }: { readonly tty?: boolean } = {},
): Promise<CliRun> {
  const stdout = Object.assign(new PassThrough(), { isTTY: tty });
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const code = await runCli(args, {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: tty ? { ...env } : { NO_COLOR: '1', ...env },
  });
  return { code, stdout: out, stderr: err };
}
