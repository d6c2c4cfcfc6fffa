/**
 * What a container's environment carries beyond its revision: the agent's login (username and
 * password, issued at provision and recreate, kept by every other rebuild) and, on host
 * networking, the port the agent serves on (`BERTH_AGENT_PORT`), which is its endpoint.
 *
 * @module
 */
import { createServer } from 'node:net';
import type { DriverTarget, Endpoint } from '@berth/core';
import type Dockerode from 'dockerode';

/** The environment variable of the port an agent serves on (host networking). */
export const PORT_ENV = 'BERTH_AGENT_PORT';
/** Login variables, from `target.credentials`. */
const LOGIN_ENV = { username: 'BERTH_AGENT_USERNAME', password: 'BERTH_AGENT_PASSWORD' } as const;

/** A variable of a container's environment, if set. */
export function envOf(info: Dockerode.ContainerInspectInfo | null, name: string): string | null {
  const entry = (info?.Config.Env ?? []).find((e) => e.startsWith(`${name}=`));
  return entry === undefined ? null : entry.slice(name.length + 1);
}

/** The port a container serves on, if it has one. */
export function portOf(info: Dockerode.ContainerInspectInfo | null): number | null {
  const port = Number(envOf(info, PORT_ENV));
  return Number.isInteger(port) && port > 0 ? port : null;
}

/** The endpoints of an agent served on `port` (none without one). */
export function endpointsFor(port: number | null): readonly Endpoint[] {
  return port === null ? [] : [{ name: 'http', url: `http://127.0.0.1:${port}/` }];
}

/**
 * `env` (sorted `NAME=value` entries) with the login and the port: the target's login when it
 * carries credentials, otherwise the replaced container's; the port given, or the old one's.
 */
export function withRuntimeEnv(
  env: readonly string[],
  target: DriverTarget,
  old: Dockerode.ContainerInspectInfo | null,
  port: number | null,
): string[] {
  const extra = new Map<string, string>();
  for (const [field, name] of Object.entries(LOGIN_ENV)) {
    const value = target.credentials ? target.credentials[field as keyof typeof LOGIN_ENV] : envOf(old, name);
    if (value !== undefined && value !== null) extra.set(name, value);
  }
  const servedOn = port ?? portOf(old);
  if (servedOn !== null) extra.set(PORT_ENV, String(servedOn));
  if (extra.size === 0) return [...env];
  const kept = env.filter((e) => !extra.has(e.slice(0, e.indexOf('='))));
  return [...kept, ...[...extra].map(([k, v]) => `${k}=${v}`)].sort();
}

/** Ports handed out by this process and not yet seen free (two agents never get one port). */
const handedOut = new Set<number>();

/** A port of 127.0.0.1 free now (the kernel picks it), never one this process already handed out. */
export async function allocatePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    if (port > 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
