/**
 * The Docker driver's lifecycle: each operation of the driver contract written in the engine
 * primitives (one container per agent, the workspace on a named volume). Replay, aborted-signal
 * refusal, one operation at a time per agent and error naming come from `defineDriver`.
 *
 * @module
 */
import type { DriverInspection, DriverResult, DriverTarget, OperationContext } from '@berth/core';
import { DriverError } from '@berth/core';
import type Dockerode from 'dockerode';
import { containerEnv, type DockerRevisionConfig, envHash, parseRevisionConfig } from './container-spec.js';
import { createMutex, type Engine } from './engine.js';
import { DOCKER_ERRORS } from './errors.js';
import { missing } from './inspection.js';
import { LABELS } from './labels.js';
import { allocatePort, endpointsFor, envOf, portOf, withRuntimeEnv } from './runtime-env.js';
import type { Observer } from './observer.js';
import type { Volumes } from './volumes.js';

type Operation = (target: DriverTarget, ctx: OperationContext) => Promise<DriverResult | undefined>;

/** The lifecycle operations (engine logic, before `defineDriver` wraps them). */
export interface DockerLifecycle {
  provision: Operation;
  start: Operation;
  stop: Operation;
  restart: (target: DriverTarget, ctx: OperationContext) => Promise<DriverResult>;
  redeploy: (target: DriverTarget, ctx: OperationContext) => Promise<DriverResult>;
  recreate: (target: DriverTarget, ctx: OperationContext) => Promise<DriverResult>;
  destroy: (target: DriverTarget, ctx: OperationContext) => Promise<undefined>;
}

/** The lifecycle over `engine` and its `volumes`; `observer` is told which agents are busy. */
export function createLifecycle(engine: Engine, volumes: Volumes, observer: Observer): DockerLifecycle {
  const { opts, nameOf, checkAbort } = engine;
  const capacityLock = createMutex();

  /** Run one operation invisible to the observer (its changes are not out of band). */
  async function observed<T extends DriverResult | undefined>(
    target: DriverTarget,
    fn: () => Promise<T>,
    /** What the agent looks like afterwards, when the operation knows (saves a probe). */
    known?: () => DriverInspection,
  ): Promise<T> {
    nameOf(target.agentId); // validates the id before anything else
    observer.begin(target.agentId);
    let after: DriverInspection | null = null;
    try {
      const result = await fn();
      after = known ? known() : ((await engine.probe(target.agentId).catch(() => null))?.inspection ?? null);
      return result;
    } finally {
      observer.end(target.agentId, after);
    }
  }

  /** The container's config and environment; without credentials in the target, `old`'s token is kept. */
  function prepare(
    target: DriverTarget,
    old: Dockerode.ContainerInspectInfo | null,
  ): { config: DockerRevisionConfig; env: string[] } {
    const config = parseRevisionConfig(target.revision.config);
    const env = containerEnv(target, config, opts, envOf(old, 'BERTH_AGENT_TOKEN'));
    return { config, env: withRuntimeEnv(env, target, old, null) };
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
    const prepared = prepare(target, old);
    const { config } = prepared;
    // On host networking the agent serves on a port of its own, kept by every rebuild.
    const port = opts.networkMode === 'host' ? (portOf(old) ?? (await allocatePort())) : null;
    const env = withRuntimeEnv(prepared.env, target, old, port);
    const build = async (): Promise<{ id: string; imageId: string }> => {
      if (!old) await engine.checkCapacity(target.agentId);
      const imageId = await engine.resolveImage(imageRef); // fail before touching the old container
      if (!old) await engine.checkNameFree(target);
      checkAbort(ctx, 'replacing the container');
      await volumes.ensureVolume(target);
      if (old) {
        await engine.stopContainer(old.Id);
        await engine.removeContainer(old.Id);
      }
      const id = await engine.createContainer(target, imageId, ctx, env, config);
      return { id, imageId };
    };
    const { id, imageId } = old ? await build() : await capacityLock(build);
    checkAbort(ctx, 'starting the container');
    await engine.startContainer(id);
    return { resourceId: id, resolvedImage: imageId, endpoints: endpointsFor(port) };
  }

  /**
   * provision, redeploy and recreate: build the agent's container from `target.revision` (the tag
   * resolved again, or an image id), keeping the workspace volume.
   */
  async function build(target: DriverTarget, ctx: OperationContext): Promise<DriverResult> {
    const existing = await engine.findContainer(target.agentId);
    // The same operation again (a retry, or a resume by another manager): reuse what it made,
    // unless the environment changed (a resumed provision carries rotated credentials).
    if (existing && madeBy(existing, ctx, target)) return adopt(existing);
    // Otherwise the current container (or one left by an abandoned attempt) is replaced: one per agent.
    return rebuild(target, ctx, existing, target.revision.image);
  }

  /** The container made by this operation already exists: make sure it runs, report it. */
  async function adopt(info: Dockerode.ContainerInspectInfo): Promise<DriverResult> {
    if (!info.State.Running) await engine.startContainer(info.Id);
    return { resourceId: info.Id, resolvedImage: info.Image, endpoints: endpointsFor(portOf(info)) };
  }

  function notFound(target: DriverTarget, what: string): DriverError {
    return new DriverError(
      DOCKER_ERRORS.NOT_FOUND,
      `cannot ${what} agent ${target.agentId}: its container ${nameOf(target.agentId)} is gone (redeploy or reprovision rebuilds it)`,
      { meta: { agentId: target.agentId } },
    );
  }

  return {
    provision: (target, ctx) => observed(target, () => build(target, ctx)),

    start: (target, ctx) =>
      observed(target, async () => {
        const info = await engine.findContainer(target.agentId);
        if (!info) throw notFound(target, 'start');
        if (!sameEnv(info, target)) {
          // A secret changed: environment is fixed at creation, so rebuild on the same image (same volume).
          return rebuild(target, ctx, info, info.Image);
        }
        await engine.startContainer(info.Id);
        return { resourceId: info.Id, resolvedImage: info.Image, endpoints: endpointsFor(portOf(info)) };
      }),

    stop: (target) =>
      observed(target, async () => {
        const info = await engine.findContainer(target.agentId);
        if (!info) return undefined; // nothing runs: stopped is what was asked for
        await engine.stopContainer(info.Id);
        return { resourceId: info.Id };
      }),

    restart: (target, ctx) =>
      observed(target, async () => {
        const info = await engine.findContainer(target.agentId);
        if (!info) throw notFound(target, 'restart');
        if (!sameEnv(info, target)) return rebuild(target, ctx, info, info.Image);
        engine.stoppedByDriver.delete(info.Id);
        await engine.call(`restart container ${info.Id}`, () =>
          engine.docker().getContainer(info.Id).restart({ t: opts.stopTimeoutSeconds }),
        );
        return { resourceId: info.Id, resolvedImage: info.Image, endpoints: endpointsFor(portOf(info)) };
      }),

    redeploy: (target, ctx) => observed(target, () => build(target, ctx)),

    recreate: (target, ctx) => observed(target, () => build(target, ctx)),

    destroy: (target) =>
      observed(
        target,
        async () => {
          const workspaces = new Set([target.workspaceId]);
          for (const entry of await engine.listOurs(target.agentId)) {
            workspaces.add(entry.Labels[LABELS.workspaceId] ?? '');
            await engine.stopContainer(entry.Id);
            await engine.removeContainer(entry.Id);
          }
          await volumes.removeVolumes(target, workspaces);
          return undefined;
        },
        () => missing(target.agentId),
      ),
  };
}
