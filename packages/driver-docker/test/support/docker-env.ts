/**
 * Shared by the Docker driver's tests: the infrastructure gate, a per-file run id that labels
 * everything a test file creates (so cleanup removes exactly that, even after a failure), tiny
 * busybox images built with `docker import` (once per run, cached by tag), and small helpers.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, symlink, writeFile, copyFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DriverOperation, DriverTarget, OperationContext } from '@berth/core';
import Dockerode from 'dockerode';
import { afterAll, describe } from 'vitest';
import { createDockerDriver, type DockerDriverOptions } from '../../src/index.js';

const run = promisify(execFile);

/** Label on every container, volume and image a test file creates. */
export const RUN_LABEL = 'berth.test-run';

/** This test file's run id (unique per process and file). */
export const runId = `${process.pid}-${randomBytes(4).toString('hex')}`;

const REQUIRE = process.env.BERTH_REQUIRE_INFRA === '1';

/** A client for the engine at `host` (`unix:///…`) or DOCKER_HOST / the default socket. */
export function dockerClient(host?: string): Dockerode {
  if (host?.startsWith('unix://')) return new Dockerode({ socketPath: host.slice('unix://'.length) });
  return new Dockerode();
}

/**
 * Whether an engine answers. Resolves to the reason when it does not. With
 * BERTH_REQUIRE_INFRA=1 a missing engine is an error (the test file fails), never a skip.
 */
export async function engineGate(host?: string): Promise<string | null> {
  let reason: string | null = null;
  try {
    await Promise.race([
      dockerClient(host).ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5_000).unref()),
    ]);
  } catch (error) {
    reason = `no Docker engine reachable at ${host ?? process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'} (${
      error instanceof Error ? error.message : String(error)
    }); start one with scripts/ci/start-docker.sh`;
  }
  if (reason !== null && REQUIRE) throw new Error(`BERTH_REQUIRE_INFRA=1 but ${reason}`);
  return reason;
}

/**
 * `describe` when the engine answers, else `describe.skip` with the reason in the title.
 * @example const describeDocker = await dockerDescribe();
 */
export async function dockerDescribe(host?: string): Promise<typeof describe> {
  const reason = await engineGate(host);
  if (reason === null) return describe;
  return ((name: string, fn: () => void) =>
    describe.skip(`${name} — skipped: ${reason}`, fn)) as typeof describe;
}

/** What a test image runs. */
export interface TestImageSpec {
  /** The image's CMD. */
  readonly cmd: readonly string[];
  /** Files to put in the root filesystem (path → content). */
  readonly files?: Readonly<Record<string, string>>;
}

/** A shell loop that exits 0 on SIGTERM at once (the wait makes the trap run immediately). */
export const GRACEFUL_CMD = ['/bin/sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1 & wait $!; done'];
/** A shell loop that ignores SIGTERM: only SIGKILL stops it. */
export const STUBBORN_CMD = ['/bin/sh', '-c', 'trap "" TERM; while true; do sleep 1 & wait $!; done'];

const APPLETS = [
  'sh',
  'sleep',
  'cat',
  'echo',
  'ls',
  'env',
  'test',
  'touch',
  'rm',
  'mkdir',
  'head',
  'tr',
  'true',
  'false',
  'wc',
];
const built = new Map<string, Promise<string>>();

/**
 * Build a tiny image from the machine's static busybox with `docker import` (no registry), labelled
 * with this file's run id. Built once per tag per run (cached), unless `rebuild` is set.
 * @returns The image id.
 */
export function buildTestImage(
  tag: string,
  spec: TestImageSpec,
  options: { host?: string; rebuild?: boolean } = {},
) {
  const key = `${options.host ?? ''}|${tag}`;
  const cached = built.get(key);
  if (cached && !options.rebuild) return cached;
  const promise = importImage(tag, spec, options.host);
  built.set(key, promise);
  promise.catch(() => built.delete(key));
  return promise;
}

async function importImage(tag: string, spec: TestImageSpec, host?: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'berth-test-rootfs-'));
  try {
    for (const dir of ['bin', 'tmp', 'workspace', 'etc', 'proc', 'sys', 'dev']) await mkdir(join(root, dir));
    await copyFile('/bin/busybox', join(root, 'bin/busybox'));
    await run('chmod', ['755', join(root, 'bin/busybox')]);
    for (const applet of APPLETS) await symlink('busybox', join(root, 'bin', applet));
    for (const [path, content] of Object.entries(spec.files ?? {})) {
      const full = join(root, path);
      await mkdir(join(full, '..'), { recursive: true });
      await writeFile(full, content);
    }
    const changes = [`CMD ${JSON.stringify(spec.cmd)}`, `LABEL ${RUN_LABEL}=${runId}`];
    const args = [
      ...(host ? ['-H', host] : []),
      'import',
      ...changes.flatMap((c) => ['--change', c]),
      '-',
      tag,
    ];
    await new Promise<void>((resolve, reject) => {
      const tar = spawn('tar', ['-C', root, '--numeric-owner', '-c', '.'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const docker = spawn('docker', args, { stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      docker.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      tar.stdout.pipe(docker.stdin);
      docker.on('error', reject);
      docker.on('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`docker import ${tag}: ${stderr}`)),
      );
    });
    const info = await dockerClient(host).getImage(tag).inspect();
    return info.Id;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * Remove everything labelled with this file's run id: containers, then volumes, then images.
 * Errors are collected and thrown at the end, after trying everything.
 */
export async function cleanupRun(host?: string): Promise<void> {
  const docker = dockerClient(host);
  const label = [`${RUN_LABEL}=${runId}`];
  const failures: unknown[] = [];
  const containers = await docker.listContainers({ all: true, filters: { label } });
  for (const c of containers) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true, v: true })
      .catch((e: { statusCode?: number }) => e.statusCode === 404 || failures.push(e));
  }
  const volumes = (await docker.listVolumes({ filters: { label } })).Volumes ?? [];
  for (const v of volumes) {
    await docker
      .getVolume(v.Name)
      .remove()
      .catch((e: { statusCode?: number }) => e.statusCode === 404 || failures.push(e));
  }
  const images = await docker.listImages({ all: true, filters: { label } });
  for (const image of images) {
    await docker
      .getImage(image.Id)
      .remove({ force: true })
      .catch((e: { statusCode?: number }) => e.statusCode === 404 || failures.push(e));
  }
  if (failures.length > 0) throw new AggregateError(failures, `cleanup of test run ${runId} failed`);
}

/** What is left of this run on the engine (for "nothing left behind" assertions). */
export async function leftovers(host?: string): Promise<{ containers: string[]; volumes: string[] }> {
  const docker = dockerClient(host);
  const label = [`${RUN_LABEL}=${runId}`, 'berth.managed=true'];
  const containers = await docker.listContainers({ all: true, filters: { label } });
  const volumes = (await docker.listVolumes({ filters: { label } })).Volumes ?? [];
  return { containers: containers.map((c) => c.Names[0] ?? c.Id), volumes: volumes.map((v) => v.Name) };
}

/** Run a command in a running container; resolves to its stdout (rejects on a non-zero exit). */
export async function execIn(containerId: string, cmd: readonly string[], host?: string): Promise<string> {
  const { stdout } = await run('docker', [...(host ? ['-H', host] : []), 'exec', containerId, ...cmd]);
  return stdout;
}

/** `docker <args>` (the CLI, for out-of-band changes the driver must notice). */
export async function dockerCli(args: readonly string[], host?: string): Promise<string> {
  const { stdout } = await run('docker', [...(host ? ['-H', host] : []), ...args]);
  return stdout.trim();
}

/** Poll `probe` until it returns a value other than undefined (real engines settle asynchronously). */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A fresh agent target running `image` (unique ids, fake credentials, one secret). */
export function makeTarget(image: string, overrides: Partial<DriverTarget> = {}): DriverTarget {
  const id = randomBytes(6).toString('hex');
  const agentId = overrides.agentId ?? `agt_t_${id}`;
  return {
    agentId,
    owner: 'acme',
    name: `agent-${id}`,
    workspaceId: `ws_t_${id}`,
    spec: { image, config: {} },
    revision: { id: `rev_t_${id}`, image, config: {} },
    credentials: { agentId, agentToken: `tok_${randomBytes(8).toString('hex')}` },
    secrets: { API_KEY: 'secret-1' },
    ...overrides,
  };
}

/** A fresh operation context. */
export function op(operation: DriverOperation, operationId?: string, signal?: AbortSignal): OperationContext {
  return {
    operation,
    operationId: operationId ?? `op_t_${randomBytes(6).toString('hex')}`,
    signal: signal ?? new AbortController().signal,
  };
}

/**
 * A driver scoped to this test run (it sees only containers carrying the run's label), disposed
 * after the surrounding block, when everything the run made is removed too.
 */
export function runScopedDriver(options: Partial<DockerDriverOptions> = {}) {
  const driver = createDockerDriver({ labels: { [RUN_LABEL]: runId }, stopTimeoutSeconds: 2, ...options });
  afterAll(async () => {
    await driver.dispose();
    await cleanupRun();
  });
  return driver;
}
