/** What tests that need real infrastructure share: a free port, and whether a Docker Engine answers. */
import { request } from 'node:http';
import { createServer } from 'node:net';

/** A port nothing listens on right now (127.0.0.1). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The Docker Engine's socket (DOCKER_HOST when it is a unix socket). */
export const dockerSocket = process.env.DOCKER_HOST?.startsWith('unix://')
  ? process.env.DOCKER_HOST.slice('unix://'.length)
  : '/var/run/docker.sock';

/** True when the engine answers `GET /_ping`. */
export function engineAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: dockerSocket, path: '/_ping', timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}
