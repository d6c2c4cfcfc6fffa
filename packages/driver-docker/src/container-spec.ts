/**
 * From a {@link DriverTarget} to the Engine API's container-create body: environment
 * (credentials, secrets, `config.env`), labels, the workspace mount, network mode, stop timeout.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { DriverError, type DriverTarget } from '@berth/core';
import type Dockerode from 'dockerode';
import { DOCKER_ERRORS } from './errors.js';
import { containerName, LABELS, volumeName } from './labels.js';
import type { ResolvedDockerDriverOptions } from './options.js';

/** The part of `revision.config` the Docker driver reads; other keys are ignored. */
export interface DockerRevisionConfig {
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** Command override (the image's CMD otherwise). */
  readonly cmd?: readonly string[];
  /** A HEALTHCHECK (its status reaches the manager as `health` events). */
  readonly healthcheck?: {
    readonly test: readonly string[];
    readonly intervalSeconds?: number;
    readonly timeoutSeconds?: number;
    readonly retries?: number;
    readonly startPeriodSeconds?: number;
  };
  /** Memory limit in bytes. */
  readonly memoryBytes?: number;
}

/** Environment variable names the driver sets itself; config and secrets may not use them. */
export const RESERVED_ENV = [
  'BERTH_AGENT_ID',
  'BERTH_AGENT_TOKEN',
  'BERTH_AGENT_NAME',
  'BERTH_OWNER',
  'BERTH_API_URL',
  'BERTH_WORKSPACE',
  'BERTH_REVISION',
] as const;

const RESERVED = new Set<string>(RESERVED_ENV);
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function invalid(field: string, message: string): DriverError {
  return new DriverError(DOCKER_ERRORS.INVALID_CONFIG, `revision.config.${field} ${message}`, {
    errors: [{ path: `config.${field}`, message }],
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(field: string, value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
    throw invalid(field, 'must be a non-empty array of strings');
  }
  return value as string[];
}

function seconds(field: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value > 0)) throw invalid(field, 'must be a number of seconds > 0');
  return value;
}

/**
 * Read the Docker part of a revision's configuration, checking each field's shape.
 * @param config - `target.revision.config`.
 * @throws DriverError `INVALID_CONFIG` naming the field.
 */
export function parseRevisionConfig(config: Readonly<Record<string, unknown>>): DockerRevisionConfig {
  const out: {
    env?: Record<string, string>;
    cmd?: readonly string[];
    healthcheck?: DockerRevisionConfig['healthcheck'];
    memoryBytes?: number;
  } = {};
  if (config.env !== undefined) {
    if (!isRecord(config.env)) throw invalid('env', 'must be an object of strings');
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(config.env)) {
      if (!ENV_NAME_RE.test(key)) throw invalid(`env.${key}`, 'is not a valid environment variable name');
      if (RESERVED.has(key)) throw invalid(`env.${key}`, 'is set by the driver itself');
      if (typeof value !== 'string') throw invalid(`env.${key}`, 'must be a string');
      env[key] = value;
    }
    out.env = env;
  }
  if (config.cmd !== undefined) out.cmd = stringList('cmd', config.cmd);
  if (config.healthcheck !== undefined) {
    const hc = config.healthcheck;
    if (!isRecord(hc)) throw invalid('healthcheck', 'must be an object');
    const retries = hc.retries;
    if (retries !== undefined && (!Number.isInteger(retries) || (retries as number) < 1)) {
      throw invalid('healthcheck.retries', 'must be a whole number ≥ 1');
    }
    const intervalSeconds = seconds('healthcheck.intervalSeconds', hc.intervalSeconds);
    const timeoutSeconds = seconds('healthcheck.timeoutSeconds', hc.timeoutSeconds);
    const startPeriodSeconds = seconds('healthcheck.startPeriodSeconds', hc.startPeriodSeconds);
    out.healthcheck = {
      test: stringList('healthcheck.test', hc.test),
      ...(intervalSeconds === undefined ? {} : { intervalSeconds }),
      ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
      ...(startPeriodSeconds === undefined ? {} : { startPeriodSeconds }),
      ...(retries === undefined ? {} : { retries: retries as number }),
    };
  }
  if (config.memoryBytes !== undefined) {
    const m = config.memoryBytes;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 6 * 1024 * 1024) {
      throw invalid('memoryBytes', 'must be a whole number of bytes ≥ 6 MiB');
    }
    out.memoryBytes = m;
  }
  return out;
}

/**
 * The container's environment, sorted by name: driver options' `env`, `config.env`, secrets, then
 * the reserved `BERTH_*` variables (agent id, token, name, owner, API URL, workspace, revision).
 * @param inheritedToken - The token of the container being replaced, used when the target carries
 *   no credentials (the manager hands them over only at provision and recreate).
 * @throws DriverError `INVALID_TARGET` when a secret has a bad or reserved name.
 */
export function containerEnv(
  target: DriverTarget,
  config: DockerRevisionConfig,
  options: ResolvedDockerDriverOptions,
  inheritedToken: string | null = null,
): string[] {
  const env = new Map<string, string>();
  for (const [k, v] of Object.entries(options.env)) {
    if (RESERVED.has(k)) {
      throw new DriverError(
        DOCKER_ERRORS.INVALID_TARGET,
        `driver option env.${k} is set by the driver itself`,
      );
    }
    env.set(k, v);
  }
  for (const [k, v] of Object.entries(config.env ?? {})) env.set(k, v);
  for (const [k, v] of Object.entries(target.secrets)) {
    if (!ENV_NAME_RE.test(k) || RESERVED.has(k)) {
      throw new DriverError(
        DOCKER_ERRORS.INVALID_TARGET,
        `secret '${k}' cannot be an environment variable (${RESERVED.has(k) ? 'reserved name' : 'invalid name'})`,
        { meta: { field: `secrets.${k}` } },
      );
    }
    env.set(k, String(v));
  }
  env.set('BERTH_AGENT_ID', target.agentId);
  env.set('BERTH_AGENT_NAME', target.name);
  env.set('BERTH_OWNER', target.owner);
  env.set('BERTH_WORKSPACE', options.workspacePath);
  env.set('BERTH_REVISION', target.revision.id);
  if (options.apiUrl !== null) env.set('BERTH_API_URL', options.apiUrl);
  // Credentials come with provision and recreate only; every other rebuild keeps the container's.
  const token = target.credentials?.agentToken ?? inheritedToken;
  if (token !== null) env.set('BERTH_AGENT_TOKEN', token);
  return [...env.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`);
}

/** SHA-256 of the environment (stored as a label so a changed secret is noticed without reading Env). */
export function envHash(env: readonly string[]): string {
  return createHash('sha256').update(env.join('\0')).digest('hex');
}

/** The labels of an agent's container. */
export function containerLabels(
  target: DriverTarget,
  operationId: string,
  hash: string,
  options: ResolvedDockerDriverOptions,
): Record<string, string> {
  return {
    ...volumeLabels(target, options),
    [LABELS.operationId]: operationId,
    [LABELS.revisionId]: target.revision.id,
    [LABELS.envHash]: hash,
  };
}

/** The labels of an agent's workspace volume. */
export function volumeLabels(
  target: DriverTarget,
  options: ResolvedDockerDriverOptions,
): Record<string, string> {
  return {
    ...options.labels,
    [LABELS.managed]: 'true',
    [LABELS.agentId]: target.agentId,
    [LABELS.owner]: target.owner,
    [LABELS.workspaceId]: target.workspaceId,
  };
}

const NS_PER_S = 1_000_000_000;

/**
 * The full create body for an agent's container.
 * @param target - The agent.
 * @param imageId - The resolved image id (containers are pinned to ids, never to moving tags).
 * @param operationId - The operation creating it (its idempotency key, kept as a label).
 * @param env - From {@link containerEnv}.
 * @param options - Resolved driver options.
 */
export function containerCreateOptions(
  target: DriverTarget,
  imageId: string,
  operationId: string,
  env: string[],
  config: DockerRevisionConfig,
  options: ResolvedDockerDriverOptions,
): Dockerode.ContainerCreateOptions {
  const hc = config.healthcheck;
  return {
    name: containerName(target.agentId, options.namePrefix),
    Image: imageId,
    Env: env,
    ...(config.cmd ? { Cmd: [...config.cmd] } : {}),
    Labels: containerLabels(target, operationId, envHash(env), options),
    WorkingDir: options.workspacePath,
    Hostname: target.agentId.slice(0, 63).replace(/[^a-zA-Z0-9-]/g, '-'),
    StopTimeout: options.stopTimeoutSeconds,
    ...(options.networkMode === 'none' ? { NetworkDisabled: true } : {}),
    ...(hc
      ? {
          Healthcheck: {
            Test: ['CMD', ...hc.test],
            ...(hc.intervalSeconds ? { Interval: Math.round(hc.intervalSeconds * NS_PER_S) } : {}),
            ...(hc.timeoutSeconds ? { Timeout: Math.round(hc.timeoutSeconds * NS_PER_S) } : {}),
            ...(hc.startPeriodSeconds ? { StartPeriod: Math.round(hc.startPeriodSeconds * NS_PER_S) } : {}),
            ...(hc.retries ? { Retries: hc.retries } : {}),
          },
        }
      : {}),
    HostConfig: {
      NetworkMode: options.networkMode,
      Mounts: [
        {
          Type: 'volume',
          Source: volumeName(target.workspaceId, options.namePrefix),
          Target: options.workspacePath,
        },
      ],
      RestartPolicy: { Name: 'no' },
      Init: options.init,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
      ...(config.memoryBytes ? { Memory: config.memoryBytes, MemorySwap: config.memoryBytes } : {}),
    },
  };
}
