/**
 * The fetch and `node:http` bindings as the shared case suites run them (the Express one lives
 * in packages/adapter-express/test/binding.ts: core's tests never import Express). The fetch
 * binding is served by Node's own `node:http` turned into Web `Request`s here, the smallest host
 * that gives it a real socket; examples/hono runs it under `@hono/node-server`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { type BerthFetchHandler, createBerthFetchHandler } from '@berth/core/fetch';
import { berthServerOptions, createBerthNodeHandler, hardenServer } from '@berth/core/node';
import { type BindingUnderTest, listenApi } from './harness.js';

export const nodeBinding: BindingUnderTest = {
  name: 'node:http',
  listen(manager, { authenticate, onError, edge, native, ...options }) {
    const handler = createBerthNodeHandler(manager, {
      ...options,
      basePath: '/api',
      ...(authenticate ? { authenticate: (req) => authenticate(req.headers.authorization) } : {}),
      ...(onError ? { onError: (e) => onError(e) } : {}),
      ...native,
    });
    return listenApi(hardenServer(createServer(berthServerOptions(edge), handler), edge));
  },
};

/** Serve a fetch handler from `node:http`: the request as a Web `Request`, the `Response` piped back. */
export function fetchHost(fetchHandler: BerthFetchHandler) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers))
      if (value !== undefined)
        for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
    const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url}`, {
      method: req.method ?? 'GET',
      headers,
      signal: abort.signal,
      ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
    } as RequestInit);
    const response = await fetchHandler(request, { client: req.socket.remoteAddress });
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      out[name] = value;
    });
    res.writeHead(response.status, out);
    if (response.body === null) {
      res.end();
      return;
    }
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
    } catch {
      // the client went away mid-stream
    }
    res.end();
  };
}

export const fetchBinding: BindingUnderTest = {
  name: 'fetch',
  listen(manager, { authenticate, onError, edge, native, ...options }) {
    const handler = createBerthFetchHandler(manager, {
      ...options,
      basePath: '/api',
      ...(authenticate
        ? { authenticate: (req) => authenticate(req.headers.get('authorization') ?? undefined) }
        : {}),
      ...(onError ? { onError: (e) => onError(e) } : {}),
      ...native,
    });
    return listenApi(hardenServer(createServer(berthServerOptions(edge), fetchHost(handler)), edge));
  },
};
