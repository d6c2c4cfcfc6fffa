/**
 * The driver's own error codes (carried as `DriverError.driverCode`) and the translation of
 * Docker Engine API failures into them.
 *
 * @module
 */
import { DriverError, NO_CAPACITY } from '@berth/core';

/** Every `driverCode` the Docker driver throws. */
export const DOCKER_ERRORS = {
  /** The engine is at its `capacity` (the manager waitlists the agent). */
  NO_CAPACITY,
  /** The agent has no container to start, restart or stop (it was removed out of band). */
  NOT_FOUND: 'NOT_FOUND',
  /** The image (tag or id) is not on the engine. The driver never pulls. */
  IMAGE_NOT_FOUND: 'IMAGE_NOT_FOUND',
  /** A container with the agent's name exists but does not carry Berth's labels: left alone. */
  NAME_CONFLICT: 'NAME_CONFLICT',
  /** The target cannot be expressed in Docker (an id with illegal characters, a bad env name). */
  INVALID_TARGET: 'INVALID_TARGET',
  /** `revision.config` has a field of the wrong shape. */
  INVALID_CONFIG: 'INVALID_CONFIG',
  /** `ensureAgentImage` could not build the agent image. */
  IMAGE_BUILD_FAILED: 'IMAGE_BUILD_FAILED',
  /** The operation's signal was aborted before it finished. */
  ABORTED: 'ABORTED',
  /** The engine could not be reached (socket missing, connection refused or reset). */
  ENGINE_UNAVAILABLE: 'ENGINE_UNAVAILABLE',
  /** The engine answered with an error the driver does not handle. */
  ENGINE_ERROR: 'ENGINE_ERROR',
} as const;

/** A Docker driver error code. */
export type DockerErrorCode = (typeof DOCKER_ERRORS)[keyof typeof DOCKER_ERRORS];

/** What docker-modem attaches to a failed request. */
interface EngineFailure {
  readonly statusCode?: number;
  readonly code?: string;
  readonly json?: { readonly message?: string } | null;
  readonly message?: string;
}

/** The HTTP status of a failed Engine API call, or `null` for transport errors. */
export function engineStatus(error: unknown): number | null {
  const status = (error as EngineFailure | null)?.statusCode;
  return typeof status === 'number' ? status : null;
}

/** The engine's own message for a failed call (`json.message`), falling back to `error.message`. */
export function engineMessage(error: unknown): string {
  const failure = error as EngineFailure | null;
  const fromJson = failure?.json?.message;
  if (typeof fromJson === 'string' && fromJson !== '') return fromJson;
  return typeof failure?.message === 'string' ? failure.message : String(error);
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

/** True when the failure means the engine is not reachable at all. */
export function isEngineUnavailable(error: unknown): boolean {
  const code = (error as EngineFailure | null)?.code;
  return typeof code === 'string' && UNREACHABLE.has(code);
}

/**
 * Wrap any failure of an Engine API call into a {@link DriverError}; a `DriverError` passes through.
 * @param error - What the call threw.
 * @param what - The action that failed, for the message (`create container berth-agt_1`).
 */
export function toDriverError(error: unknown, what: string): DriverError {
  if (error instanceof DriverError) return error;
  if (isEngineUnavailable(error)) {
    return new DriverError(
      DOCKER_ERRORS.ENGINE_UNAVAILABLE,
      `${what}: Docker engine unreachable (${engineMessage(error)})`,
      {
        cause: error,
      },
    );
  }
  const status = engineStatus(error);
  return new DriverError(DOCKER_ERRORS.ENGINE_ERROR, `${what}: ${engineMessage(error).trim()}`, {
    cause: error,
    meta: status === null ? {} : { status },
  });
}
