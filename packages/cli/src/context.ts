/**
 * What every verb gets: the parsed command line, the API client, the terminal and a signal
 * that aborts on Ctrl-C.
 *
 * @module
 */
import type { ParsedArgs } from './args.js';
import type { BerthClient } from './client.js';
import type { CliIO, Paint } from './output.js';

/** The context a verb runs in. */
export interface VerbContext {
  readonly args: ParsedArgs;
  readonly client: BerthClient;
  readonly io: CliIO;
  readonly paint: Paint;
  /** `--json` was given. */
  readonly json: boolean;
  /** Aborted on Ctrl-C. */
  readonly signal: AbortSignal;
  /** Write a line (or lines) to stdout. */
  print(text: string): void;
  /** Write one JSON document to stdout. */
  printJson(value: unknown): void;
}

/** A verb: runs and returns its exit code (or throws). */
export type Verb = (ctx: VerbContext) => Promise<number>;
