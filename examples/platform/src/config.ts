/**
 * The platform's configuration, read from the environment (the table at the end of API.md and
 * in docs/getting-started.md). Every variable is checked; a bad value is a {@link ConfigError}
 * naming the variable, which `main.ts` prints before exiting with status 2.
 *
 * @module
 */
import { ACTIONS, type Action } from '@berth/core';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { DEFAULT_STORE, parseStoreSpec, type StoreSpec } from './store.js';

export { ConfigError };

/** The simulated latency of the memory driver: each operation takes between `min` and `max` ms. */
export interface LatencyRange {
  readonly min: number;
  readonly max: number;
}

/** Everything the platform needs to start. */
export interface PlatformConfig {
  /** Listen port (0 picks a free one). */
  readonly port: number;
  /** Listen address. */
  readonly host: string;
  /** Which driver runs the agents. */
  readonly driver: 'memory' | 'docker';
  /** Operator keys: key → owner. `null` is single-owner dev mode (owner `default`, no key). */
  readonly operatorKeys: ReadonlyMap<string, string> | null;
  /** Slots per owner; `undefined` is unlimited. */
  readonly slotsPerOwner: number | undefined;
  /** Memory driver: agents it can host at once; `undefined` is unlimited. */
  readonly memoryCapacity: number | undefined;
  /** Memory driver: how long each simulated operation takes. */
  readonly memoryLatencyMs: LatencyRange;
  /** A heartbeat older than this makes an agent degraded. */
  readonly heartbeatTimeoutMs: number;
  /** Actions that need a reason. */
  readonly requireReason: readonly Action[];
  /** Pending commands an agent may have queued; `undefined` is the manager's default (1000). */
  readonly maxCommandsPerAgent?: number | undefined;
  /** Where state lives (`BERTH_STORE`). */
  readonly store: StoreSpec;
  /**
   * With several instances over PostgreSQL: an instance that dies holding an operation loses it
   * to another within twice this (`BERTH_LEASE_MS`). @default 15000
   */
  readonly leaseMs?: number | undefined;
  /** Seconds a client has to send a request's headers (`server.headersTimeout`). */
  readonly headersTimeoutSeconds: number;
  /** Seconds a client has to send a whole request, headers and body (`server.requestTimeout`). */
  readonly requestTimeoutSeconds: number;
  /**
   * Docker driver: extra labels on everything it creates, and the scope of what this platform
   * owns (start-up reconciling removes only labelled containers that carry them too).
   */
  readonly dockerLabels?: Readonly<Record<string, string>> | undefined;
  /** The binding that serves `/api` (`BERTH_HTTP`); `undefined` is Express. */
  readonly http?: 'express' | 'node' | undefined;
}

/** The defaults, as documented. */
export const CONFIG_DEFAULTS = {
  port: 3000,
  host: '127.0.0.1',
  driver: 'memory',
  heartbeatTimeoutMs: 90_000,
  requireReason: ['pause'] as readonly Action[],
  memoryLatencyMs: { min: 300, max: 800 } as LatencyRange,
  store: DEFAULT_STORE,
  headersTimeoutSeconds: 10,
  requestTimeoutSeconds: 30,
} as const;

const integer = (min: number, max: number, what: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be ${what}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be ${what}`).max(max, `must be ${what}`));

const OWNER = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

const operatorKeys = z
  .string()
  .trim()
  .min(1, 'must list owner:key pairs, e.g. acme:s3cret,globex:t0ps3cret')
  .transform((value, ctx) => {
    const keys = new Map<string, string>();
    for (const pair of value.split(',')) {
      const entry = pair.trim();
      if (entry === '') continue;
      const colon = entry.indexOf(':');
      const owner = colon < 0 ? '' : entry.slice(0, colon).trim();
      const key = colon < 0 ? '' : entry.slice(colon + 1).trim();
      if (!OWNER.test(owner) || key === '') {
        ctx.addIssue({
          code: 'custom',
          message: `${redact(entry)} is not owner:key (owner: letters, digits, . _ -; key: not empty)`,
        });
        return z.NEVER;
      }
      if (keys.has(key)) {
        ctx.addIssue({ code: 'custom', message: `two owners share one key (owner '${owner}')` });
        return z.NEVER;
      }
      keys.set(key, owner);
    }
    if (keys.size === 0) {
      ctx.addIssue({ code: 'custom', message: 'must list at least one owner:key pair' });
      return z.NEVER;
    }
    return keys as ReadonlyMap<string, string>;
  });

const actionList = z.string().transform((value, ctx) => {
  const actions = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const action of actions) {
    if (!(ACTIONS as readonly string[]).includes(action)) {
      ctx.addIssue({
        code: 'custom',
        message: `'${action}' is not an action (one of ${ACTIONS.join(', ')})`,
      });
      return z.NEVER;
    }
  }
  return [...new Set(actions)] as Action[];
});

const latency = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(value);
    if (!match) {
      ctx.addIssue({ code: 'custom', message: "must be milliseconds ('500') or a range ('300-800')" });
      return z.NEVER;
    }
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : Number(match[2]);
    if (max < min || max > 600_000) {
      ctx.addIssue({ code: 'custom', message: 'must be a range from low to high, at most 600000 ms' });
      return z.NEVER;
    }
    return { min, max } as LatencyRange;
  });

const storeSpec = z.string().transform((value, ctx) => {
  try {
    return parseStoreSpec(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const LABEL_KEY = /^[a-z0-9][a-z0-9._-]{0,127}$/;

const labels = z.string().transform((value, ctx) => {
  const out: Record<string, string> = {};
  for (const pair of value.split(',')) {
    const entry = pair.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    const key = eq < 0 ? '' : entry.slice(0, eq).trim();
    const label = eq < 0 ? '' : entry.slice(eq + 1).trim();
    if (!LABEL_KEY.test(key) || label === '' || key.startsWith('berth.')) {
      ctx.addIssue({
        code: 'custom',
        message: `'${entry}' is not key=value (key: lower-case letters, digits, . _ -, not berth.*; value: not empty)`,
      });
      return z.NEVER;
    }
    out[key] = label;
  }
  if (Object.keys(out).length === 0) {
    ctx.addIssue({ code: 'custom', message: 'must list key=value pairs, e.g. team=blue' });
    return z.NEVER;
  }
  return out as Readonly<Record<string, string>>;
});

const SCHEMA = {
  PORT: integer(0, 65_535, 'a port number from 0 to 65535'),
  HOST: z.string().trim().min(1, 'must not be empty'),
  BERTH_DRIVER: z.enum(['memory', 'docker'], "must be 'memory' or 'docker'"),
  BERTH_OPERATOR_KEYS: operatorKeys,
  BERTH_SLOTS_PER_OWNER: integer(1, 1_000_000, 'a whole number of slots of at least 1'),
  BERTH_MEMORY_CAPACITY: integer(1, 1_000_000, 'a whole number of agents of at least 1'),
  BERTH_MEMORY_LATENCY_MS: latency,
  BERTH_HEARTBEAT_TIMEOUT_MS: integer(1_000, 7 * 86_400_000, 'milliseconds, at least 1000'),
  BERTH_REQUIRE_REASON: actionList,
  BERTH_MAX_COMMANDS_PER_AGENT: integer(1, 1_000_000, 'a whole number of commands of at least 1'),
  BERTH_STORE: storeSpec,
  BERTH_HEADERS_TIMEOUT_SECONDS: integer(1, 3_600, 'seconds, from 1 to 3600'),
  BERTH_REQUEST_TIMEOUT_SECONDS: integer(1, 3_600, 'seconds, from 1 to 3600'),
  BERTH_DOCKER_LABELS: labels,
  BERTH_LEASE_MS: integer(100, 3_600_000, 'milliseconds, at least 100'),
  BERTH_HTTP: z.enum(['express', 'node'], "must be 'express' or 'node'"),
} as const;

/** The environment variables the platform reads. */
export const CONFIG_VARIABLES = Object.keys(SCHEMA) as readonly (keyof typeof SCHEMA)[];

function read<K extends keyof typeof SCHEMA>(
  env: Readonly<Record<string, string | undefined>>,
  name: K,
): z.output<(typeof SCHEMA)[K]> | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const result = SCHEMA[name].safeParse(raw);
  if (!result.success) {
    // Keys, and a database URL's password, are never printed.
    const shown = name === 'BERTH_OPERATOR_KEYS' || name === 'BERTH_STORE' ? '' : ` (got '${raw}')`;
    throw new ConfigError(name, `${result.error.issues[0]?.message ?? 'invalid'}${shown}`);
  }
  return result.data as z.output<(typeof SCHEMA)[K]>;
}

/**
 * Read the configuration from environment variables.
 *
 * @param env - Usually `process.env`.
 * @throws {ConfigError} naming the first bad variable.
 * @example
 * ```ts
 * const config = loadConfig({ PORT: '8080', BERTH_REQUIRE_REASON: 'pause,stop' });
 * ```
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): PlatformConfig {
  const headersTimeoutSeconds =
    read(env, 'BERTH_HEADERS_TIMEOUT_SECONDS') ?? CONFIG_DEFAULTS.headersTimeoutSeconds;
  const requestTimeoutSeconds =
    read(env, 'BERTH_REQUEST_TIMEOUT_SECONDS') ?? CONFIG_DEFAULTS.requestTimeoutSeconds;
  if (headersTimeoutSeconds > requestTimeoutSeconds) {
    throw new ConfigError(
      'BERTH_HEADERS_TIMEOUT_SECONDS',
      `must not be longer than BERTH_REQUEST_TIMEOUT_SECONDS (${requestTimeoutSeconds}), which covers the headers too`,
    );
  }
  return {
    port: read(env, 'PORT') ?? CONFIG_DEFAULTS.port,
    host: read(env, 'HOST') ?? CONFIG_DEFAULTS.host,
    driver: read(env, 'BERTH_DRIVER') ?? CONFIG_DEFAULTS.driver,
    operatorKeys: read(env, 'BERTH_OPERATOR_KEYS') ?? null,
    slotsPerOwner: read(env, 'BERTH_SLOTS_PER_OWNER'),
    memoryCapacity: read(env, 'BERTH_MEMORY_CAPACITY'),
    memoryLatencyMs: read(env, 'BERTH_MEMORY_LATENCY_MS') ?? CONFIG_DEFAULTS.memoryLatencyMs,
    heartbeatTimeoutMs: read(env, 'BERTH_HEARTBEAT_TIMEOUT_MS') ?? CONFIG_DEFAULTS.heartbeatTimeoutMs,
    requireReason: read(env, 'BERTH_REQUIRE_REASON') ?? CONFIG_DEFAULTS.requireReason,
    maxCommandsPerAgent: read(env, 'BERTH_MAX_COMMANDS_PER_AGENT'),
    store: read(env, 'BERTH_STORE') ?? parseStoreSpec(CONFIG_DEFAULTS.store),
    headersTimeoutSeconds,
    requestTimeoutSeconds,
    dockerLabels: read(env, 'BERTH_DOCKER_LABELS'),
    leaseMs: read(env, 'BERTH_LEASE_MS'),
    http: read(env, 'BERTH_HTTP'),
  };
}

/** Never print a key: show only the owner part of a malformed pair. */
function redact(entry: string): string {
  const colon = entry.indexOf(':');
  return colon < 0 ? '(an entry without a colon)' : `${entry.slice(0, colon)}:…`;
}
