/**
 * The Docker driver's workspace volumes: made (labelled) before a container mounts them, and
 * removed with the agent by destroy. A volume without Berth's labels is never touched.
 *
 * @module
 */
import type { DriverTarget } from '@berth/core';
import { DriverError } from '@berth/core';
import { volumeLabels } from './container-spec.js';
import { CONVERGE_TIMEOUT_MS, type Engine, POLL_MS, sleep } from './engine.js';
import { DOCKER_ERRORS, engineStatus, toDriverError } from './errors.js';
import { LABELS } from './labels.js';

/** The volume steps over one engine. */
export type Volumes = ReturnType<typeof createVolumes>;

/** The volume steps over `engine`. */
export function createVolumes(engine: Engine) {
  const { docker, ours, volumeOf, call, opts, scopeFilters } = engine;

  /** Make the target's workspace volume, unless it exists (and is ours for that workspace). */
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

  /** Remove one volume of ours; waits out "in use" while a container removal finishes. */
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

  return { ensureVolume, removeVolumes, removeVolume };
}
