/**
 * A real `node:http` server on 127.0.0.1 over `createBerthHandler` (not a test file): the
 * smallest binding — JSON body in, the handler's response out — so HTTP tests go through a
 * listening socket.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LifecycleManager } from '@berth/core';
import { type BerthHandlerOptions, type BerthIdentity, createBerthHandler } from '@berth/core/http';

/** A listening server and how to call it. */
export interface Served {
  readonly url: string;
  call(
    method: string,
    path: string,
    init?: { body?: unknown; headers?: Record<string, string> },
    // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the route answers
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** Operators authenticate with `Authorization: Op <owner>`; agents with their Bearer token. */
export const operatorAuth = (req: IncomingMessage): BerthIdentity | null => {
  const header = req.headers.authorization ?? 'Op acme';
  if (!header.startsWith('Op ')) return null;
  const owner = header.slice(3);
  return { actor: `user:${owner}`, owner };
};

/** Serve `manager` on an ephemeral port of 127.0.0.1. */
export async function serve(
  manager: LifecycleManager,
  options: BerthHandlerOptions<IncomingMessage> = {},
): Promise<Served> {
  const handler = createBerthHandler<IncomingMessage>(manager, { authenticate: operatorAuth, ...options });
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    const response = await handler.handle({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers as Record<string, string>,
      body: text === '' ? undefined : JSON.parse(text),
      signal: controller.signal,
      native: req,
    });
    if (response.kind === 'none') return;
    if (response.kind === 'stream') {
      res.writeHead(response.status, response.headers);
      for await (const piece of response.body) res.write(piece);
      res.end();
      return;
    }
    if (response.kind === 'empty') {
      res.writeHead(response.status, response.headers).end();
      return;
    }
    res
      .writeHead(response.status, { 'Content-Type': 'application/json', ...response.headers })
      .end(JSON.stringify(response.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async call(method, path, init = {}) {
      const res = await fetch(url + path, {
        method,
        headers: {
          ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...init.headers,
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
