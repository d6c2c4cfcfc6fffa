/**
 * From what the engine reports about a container (inspect or list) to a {@link DriverInspection}.
 *
 * @module
 */
import type { DriverInspection } from '@berth/core';
import type Dockerode from 'dockerode';
import { LABELS } from './labels.js';

type State = DriverInspection['state'];
type Health = DriverInspection['health'];

/**
 * The driver's view of a container's state.
 * @param dockerState - Docker's state word (`running`, `exited`, `created`, …).
 * @param stoppedByDriver - The driver itself stopped this container (its exit code then does not matter).
 */
export function stateOf(dockerState: string, stoppedByDriver: boolean): State {
  switch (dockerState) {
    case 'running':
    case 'restarting':
    case 'paused':
      return 'running';
    case 'created':
      // Created but never started: still being provisioned, unless the driver stopped it there.
      return stoppedByDriver ? 'stopped' : 'creating';
    default:
      // exited, dead, removing: `stopped` only when this driver stopped it; any other exit (a
      // crash, docker kill, docker stop, an OOM, the engine restarting) is `exited`.
      return stoppedByDriver ? 'stopped' : 'exited';
  }
}

function healthOf(status: string | undefined | null): Health {
  return status === 'healthy' || status === 'unhealthy' || status === 'starting' ? status : null;
}

/** A missing agent. */
export function missing(agentId: string): DriverInspection {
  return {
    agentId,
    state: 'missing',
    health: null,
    exitCode: null,
    resourceId: null,
    operationId: null,
    owner: null,
  };
}

/** From `GET /containers/{id}/json`. */
export function fromInspect(
  info: Dockerode.ContainerInspectInfo,
  agentId: string,
  stoppedByDriver: boolean,
): DriverInspection {
  const labels = info.Config.Labels ?? {};
  const running = info.State.Running || info.State.Restarting || info.State.Paused;
  const exitCode = running || info.State.Status === 'created' ? null : info.State.ExitCode;
  return {
    agentId,
    state: stateOf(info.State.Status, stoppedByDriver),
    health: running ? healthOf(info.State.Health?.Status) : null,
    exitCode,
    resourceId: info.Id,
    operationId: labels[LABELS.operationId] ?? null,
    owner: labels[LABELS.owner] ?? null,
  };
}

const EXITED_RE = /^Exited \((-?\d+)\)/;
const HEALTH_RE = /\((healthy|unhealthy|health: starting)\)/;

/** From one row of `GET /containers/json` (exit code and health are read from the `Status` text). */
export function fromListEntry(info: Dockerode.ContainerInfo, stoppedByDriver: boolean): DriverInspection {
  const labels = info.Labels ?? {};
  const agentId = labels[LABELS.agentId] ?? '';
  const exited = EXITED_RE.exec(info.Status ?? '');
  const exitCode = exited ? Number(exited[1]) : null;
  const health = HEALTH_RE.exec(info.Status ?? '')?.[1];
  const state = stateOf(info.State, stoppedByDriver);
  return {
    agentId,
    state,
    health: state === 'running' ? healthOf(health === 'health: starting' ? 'starting' : health) : null,
    exitCode: state === 'running' || state === 'creating' ? null : exitCode,
    resourceId: info.Id,
    operationId: labels[LABELS.operationId] ?? null,
    owner: labels[LABELS.owner] ?? null,
  };
}
