/**
 * The default agent image (`berth/agent:latest`): built locally by `agent/build-image.sh` from
 * the machine's own busybox and Node, so no registry is needed.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DriverError } from '@berth/core';
import { DOCKER_ERRORS } from './errors.js';

/** The tag of the default agent image. */
export const DEFAULT_AGENT_IMAGE = 'berth/agent:latest';

/** Options of {@link ensureAgentImage}. */
export interface EnsureAgentImageOptions {
  /** Image tag. @default 'berth/agent:latest' */
  readonly tag?: string | undefined;
  /** Engine address (`DOCKER_HOST` syntax). @default the `DOCKER_HOST` environment variable */
  readonly host?: string | undefined;
  /** Rebuild even when the tag is up to date. @default false */
  readonly force?: boolean | undefined;
  /** Node binary to copy into the image. @default the `node` on PATH */
  readonly nodeBinary?: string | undefined;
}

/** Absolute path of the build script shipped with the package. */
export const AGENT_BUILD_SCRIPT = fileURLToPath(new URL('../agent/build-image.sh', import.meta.url));

const inFlight = new Map<string, Promise<string>>();

/**
 * Build the default agent image unless the tag already holds one built from the same inputs
 * (Node binary, busybox, agent program). Needs `bash`, `tar`, the `docker` CLI and busybox-static.
 *
 * @param options - Tag, engine, force.
 * @returns The image id.
 * @throws DriverError `IMAGE_BUILD_FAILED` with the script's output when the build fails.
 * @example
 * ```ts
 * const imageId = await ensureAgentImage(); // berth/agent:latest
 * ```
 */
export function ensureAgentImage(options: EnsureAgentImageOptions = {}): Promise<string> {
  const tag = options.tag ?? DEFAULT_AGENT_IMAGE;
  const key = `${options.host ?? process.env.DOCKER_HOST ?? ''}|${tag}`;
  const running = inFlight.get(key);
  if (running) return running;
  const build = runBuild(tag, options).finally(() => inFlight.delete(key));
  inFlight.set(key, build);
  return build;
}

function runBuild(tag: string, options: EnsureAgentImageOptions): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (options.host !== undefined) env.DOCKER_HOST = options.host;
  if (options.force) env.BERTH_AGENT_IMAGE_FORCE = '1';
  if (options.nodeBinary !== undefined) env.BERTH_AGENT_NODE = options.nodeBinary;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [AGENT_BUILD_SCRIPT, tag], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (error) =>
      reject(
        new DriverError(
          DOCKER_ERRORS.IMAGE_BUILD_FAILED,
          `cannot run ${AGENT_BUILD_SCRIPT}: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    child.on('close', (code) => {
      const id = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && id.startsWith('sha256:')) resolve(id);
      else {
        reject(
          new DriverError(
            DOCKER_ERRORS.IMAGE_BUILD_FAILED,
            `building ${tag} failed (exit ${code}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`,
            { meta: { tag } },
          ),
        );
      }
    });
  });
}
