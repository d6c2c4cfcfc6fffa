/**
 * The `berth` command: parse the command line, run a verb against the API, turn whatever
 * happens into output and an exit status.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { ACTION_VERBS, parseCommandLine } from './args.js';
import { BerthApiError, createBerthClient } from './client.js';
import type { Verb, VerbContext } from './context.js';
import { CliError, EXIT, exitCodeOf, usageError } from './exit-codes.js';
import { helpFor } from './help.js';
import { type CliIO, painter } from './output.js';
import { displaySafeClient } from './safe-client.js';
import { escapeControl, safeJson } from './terminal-text.js';
import { actionVerb } from './verbs/action.js';
import { agentsVerb } from './verbs/agents.js';
import { auditVerb, revisionsVerb } from './verbs/audit.js';
import { backupsVerb } from './verbs/backups.js';
import { deployVerb } from './verbs/deploy.js';
import { servicesVerb } from './verbs/services.js';
import { statusVerb } from './verbs/status.js';
import { tokenVerb } from './verbs/token.js';
import { waitVerb } from './verbs/wait.js';
import { watchVerb } from './verbs/watch.js';
import { whyVerb } from './verbs/why.js';

/** Where the API is when neither `--url` nor `BERTH_URL` says. */
export const DEFAULT_URL = 'http://127.0.0.1:3000/api';

const VERBS: Readonly<Record<string, Verb>> = {
  agents: agentsVerb,
  status: statusVerb,
  deploy: deployVerb,
  wait: waitVerb,
  audit: auditVerb,
  revisions: revisionsVerb,
  why: whyVerb,
  watch: watchVerb,
  token: tokenVerb,
  backups: backupsVerb,
  services: servicesVerb,
  destroy: actionVerb('destroy'),
  kill: actionVerb('destroy'),
  ...Object.fromEntries(ACTION_VERBS.map((action) => [action, actionVerb(action)])),
};

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** Aborts running verbs (Ctrl-C). */
  readonly signal?: AbortSignal;
}

/**
 * Run `berth` with `argv` (the arguments after the program name) and return its exit status.
 * Nothing here calls `process.exit`, so it can run in-process.
 *
 * @param argv - e.g. `['stop', 'agt_123', '--wait']`.
 * @param io - stdout, stderr, stdin and the environment.
 * @example
 * ```ts
 * const code = await runCli(process.argv.slice(2), { ...process, env: process.env });
 * ```
 */
export async function runCli(
  argv: readonly string[],
  io: CliIO,
  options: RunCliOptions = {},
): Promise<number> {
  const json = argv.includes('--json');
  const paint = painter(io);
  try {
    const args = parseCommandLine(argv);
    if (args.flags.version) {
      io.stdout.write(`${packageVersion()}\n`);
      return EXIT.OK;
    }
    if (args.verb === undefined || args.verb === 'help') {
      io.stdout.write(helpFor(args.positionals[0]));
      return args.verb === undefined && !args.flags.help ? EXIT.USAGE : EXIT.OK;
    }
    const verb = VERBS[args.verb];
    if (verb === undefined) throw usageError(`unknown verb '${args.verb}' (see berth help)`);
    if (args.flags.help) {
      io.stdout.write(helpFor(args.verb));
      return EXIT.OK;
    }
    const url = args.flags.url ?? io.env.BERTH_URL ?? DEFAULT_URL;
    try {
      new URL(url);
    } catch {
      throw usageError(`--url / BERTH_URL is not a URL: '${url}'`);
    }
    const key = args.flags.key ?? io.env.BERTH_KEY;
    const client = createBerthClient({ url, ...(key ? { key } : {}) });
    const ctx: VerbContext = {
      args,
      // Human output reads answers with their control characters escaped; `--json` prints them
      // faithfully (JSON escapes them itself).
      client: args.flags.json === true ? client : displaySafeClient(client),
      io,
      paint,
      json: args.flags.json === true,
      signal: options.signal ?? new AbortController().signal,
      print: (text) => io.stdout.write(`${text}\n`),
      printJson: (value) => io.stdout.write(`${safeJson(value)}\n`),
    };
    return await verb(ctx);
  } catch (error) {
    const code = exitCodeOf(error);
    reportError(io, error, code, json, paint);
    return code;
  }
}

function reportError(
  io: CliIO,
  error: unknown,
  exitCode: number,
  json: boolean,
  paint: ReturnType<typeof painter>,
): void {
  if (json) {
    const body =
      error instanceof BerthApiError
        ? { error: { ...error.problem, exitCode } }
        : {
            error: {
              code:
                error instanceof CliError
                  ? error.code
                  : exitCode === EXIT.UNREACHABLE
                    ? 'UNREACHABLE'
                    : 'UNEXPECTED',
              detail: error instanceof Error ? error.message : String(error),
              exitCode,
            },
          };
    io.stderr.write(`${safeJson(body)}\n`);
    return;
  }
  // What an error says may come from the server or echo the command line: escaped either way.
  const e = escapeControl;
  const prefix = paint('red', 'error:');
  if (error instanceof BerthApiError) {
    let text = `${prefix} ${e(error.message)} ${paint('dim', `(${e(error.code)})`)}`;
    const allowed = error.problem.allowedActions;
    if (Array.isArray(allowed))
      text += `\n  allowed now: ${allowed.length > 0 ? e(allowed.join(', ')) : 'nothing'}`;
    for (const issue of error.problem.errors ?? [])
      text += `\n  ${e(String(issue.path || '(body)'))}: ${e(String(issue.message))}`;
    io.stderr.write(`${text}\n`);
    return;
  }
  const message = e(error instanceof Error ? error.message : String(error));
  io.stderr.write(`${prefix} ${message}\n`);
  if (exitCode === EXIT.USAGE) io.stderr.write(`  see: berth help\n`);
  if (
    exitCode === EXIT.UNEXPECTED &&
    error instanceof Error &&
    !(error instanceof CliError) &&
    io.env.BERTH_DEBUG
  ) {
    io.stderr.write(`${(error.stack ?? '').split('\n').map(e).join('\n')}\n`);
  }
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
