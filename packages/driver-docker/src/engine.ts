/**
 * The Docker driver's engine primitives: the client, Berth's ownership test, and one function per
 * Engine API step (find, inspect, create, start, stop and remove a container; resolve an image;
 * check capacity and the name). Each converges on "already so" answers and translates failures
 * into `DriverError`s. The lifecycle (`lifecycle.ts`) is written in these steps.
 *
 * @module
 */
import type { DriverInspection, DriverTarget, OperationContext } from '@berth/core';
import { DriverError } from '@berth/core';
import type Dockerode from 'dockerode';
import type { LazyClient } from './client.js';
import { containerCreateOptions, type DockerRevisionConfig } from './container-spec.js';
import { DOCKER_ERRORS, engineMessage, engineStatus, toDriverError } from './errors.js';
import { fromInspect, fromListEntry, missing } from './inspection.js';
import { containerName, isManaged, LABELS, volumeName } from './labels.js';
import type { Probe } from './observer.js';
import type { ResolvedDockerDriverOptions } from './options.js';

/** How long to wait for a container removal already in progress, or a name to become free. */
export const CONVERGE_TIMEOUT_MS = 30_000;
/** How often to look again while converging. */
export const POLL_MS = 100;

/** Resolve after `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A tiny promise-chain mutex. */
export function createMutex() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => {});
    return run;
  };
}

/** The engine primitives of one driver. */
export type Engine = ReturnType<typeof createEngine>;

/**
 * The primitives over one (lazy) client.
 * @param opts - Resolved driver options.
 * @param lazy - The client, made on first use.
 */
export function createEngine(opts: ResolvedDockerDriverOptions, lazy: LazyClient) {
  const scopeEntries = Object.entries(opts.labels);
  const scopeFilters = [`${LABELS.managed}=true`, ...scopeEntries.map(([k, v]) => `${k}=${v}`)];
  /** Containers this driver instance stopped (their exit code then says nothing about a crash). */
  const stoppedByDriver = new Set<string>();
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

  function foreignName(name: string, agentId: string, holder: Dockerode.ContainerInspectInfo): DriverError {
    return new DriverError(
      DOCKER_ERRORS.NAME_CONFLICT,
      `a container named ${name} exists without Berth's labels for agent ${agentId}; it is left alone`,
      { meta: { container: holder.Id } },
    );
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
      if (holder && !ours(holder.Config.Labels, target.agentId))
        throw foreignName(name, target.agentId, holder);
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
    if (holder && !ours(holder.Config.Labels, target.agentId))
      throw foreignName(name, target.agentId, holder);
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

  return {
    opts,
    scopeFilters,
    stoppedByDriver,
    docker,
    nameOf,
    volumeOf,
    ours,
    checkAbort,
    call,
    listOurs,
    inspectContainer,
    findContainer,
    probe,
    scan,
    resolveImage,
    stopContainer,
    removeContainer,
    startContainer,
    createContainer,
    checkNameFree,
    checkCapacity,
    /** Refuse every later engine call (`dispose`). */
    close() {
      disposed = true;
    },
  };
}
