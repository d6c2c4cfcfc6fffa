/**
 * The command line grammar: one table of flags (parsed by `node:util` `parseArgs`), which verbs
 * accept which flag, and the checks that turn strings into typed values.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { type Action, isStatus, STATUSES, type Status } from '@berth/core';
import { usageError } from './exit-codes.js';

/** Every flag `berth` knows. */
export const FLAGS = {
  url: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  status: { type: 'string' },
  owner: { type: 'string' },
  profile: { type: 'string' },
  image: { type: 'string' },
  runtime: { type: 'string' },
  region: { type: 'string' },
  size: { type: 'string' },
  config: { type: 'string' },
  reason: { type: 'string' },
  confirm: { type: 'string' },
  revision: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
  after: { type: 'string' },
  verify: { type: 'boolean' },
  'expires-in': { type: 'string' },
  label: { type: 'string' },
  name: { type: 'string' },
  code: { type: 'string' },
  'idempotency-key': { type: 'string' },
} as const;

/** A flag name. */
export type FlagName = keyof typeof FLAGS;

/** Flags every verb accepts. */
export const GLOBAL_FLAGS: readonly FlagName[] = ['url', 'key', 'json', 'help', 'version'];

/** Lifecycle actions that are their own verbs (`berth stop <id>`). */
export const ACTION_VERBS = [
  'start',
  'stop',
  'restart',
  'redeploy',
  'recreate',
  'pause',
  'resume',
  'disable',
  'enable',
  'rollback',
  'reprovision',
] as const satisfies readonly Action[];

/** Verbs that destroy an agent (`kill` is Sekuire's word for it). */
export const DESTROY_VERBS = ['destroy', 'kill'] as const;

/** Which flags each verb takes, beyond {@link GLOBAL_FLAGS}. */
export const VERB_FLAGS: Readonly<Record<string, readonly FlagName[]>> = {
  agents: ['status', 'owner', 'profile'],
  status: ['profile'],
  deploy: ['owner', 'image', 'runtime', 'region', 'size', 'config', 'wait', 'timeout', 'idempotency-key'],
  wait: ['status', 'timeout'],
  audit: ['after', 'verify'],
  revisions: [],
  why: [],
  watch: ['profile'],
  token: ['expires-in', 'owner', 'code'],
  backups: ['label', 'name', 'owner', 'wait', 'timeout'],
  services: [],
  destroy: ['reason', 'confirm', 'yes', 'wait', 'timeout', 'idempotency-key'],
  kill: ['reason', 'confirm', 'yes', 'wait', 'timeout', 'idempotency-key'],
  help: [],
  ...Object.fromEntries(
    ACTION_VERBS.map((verb) => [
      verb,
      verb === 'recreate'
        ? ['reason', 'confirm', 'size', 'yes', 'wait', 'timeout', 'idempotency-key']
        : ['reason', 'confirm', 'revision', 'yes', 'wait', 'timeout', 'idempotency-key'],
    ]),
  ),
};

/** The parsed command line. */
export interface ParsedArgs {
  readonly verb: string | undefined;
  readonly positionals: readonly string[];
  readonly flags: {
    readonly [K in FlagName]?: (typeof FLAGS)[K]['type'] extends 'boolean' ? boolean : string;
  };
}

/** Parse argv (without `node` and the script). Throws a usage error for unknown flags or misplaced ones. */
export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  const parsed = (() => {
    try {
      return parseArgs({ args: [...argv], options: FLAGS, allowPositionals: true, strict: true });
    } catch (error) {
      throw usageError(error instanceof Error ? error.message : String(error));
    }
  })();
  const [verb, ...positionals] = parsed.positionals;
  const flags = parsed.values as ParsedArgs['flags'];
  if (verb !== undefined && VERB_FLAGS[verb] !== undefined) {
    const allowed = new Set<string>([...GLOBAL_FLAGS, ...VERB_FLAGS[verb]!]);
    for (const name of Object.keys(flags)) {
      if (!allowed.has(name)) throw usageError(`'${verb}' does not take --${name} (see berth help ${verb})`);
    }
  }
  return { verb, positionals, flags };
}

/** A required positional argument. */
export function requirePositional(args: ParsedArgs, index: number, what: string): string {
  const value = args.positionals[index];
  if (value === undefined || value.trim() === '') throw usageError(`'${args.verb}' needs ${what}`);
  return value;
}

/** Refuse extra positional arguments. */
export function noMorePositionals(args: ParsedArgs, count: number): void {
  const extra = args.positionals[count];
  if (extra !== undefined) throw usageError(`unexpected argument '${extra}' for '${args.verb}'`);
}

/** A canonical status, or a usage error naming the flag. */
export function parseStatus(value: string, flag: string): Status {
  if (!isStatus(value)) throw usageError(`--${flag} must be one of ${STATUSES.join(', ')} (got '${value}')`);
  return value;
}

/** A non-negative number of seconds, or a usage error naming the flag. */
export function parseSeconds(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw usageError(`--${flag} must be a number of seconds (got '${value}')`);
  }
  return n;
}

/** A non-negative integer, or a usage error naming the flag. */
export function parseInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw usageError(`--${flag} must be a non-negative integer (got '${value}')`);
  }
  return n;
}

/** A JSON object, or a usage error naming the flag. */
export function parseJsonObject(
  value: string | undefined,
  flag: string,
): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw usageError(`--${flag} must be a JSON object: ${error instanceof Error ? error.message : error}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw usageError(`--${flag} must be a JSON object`);
  }
  return parsed as Record<string, unknown>;
}
