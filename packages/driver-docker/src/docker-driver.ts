/**
 * The Docker driver: one container per agent on a Docker Engine, with a named volume for its
 * workspace. See docs/drivers/docker.md for the semantics of every operation. Put together here
 * from the engine primitives (`engine.ts`, `volumes.ts`), the observer and the lifecycle
 * (`lifecycle.ts`), wrapped by `defineDriver`.
 *
 * @module
 */
import type {
  BackupContext,
  DriverBackupRef,
  DriverBackupResult,
  DriverEvent,
  DriverInspection,
  DriverResult,
  DriverTarget,
  LifecycleDriver,
  OperationContext,
} from '@berth/core';
import { DriverError, defineDriver } from '@berth/core';
import type Dockerode from 'dockerode';
import { createBackups } from './backups.js';
import { createLazyClient } from './client.js';
import { createEngine } from './engine.js';
import { DOCKER_ERRORS } from './errors.js';
import { LABELS } from './labels.js';
import { createLifecycle } from './lifecycle.js';
import { Observer } from './observer.js';
import { type DockerDriverOptions, type ResolvedDockerDriverOptions, resolveOptions } from './options.js';
import { createVolumes } from './volumes.js';

/** The driver's name (`LifecycleDriver.name`). */
export const DRIVER_NAME = 'docker';

/** The Docker driver: every optional capability of {@link LifecycleDriver}, plus a few extras. */
export interface DockerDriver extends LifecycleDriver {
  readonly name: typeof DRIVER_NAME;
  restart(target: DriverTarget, ctx: OperationContext): Promise<DriverResult>;
  redeploy(target: DriverTarget, ctx: OperationContext): Promise<DriverResult>;
  recreate(target: DriverTarget, ctx: OperationContext): Promise<DriverResult>;
  list(): Promise<DriverInspection[]>;
  watch(listener: (event: DriverEvent) => void): () => void;
  dispose(): Promise<void>;
  /** Tar the workspace volume into `<backupDir>/<backupId>.tar` through a helper container (network none, never started). */
  backup(target: DriverTarget, ctx: BackupContext): Promise<DriverBackupResult>;
  /** Make the new agent's workspace volume and untar a backup into it (before provision). */
  restore(target: DriverTarget, ctx: BackupContext): Promise<undefined>;
  /** Remove a backup's archive file. */
  deleteBackup(backup: DriverBackupRef): Promise<void>;
  /** The options after defaults. */
  readonly options: ResolvedDockerDriverOptions;
  /** The dockerode client (created now if it was not yet). */
  client(): Dockerode;
  /** List labelled containers now and report what changed since the last look (what the periodic resync does). */
  resync(): Promise<void>;
  /** The container name of an agent. */
  containerName(agentId: string): string;
  /** The workspace volume name of a workspace. */
  volumeName(workspaceId: string): string;
}

/**
 * Create a Docker driver. Nothing connects to the engine until the first operation.
 *
 * @param options - Engine address, network mode, stop timeout, capacity, … (all optional).
 * @returns A {@link DockerDriver}.
 * @throws ValidationError when an option is invalid (the message names the field).
 * @example
 * ```ts
 * import { createLifecycleManager } from '@berth/core';
 * import { createDockerDriver } from '@berth/driver-docker';
 *
 * const driver = createDockerDriver({ networkMode: 'host', apiUrl: 'http://127.0.0.1:3000/api' });
 * const manager = createLifecycleManager({ driver });
 * ```
 */
export function createDockerDriver(options: DockerDriverOptions = {}): DockerDriver {
  const opts = resolveOptions(options);
  const engine = createEngine(opts, createLazyClient(options));
  const volumes = createVolumes(engine);
  const observer = new Observer(
    {
      client: engine.docker,
      labelFilters: engine.scopeFilters,
      probe: engine.probe,
      scan: engine.scan,
      resyncIntervalMs: opts.resyncIntervalMs,
      reconnectDelayMs: opts.reconnectDelayMs,
    },
    LABELS.agentId,
  );
  const lifecycle = createLifecycle(engine, volumes, observer);

  const driver: DockerDriver = {
    name: DRIVER_NAME,
    options: opts,
    client: engine.docker,
    containerName: engine.nameOf,
    volumeName: engine.volumeOf,
    resync: () => observer.resync(),
    ...lifecycle,
    ...createBackups(engine, volumes),

    async inspect(agentId) {
      engine.nameOf(agentId);
      return (await engine.probe(agentId)).inspection;
    },

    list: engine.scan,

    watch(listener) {
      return observer.subscribe(listener);
    },

    async dispose() {
      // Closes the events stream and the resync/reconnect timers. dockerode holds no other
      // resources (its requests use Node's HTTP agent), so the client is simply dropped.
      observer.dispose();
      engine.close();
    },
  };

  return defineDriver(driver, {
    // Containers carry their operation id as a label: the engine answers a repeat, in any process.
    replay: 'engine',
    abortError: (operation, _agentId, signal) =>
      new DriverError(DOCKER_ERRORS.ABORTED, `${operation} aborted before it started`, {
        cause: signal.reason,
      }),
  });
}
