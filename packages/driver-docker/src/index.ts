/**
 * `@berth/driver-docker`: runs Berth agents as real containers on a Docker Engine through its
 * API (dockerode): one container per agent, labelled for ownership, with a named volume for the
 * workspace; observation through the events stream plus a periodic resync.
 *
 * @example
 * ```ts
 * import { createLifecycleManager } from '@berth/core';
 * import { createDockerDriver, ensureAgentImage } from '@berth/driver-docker';
 *
 * await ensureAgentImage(); // builds berth/agent:latest locally on first use
 * const manager = createLifecycleManager({
 *   driver: createDockerDriver({ networkMode: 'host', apiUrl: 'http://127.0.0.1:3000/api' }),
 * });
 * ```
 *
 * @module
 */
export {
  AGENT_BUILD_SCRIPT,
  DEFAULT_AGENT_IMAGE,
  type EnsureAgentImageOptions,
  ensureAgentImage,
} from './agent-image.js';
export { BACKUP_MISSING } from './backups.js';
export { engineOptions } from './client.js';
export { type DockerRevisionConfig, parseRevisionConfig, RESERVED_ENV } from './container-spec.js';
export { createDockerDriver, DRIVER_NAME, type DockerDriver } from './docker-driver.js';
export { DOCKER_ERRORS, type DockerErrorCode } from './errors.js';
export { containerName, isManaged, LABELS, volumeName } from './labels.js';
export type { DockerDriverOptions, DockerNetworkMode, ResolvedDockerDriverOptions } from './options.js';
