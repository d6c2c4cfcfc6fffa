/**
 * Options of the Docker driver, their defaults and their validation.
 *
 * @module
 */
import { join, resolve } from 'node:path';
import { ValidationError } from '@berth/core';
import type Dockerode from 'dockerode';
import { LABELS } from './labels.js';

/** Network modes the driver allows. Never a bridge: agents share no network with each other. */
export type DockerNetworkMode = 'none' | 'host';

/** Options of {@link createDockerDriver}. */
export interface DockerDriverOptions {
  /**
   * Engine address in `DOCKER_HOST` syntax (`unix:///var/run/docker.sock`, `tcp://host:2376`).
   * @default the `DOCKER_HOST` environment variable, else the local socket
   */
  readonly host?: string | undefined;
  /** Extra dockerode connection options (TLS material, timeouts); merged over `host`. */
  readonly dockerOptions?: Dockerode.DockerOptions | undefined;
  /** A ready client to use instead of creating one (the driver then never closes it). */
  readonly client?: Dockerode | undefined;
  /**
   * Network mode of agent containers. `none` (no network at all; also the fastest start) or
   * `host` (the agent reaches the platform on 127.0.0.1). Bridge networks are refused.
   * @default 'none'
   */
  readonly networkMode?: DockerNetworkMode | undefined;
  /** Seconds between SIGTERM and SIGKILL when stopping, restarting or replacing a container. @default 10 */
  readonly stopTimeoutSeconds?: number | undefined;
  /** At most this many agents (labelled containers) on the engine; beyond it provision throws NO_CAPACITY. */
  readonly capacity?: number | undefined;
  /** Where the workspace volume is mounted in the container. @default '/workspace' */
  readonly workspacePath?: string | undefined;
  /** Platform agent API base URL handed to agents as `BERTH_API_URL` (e.g. `http://127.0.0.1:3000/api`). */
  readonly apiUrl?: string | undefined;
  /** Environment given to every agent container (below credentials and secrets). */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** Extra labels on every container and volume the driver creates (e.g. a test-run id for cleanup). */
  readonly labels?: Readonly<Record<string, string>> | undefined;
  /** Prefix of container and volume names. @default 'berth-' */
  readonly namePrefix?: string | undefined;
  /**
   * Run the engine's init (docker-init, i.e. tini) as PID 1: signals reach the agent even before it
   * installs handlers (a PID 1 without a handler ignores SIGTERM, so stop would wait for SIGKILL),
   * and zombies are reaped. Turn off only for an engine without an init binary. @default true
   */
  readonly init?: boolean | undefined;
  /** How often `watch` lists labelled containers to catch what the event stream missed. @default 30_000 */
  readonly resyncIntervalMs?: number | undefined;
  /** First delay before reconnecting a broken event stream (doubles up to 30 s). @default 500 */
  readonly reconnectDelayMs?: number | undefined;
  /**
   * Where workspace backups are written (`<backupDir>/<backupId>.tar`), created when missing.
   * @default '.berth/backups' under the working directory
   */
  readonly backupDir?: string | undefined;
}

/** The options with defaults applied. */
export interface ResolvedDockerDriverOptions {
  readonly networkMode: DockerNetworkMode;
  readonly stopTimeoutSeconds: number;
  readonly capacity: number | null;
  readonly workspacePath: string;
  readonly apiUrl: string | null;
  readonly env: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly namePrefix: string;
  readonly init: boolean;
  readonly resyncIntervalMs: number;
  readonly reconnectDelayMs: number;
  /** Absolute. */
  readonly backupDir: string;
}

const RESERVED_LABELS = new Set<string>(Object.values(LABELS));
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Apply defaults and check every option; bad options throw a {@link ValidationError} naming the field.
 * @param options - What the caller gave.
 */
export function resolveOptions(options: DockerDriverOptions): ResolvedDockerDriverOptions {
  const issues: { path: string; message: string }[] = [];
  const networkMode = options.networkMode ?? 'none';
  if (networkMode !== 'none' && networkMode !== 'host') {
    issues.push({ path: 'networkMode', message: `must be 'none' or 'host' (bridge networks are not used)` });
  }
  const stopTimeoutSeconds = options.stopTimeoutSeconds ?? 10;
  if (!Number.isInteger(stopTimeoutSeconds) || stopTimeoutSeconds < 0) {
    issues.push({ path: 'stopTimeoutSeconds', message: 'must be a whole number of seconds ≥ 0' });
  }
  const capacity = options.capacity ?? null;
  if (capacity !== null && (!Number.isInteger(capacity) || capacity < 0)) {
    issues.push({ path: 'capacity', message: 'must be a whole number ≥ 0' });
  }
  const workspacePath = options.workspacePath ?? '/workspace';
  if (!workspacePath.startsWith('/') || workspacePath === '/') {
    issues.push({ path: 'workspacePath', message: 'must be an absolute path other than /' });
  }
  const namePrefix = options.namePrefix ?? 'berth-';
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(namePrefix)) {
    issues.push({
      path: 'namePrefix',
      message: "must start with a letter or digit and use only letters, digits, '_', '.', '-'",
    });
  }
  const resyncIntervalMs = options.resyncIntervalMs ?? 30_000;
  if (!(resyncIntervalMs > 0)) issues.push({ path: 'resyncIntervalMs', message: 'must be > 0' });
  const reconnectDelayMs = options.reconnectDelayMs ?? 500;
  if (!(reconnectDelayMs > 0)) issues.push({ path: 'reconnectDelayMs', message: 'must be > 0' });
  for (const key of Object.keys(options.env ?? {})) {
    if (!ENV_NAME_RE.test(key))
      issues.push({ path: `env.${key}`, message: 'is not a valid environment variable name' });
  }
  for (const key of Object.keys(options.labels ?? {})) {
    if (RESERVED_LABELS.has(key)) {
      issues.push({ path: `labels.${key}`, message: 'is written by the driver itself and cannot be set' });
    }
  }
  if (
    options.backupDir !== undefined &&
    (typeof options.backupDir !== 'string' || options.backupDir === '')
  ) {
    issues.push({ path: 'backupDir', message: 'must be a non-empty path' });
  }
  if (issues.length > 0) {
    throw new ValidationError(
      `invalid Docker driver options: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
      issues,
    );
  }
  return {
    networkMode,
    stopTimeoutSeconds,
    capacity,
    workspacePath,
    apiUrl: options.apiUrl ?? null,
    env: { ...options.env },
    labels: { ...options.labels },
    namePrefix,
    init: options.init ?? true,
    resyncIntervalMs,
    reconnectDelayMs,
    backupDir: resolve(options.backupDir ?? join('.berth', 'backups')),
  };
}
