/**
 * The dockerode client, created on first use from the options or `DOCKER_HOST`.
 *
 * @module
 */
import { ValidationError } from '@berth/core';
import Dockerode from 'dockerode';

/**
 * Turn a `DOCKER_HOST`-style address into dockerode options.
 * @param host - `unix:///var/run/docker.sock`, `tcp://127.0.0.1:2375`, `https://…`, `ssh://user@host`.
 * @example engineOptions('unix:///run/docker.sock') // { socketPath: '/run/docker.sock' }
 */
export function engineOptions(host: string): Dockerode.DockerOptions {
  if (host.startsWith('unix://'))
    return { socketPath: host.slice('unix://'.length) || '/var/run/docker.sock' };
  if (host.startsWith('/')) return { socketPath: host };
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw new ValidationError(`host '${host}' is not an engine address`, [
      {
        path: 'host',
        message: 'expected unix:///path, tcp://host:port, http(s)://host:port or ssh://user@host',
      },
    ]);
  }
  const scheme = url.protocol.replace(/:$/, '');
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  switch (scheme) {
    case 'tcp':
    case 'http':
      return { host: hostname, port: url.port || (scheme === 'tcp' ? '2375' : '80'), protocol: 'http' };
    case 'https':
      return { host: hostname, port: url.port || '2376', protocol: 'https' };
    case 'ssh':
      return {
        host: hostname,
        port: url.port || '22',
        protocol: 'ssh',
        ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      };
    default:
      throw new ValidationError(`host '${host}' has an unsupported scheme '${scheme}'`, [
        { path: 'host', message: 'scheme must be unix, tcp, http, https or ssh' },
      ]);
  }
}

/**
 * A lazily created client: nothing connects until {@link LazyClient.get} is first called.
 * @param options - `client` wins; else `host` (or `DOCKER_HOST`) merged with `dockerOptions`.
 */
export function createLazyClient(options: {
  client?: Dockerode | undefined;
  host?: string | undefined;
  dockerOptions?: Dockerode.DockerOptions | undefined;
}): LazyClient {
  let client: Dockerode | null = options.client ?? null;
  // Validate the address eagerly (a typo should fail at construction), connect lazily.
  const base = options.host !== undefined ? engineOptions(options.host) : undefined;
  return {
    get() {
      if (client === null) {
        const merged = base || options.dockerOptions ? { ...base, ...options.dockerOptions } : undefined;
        // Without explicit options dockerode reads DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH.
        client = merged ? new Dockerode(merged) : new Dockerode();
      }
      return client;
    },
    created: () => client !== null,
  };
}

/** A client made on first use. */
export interface LazyClient {
  /** The client (created now if needed). */
  get(): Dockerode;
  /** Whether the client exists yet. */
  created(): boolean;
}
