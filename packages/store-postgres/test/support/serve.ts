/**
 * The Berth HTTP handler on a plain `node:http` server on a random loopback port (the tests need
 * a real listening server; Express stays in its adapter package).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LifecycleManager } from '@berth/core';
import { type BerthIdentity, createBerthHandler } from '@berth/core/http';

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : JSON.parse(text);
}

/** Serve `manager`; resolves to the base URL and the server. */
export async function serve(
  manager: LifecycleManager,
  authenticate: (req: IncomingMessage) => BerthIdentity = () => ({ actor: 'user:test' }),
): Promise<{ base: string; server: Server }> {
  const handler = createBerthHandler<IncomingMessage>(manager, { authenticate });
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const controller = new AbortController();
      res.on('close', () => controller.abort());
      let body: unknown;
      try {
        body = await bodyOf(req);
      } catch {
        res.writeHead(400).end();
        return;
      }
      const out = await handler.handle({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
        signal: controller.signal,
        native: req,
      });
      if (out.kind === 'none') return void res.end();
      if (out.kind === 'json') {
        res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers });
        return void res.end(JSON.stringify(out.body));
      }
      res.writeHead(out.status, out.headers);
      if (out.kind === 'empty') return void res.end();
      res.flushHeaders();
      for await (const chunk of out.body) res.write(chunk);
      res.end();
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
