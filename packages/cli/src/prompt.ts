/**
 * Questions on a terminal: the typed-name confirmation of destructive actions and a reason
 * the policy requires.
 *
 * @module
 */
import { createInterface } from 'node:readline/promises';
import { CliError, EXIT } from './exit-codes.js';
import type { CliIO } from './output.js';
import { escapeControl } from './terminal-text.js';

/** True when both stdin and stderr are terminals, so a person can answer. */
export function canPrompt(io: CliIO): boolean {
  return io.stdin.isTTY === true && io.stderr.isTTY === true;
}

/** Ask one question on the terminal (escaped: it may quote a name); Ctrl-C aborts with exit 130. */
export async function ask(io: CliIO, question: string, signal: AbortSignal): Promise<string> {
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
  try {
    return await new Promise<string>((resolve, reject) => {
      const interrupted = () => reject(new CliError(EXIT.INTERRUPTED, 'INTERRUPTED', 'interrupted'));
      rl.on('SIGINT', interrupted);
      rl.on('close', interrupted);
      rl.question(escapeControl(question), { signal }).then(resolve, interrupted);
    });
  } finally {
    rl.close();
  }
}
