/**
 * The Docker driver: one container per agent on a Docker Engine, with a named volume for its
 * workspace. See docs/drivers/docker.md for the semantics of every operation.
 *
 * @module
 */
import type {
  DriverEvent,
  DriverInspection,
  DriverResult,
  DriverTarget,
  LifecycleDriver,
  OperationContext,
} from '@berth/core';
import { DriverError } from '@berth/core';
import type Dockerode from 'dockerode';
import { createLazyClient } from './client.js';
import {
  containerCreateOptions,
  containerEnv,
  type DockerRevisionConfig,
  envHash,
  parseRevisionConfig,
  volumeLabels,
} from './container-spec.js';
import { DOCKER_ERRORS, engineMessage, engineStatus, toDriverError } from './errors.js';
import { fromInspect, fromListEntry, missing } from './inspection.js';
import { containerName, isManaged, LABELS, volumeName } from './labels.js';
import { Observer, type Probe } from './observer.js';
import { type DockerDriverOptions, type ResolvedDockerDriverOptions, resolveOptions } from './options.js';

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

/** How long to wait for a container removal already in progress, or a name to become free. */
const CONVERGE_TIMEOUT_MS = 30_000;
const POLL_MS = 100;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The agent token in a container's environment, if any. */
function tokenOf(info: Dockerode.ContainerInspectInfo): string | null {
  const entry = (info.Config.Env ?? []).find((e) => e.startsWith('BERTH_AGENT_TOKEN='));
  return entry === undefined ? null : entry.slice('BERTH_AGENT_TOKEN='.length);
}

/** A tiny promise-chain mutex. */
function createMutex() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => {});
    return run;
  };
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
  const lazy = createLazyClient(options);
  const scopeEntries = Object.entries(opts.labels);
  const scopeFilters = [`${LABELS.managed}=true`, ...scopeEntries.map(([k, v]) => `${k}=${v}`)];
  /** Containers this driver instance stopped (their exit code then says nothing about a crash). */
  const stoppedByDriver = new Set<string>();
  const capacityLock = createMutex();
  /** Per-agent serialisation; an entry lives only while operations on the agent are queued. */
  const agentLocks = new Map<string, { run: ReturnType<typeof createMutex>; pending: number }>();
  let disposed = false;

  const docker = () => {
    if (disposed) throw new DriverError(DOCKER_ERRORS.ENGINE_UNAVAILABLE, 'the Docker driver was disposed');
    return lazy.get();
  };
  const nameOf = (agentId: string) => containerName(agentId, opts.namePrefix);
  const volumeOf = (workspaceId: string) => volumeName(workspaceId, opts.namePrefix);

  /** Carries Berth's labels for this agent and every scope label of this driver. */
  function ours(labels: Record<string, string> | null | undefined, agentId?: string): boolean {
    return isManaged(labels, agentId) && scopeEntries.every(([k, v]) => labels?.[k] === v);
  }

  function checkAbort(ctx: OperationContext, step: string): void {
    if (ctx.signal.aborted) {
      throw new DriverError(DOCKER_ERRORS.ABORTED, `${ctx.operation} aborted before ${step}`, {
        cause: ctx.signal.reason,
      });
    }
  }

  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toDriverError(error, what);
    }
  }

  /** Labelled containers of one agent (or all of this driver's, when `agentId` is omitted). */
  async function listOurs(agentId?: string): Promise<Dockerode.ContainerInfo[]> {
    const label = agentId === undefined ? scopeFilters : [...scopeFilters, `${LABELS.agentId}=${agentId}`];
    const all = await call('list containers', () =>
      docker().listContainers({ all: true, filters: { label } }),
    );
    return all.filter((c) => ours(c.Labels, agentId));
  }

  async function inspectContainer(id: string): Promise<Dockerode.ContainerInspectInfo | null> {
    try {
      return await docker().getContainer(id).inspect();
    } catch (error) {
      if (engineStatus(error) === 404) return null;
      throw toDriverError(error, `inspect container ${id}`);
    }
  }

  /** The agent's container, when it has one (the one at its name first). */
  async function findContainer(agentId: string): Promise<Dockerode.ContainerInspectInfo | null> {
    const found = await listOurs(agentId);
    const name = `/${nameOf(agentId)}`;
    found.sort((a, b) => Number(b.Names.includes(name)) - Number(a.Names.includes(name)));
    for (const entry of found) {
      const info = await inspectContainer(entry.Id);
      if (info && ours(info.Config.Labels, agentId)) return info;
    }
    return null;
  }

  async function probe(agentId: string): Promise<Probe> {
    const info = await findContainer(agentId);
    if (!info) return { inspection: missing(agentId), oom: false };
    return {
      inspection: fromInspect(info, agentId, stoppedByDriver.has(info.Id)),
      oom: info.State.OOMKilled === true,
    };
  }

  async function scan(): Promise<DriverInspection[]> {
    const all = await listOurs();
    return all.map((c) => fromListEntry(c, stoppedByDriver.has(c.Id)));
  }

  const observer = new Observer(
    {
      client: docker,
      labelFilters: scopeFilters,
      probe,
      scan,
      resyncIntervalMs: opts.resyncIntervalMs,
      reconnectDelayMs: opts.reconnectDelayMs,
    },
    LABELS.agentId,
  );

  /** Run one operation: serialised per agent, invisible to the observer. */
  async function operate<T extends DriverResult | undefined>(
    target: DriverTarget,
    ctx: OperationContext,
    fn: () => Promise<T>,
    /** What the agent looks like afterwards, when the operation knows (saves a probe). */
    known?: () => DriverInspection,
  ): Promise<T> {
    checkAbort(ctx, 'it started');
    nameOf(target.agentId); // validates the id before anything else
    let lock = agentLocks.get(target.agentId);
    if (!lock) {
      lock = { run: createMutex(), pending: 0 };
      agentLocks.set(target.agentId, lock);
    }
    const held = lock;
    held.pending += 1;
    return held.run(async () => {
      observer.begin(target.agentId);
      let after: DriverInspection | null = null;
      try {
        const result = await fn();
        after = known ? known() : ((await probe(target.agentId).catch(() => null))?.inspection ?? null);
        return result;
      } finally {
        observer.end(target.agentId, after);
        held.pending -= 1;
        if (held.pending === 0) agentLocks.delete(target.agentId);
      }
    });
  }

  /** Resolve a tag or id to the image id. The driver never pulls: the image must be on the engine. */
  async function resolveImage(ref: string): Promise<string> {
    try {
      const info = await docker().getImage(ref).inspect();
      return info.Id;
    } catch (error) {
      if (engineStatus(error) === 404) {
        throw new DriverError(
          DOCKER_ERRORS.IMAGE_NOT_FOUND,
          `image '${ref}' is not on the Docker engine (the driver never pulls; build or pull it first)`,
          { cause: error, meta: { image: ref } },
        );
      }
      throw toDriverError(error, `inspect image ${ref}`);
    }
  }

  async function ensureVolume(target: DriverTarget): Promise<void> {
    const name = volumeOf(target.workspaceId);
    try {
      const info = await docker().getVolume(name).inspect();
      const labels = (info.Labels ?? {}) as Record<string, string>;
      if (!ours(labels) || labels[LABELS.workspaceId] !== target.workspaceId) {
        throw new DriverError(
          DOCKER_ERRORS.NAME_CONFLICT,
          `volume ${name} exists but was not created by Berth for workspace ${target.workspaceId}; it is left alone`,
          { meta: { volume: name } },
        );
      }
      return;
    } catch (error) {
      if (error instanceof DriverError) throw error;
      if (engineStatus(error) !== 404) throw toDriverError(error, `inspect volume ${name}`);
    }
    await call(`create volume ${name}`, () =>
      docker().createVolume({ Name: name, Labels: volumeLabels(target, opts) }),
    );
  }

  /** Wait until container `id` no longer exists. */
  async function waitGone(id: string): Promise<void> {
    const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
    while ((await inspectContainer(id)) !== null) {
      if (Date.now() > deadline) {
        throw new DriverError(
          DOCKER_ERRORS.ENGINE_ERROR,
          `container ${id} is still being removed after 30 s`,
        );
      }
      await sleep(POLL_MS);
    }
  }

  async function stopContainer(id: string): Promise<void> {
    stoppedByDriver.add(id);
    try {
      await docker().getContainer(id).stop({ t: opts.stopTimeoutSeconds });
    } catch (error) {
      const status = engineStatus(error);
      if (status === 304 || status === 404) return; // already stopped / already gone
      stoppedByDriver.delete(id);
      throw toDriverError(error, `stop container ${id}`);
    }
  }

  /** Remove a container; "already gone" and "removal already in progress" both converge. */
  async function removeContainer(id: string): Promise<void> {
    try {
      await docker().getContainer(id).remove({ force: true, v: false });
    } catch (error) {
      const status = engineStatus(error);
      if (status === 404) return;
      if (status === 409 && /already in progress/i.test(engineMessage(error))) {
        await waitGone(id);
        return;
      }
      throw toDriverError(error, `remove container ${id}`);
    } finally {
      stoppedByDriver.delete(id);
    }
    // A successful forced remove answers once the container is gone: nothing to wait for.
  }

  async function startContainer(id: string): Promise<void> {
    stoppedByDriver.delete(id);
    try {
      await docker().getContainer(id).start();
    } catch (error) {
      if (engineStatus(error) === 304) return; // already running
      throw toDriverError(error, `start container ${id}`);
    }
  }

  /**
   * Create the agent's container. A name conflict converges: the agent's own container made by
   * this operation is reused, one being removed is waited for; a container without Berth's labels
   * is never touched (NAME_CONFLICT).
   */
  async function createContainer(
    target: DriverTarget,
    imageId: string,
    ctx: OperationContext,
    env: string[],
    config: DockerRevisionConfig,
  ): Promise<string> {
    const name = nameOf(target.agentId);
    const body = containerCreateOptions(target, imageId, ctx.operationId, env, config, opts);
    const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
    for (;;) {
      checkAbort(ctx, `creating container ${name}`);
      try {
        const container = await docker().createContainer(body);
        return container.id;
      } catch (error) {
        if (engineStatus(error) !== 409) throw toDriverError(error, `create container ${name}`);
      }
      const holder = await inspectContainer(name);
      if (holder && !ours(holder.Config.Labels, target.agentId)) {
        throw new DriverError(
          DOCKER_ERRORS.NAME_CONFLICT,
          `a container named ${name} exists without Berth's labels for agent ${target.agentId}; it is left alone`,
          { meta: { container: holder.Id } },
        );
      }
      if (
        holder &&
        holder.Config.Labels[LABELS.operationId] === ctx.operationId &&
        holder.State.Status !== 'removing'
      ) {
        return holder.Id; // made by this very operation (a concurrent or repeated call)
      }
      if (Date.now() > deadline) {
        throw new DriverError(DOCKER_ERRORS.ENGINE_ERROR, `the name ${name} stayed taken for 30 s`);
      }
      await sleep(POLL_MS); // the previous container is still being removed
    }
  }

  /** Refuse early (before creating the volume) when a foreign container holds the agent's name. */
  async function checkNameFree(target: DriverTarget): Promise<void> {
    const name = nameOf(target.agentId);
    const holder = await inspectContainer(name);
    if (holder && !ours(holder.Config.Labels, target.agentId)) {
      throw new DriverError(
        DOCKER_ERRORS.NAME_CONFLICT,
        `a container named ${name} exists without Berth's labels for agent ${target.agentId}; it is left alone`,
        { meta: { container: holder.Id } },
      );
    }
  }

  async function checkCapacity(agentId: string): Promise<void> {
    if (opts.capacity === null) return;
    const all = await listOurs();
    const agents = new Set(all.map((c) => c.Labels[LABELS.agentId]).filter((id) => id !== agentId));
    if (agents.size >= opts.capacity) {
      throw new DriverError(
        DOCKER_ERRORS.NO_CAPACITY,
        `the Docker engine is at capacity (${agents.size} of ${opts.capacity} agents)`,
        { meta: { capacity: opts.capacity, used: agents.size } },
      );
    }
  }

  /** The container's config and environment; without credentials in the target, `old`'s token is kept. */
  function prepare(
    target: DriverTarget,
    old: Dockerode.ContainerInspectInfo | null,
  ): { config: DockerRevisionConfig; env: string[] } {
    const config = parseRevisionConfig(target.revision.config);
    return { config, env: containerEnv(target, config, opts, old ? tokenOf(old) : null) };
  }

  /** True when `info` already has exactly the environment `target` asks for. */
  function sameEnv(info: Dockerode.ContainerInspectInfo, target: DriverTarget): boolean {
    return info.Config.Labels[LABELS.envHash] === envHash(prepare(target, info).env);
  }

  /** Made by this operation and already right: a repeated or resumed call reuses it. */
  function madeBy(info: Dockerode.ContainerInspectInfo | null, ctx: OperationContext, target: DriverTarget) {
    return (
      info !== null && info.Config.Labels[LABELS.operationId] === ctx.operationId && sameEnv(info, target)
    );
  }

  /**
   * Build a new container for the agent from `imageRef` (keeping the workspace volume), after
   * stopping and removing `old`. Counts against capacity only when the agent had no container.
   */
  async function rebuild(
    target: DriverTarget,
    ctx: OperationContext,
    old: Dockerode.ContainerInspectInfo | null,
    imageRef: string,
  ): Promise<DriverResult> {
    const { config, env } = prepare(target, old);
    const build = async (): Promise<{ id: string; imageId: string }> => {
      if (!old) await checkCapacity(target.agentId);
      const imageId = await resolveImage(imageRef); // fail before touching the old container
      if (!old) await checkNameFree(target);
      checkAbort(ctx, 'replacing the container');
      await ensureVolume(target);
      if (old) {
        await stopContainer(old.Id);
        await removeContainer(old.Id);
      }
      const id = await createContainer(target, imageId, ctx, env, config);
      return { id, imageId };
    };
    const { id, imageId } = old ? await build() : await capacityLock(build);
    checkAbort(ctx, 'starting the container');
    await startContainer(id);
    return { resourceId: id, resolvedImage: imageId };
  }

  /**
   * provision, redeploy and recreate: build the agent's container from `target.revision` (the tag
   * resolved again, or an image id), keeping the workspace volume.
   */
  async function build(target: DriverTarget, ctx: OperationContext): Promise<DriverResult> {
    const existing = await findContainer(target.agentId);
    // The same operation again (a retry, or a resume by another manager): reuse what it made,
    // unless the environment changed (a resumed provision carries rotated credentials).
    if (existing && madeBy(existing, ctx, target)) return adopt(existing);
    // Otherwise the current container (or one left by an abandoned attempt) is replaced: one per agent.
    return rebuild(target, ctx, existing, target.revision.image);
  }

  /** The container made by this operation already exists: make sure it runs, report it. */
  async function adopt(info: Dockerode.ContainerInspectInfo): Promise<DriverResult> {
    if (!info.State.Running) await startContainer(info.Id);
    return { resourceId: info.Id, resolvedImage: info.Image };
  }

  function notFound(target: DriverTarget, what: string): DriverError {
    return new DriverError(
      DOCKER_ERRORS.NOT_FOUND,
      `cannot ${what} agent ${target.agentId}: its container ${nameOf(target.agentId)} is gone (redeploy or reprovision rebuilds it)`,
      { meta: { agentId: target.agentId } },
    );
  }

  const driver: DockerDriver = {
    name: DRIVER_NAME,
    options: opts,
    client: docker,
    containerName: nameOf,
    volumeName: volumeOf,
    resync: () => observer.resync(),

    provision(target, ctx) {
      return operate(target, ctx, () => build(target, ctx));
    },

    start(target, ctx) {
      return operate(target, ctx, async () => {
        const info = await findContainer(target.agentId);
        if (!info) throw notFound(target, 'start');
        if (!sameEnv(info, target)) {
          // A secret changed: environment is fixed at creation, so rebuild on the same image (same volume).
          return rebuild(target, ctx, info, info.Image);
        }
        await startContainer(info.Id);
        return { resourceId: info.Id, resolvedImage: info.Image };
      });
    },

    stop(target, ctx) {
      return operate(target, ctx, async () => {
        const info = await findContainer(target.agentId);
        if (!info) return undefined; // nothing runs: stopped is what was asked for
        await stopContainer(info.Id);
        return { resourceId: info.Id };
      });
    },

    restart(target, ctx) {
      return operate(target, ctx, async () => {
        const info = await findContainer(target.agentId);
        if (!info) throw notFound(target, 'restart');
        if (!sameEnv(info, target)) return rebuild(target, ctx, info, info.Image);
        stoppedByDriver.delete(info.Id);
        await call(`restart container ${info.Id}`, () =>
          docker().getContainer(info.Id).restart({ t: opts.stopTimeoutSeconds }),
        );
        return { resourceId: info.Id, resolvedImage: info.Image };
      });
    },

    redeploy(target, ctx) {
      return operate(target, ctx, () => build(target, ctx));
    },

    recreate(target, ctx) {
      return operate(target, ctx, () => build(target, ctx));
    },

    destroy(target, ctx) {
      return operate(
        target,
        ctx,
        async () => {
          const workspaces = new Set([target.workspaceId]);
          for (const entry of await listOurs(target.agentId)) {
            workspaces.add(entry.Labels[LABELS.workspaceId] ?? '');
            await stopContainer(entry.Id);
            await removeContainer(entry.Id);
          }
          await removeVolumes(target, workspaces);
          return undefined;
        },
        () => missing(target.agentId),
      );
    },

    async inspect(agentId) {
      nameOf(agentId);
      return (await probe(agentId)).inspection;
    },

    list: scan,

    watch(listener) {
      return observer.subscribe(listener);
    },

    async dispose() {
      // Closes the events stream and the resync/reconnect timers. dockerode holds no other
      // resources (its requests use Node's HTTP agent), so the client is simply dropped.
      observer.dispose();
      disposed = true;
    },
  };

  /**
   * Remove the agent's workspace volumes: every volume labelled for the agent, plus the target's
   * workspace volume when it carries Berth's labels. A volume without them is never touched.
   */
  async function removeVolumes(target: DriverTarget, workspaceIds: ReadonlySet<string>): Promise<void> {
    const listed = await call('list volumes', () =>
      docker().listVolumes({ filters: { label: [...scopeFilters, `${LABELS.agentId}=${target.agentId}`] } }),
    );
    // Volumes the labelled list returned are known to be ours; others are checked before removal.
    const known = new Set(
      (listed.Volumes ?? []).filter((v) => ours(v.Labels, target.agentId)).map((v) => v.Name),
    );
    const names = new Set(known);
    for (const id of workspaceIds) if (id !== '') names.add(volumeOf(id));
    for (const name of names) await removeVolume(name, known.has(name));
  }

  async function removeVolume(name: string, knownOurs: boolean): Promise<void> {
    const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
    for (let attempt = 0; ; attempt++) {
      if (!knownOurs || attempt > 0) {
        let labels: Record<string, string>;
        try {
          labels = ((await docker().getVolume(name).inspect()).Labels ?? {}) as Record<string, string>;
        } catch (error) {
          if (engineStatus(error) === 404) return;
          throw toDriverError(error, `inspect volume ${name}`);
        }
        if (!ours(labels)) return; // not Berth's: never touched
      }
      try {
        await docker().getVolume(name).remove();
        return;
      } catch (error) {
        const status = engineStatus(error);
        if (status === 404) return;
        // 409 "volume is in use": a container removal is still finishing.
        if (status !== 409 || Date.now() > deadline) throw toDriverError(error, `remove volume ${name}`);
      }
      await sleep(POLL_MS);
    }
  }

  return driver;
}
