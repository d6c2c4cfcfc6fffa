/**
 * `BERTH_HTTP`: the platform serves `/api` through the Express binding (default) or the
 * `node:http` binding, with the same answers, the dashboard still on Express, and the hardened
 * edge either way (a slow unauthenticated body gets 401 at once; a bad value of the variable is
 * refused by name).
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Platform, startPlatform } from '../src/index.js';

let platform: Platform | undefined;
afterEach(async () => {
  await platform?.close();
  platform = undefined;
});

/** Send a request head promising a large body, drip a byte, and time the first answer. */
function slowBody(url: string, path: string): Promise<{ status: number; ms: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname, () =>
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\nContent-Type: application/json\r\nContent-Length: 50000\r\n\r\n{`,
      ),
    );
    socket.once('data', (chunk) => {
      socket.destroy();
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString())?.[1]),
        ms: Date.now() - started,
      });
    });
    socket.once('error', reject);
  });
}

describe.each(['express', 'node'] as const)('BERTH_HTTP=%s', (binding) => {
  it('serves the API and the dashboard, with the hardened edge', async () => {
    const config = loadConfig({
      PORT: '0',
      BERTH_HTTP: binding,
      BERTH_OPERATOR_KEYS: 'acme:k-acme',
      BERTH_MEMORY_LATENCY_MS: '0',
      BERTH_STORE: 'memory',
    });
    expect(config.http).toBe(binding);
    platform = await startPlatform(config, { log: () => {} });
    const auth = { authorization: 'Bearer k-acme', 'content-type': 'application/json' };
    const created = await fetch(`${platform.apiUrl}/agents`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: `via-${binding}` }),
    });
    expect(created.status).toBe(201);
    const agent = (await created.json()) as { id: string; owner: string };
    expect(agent.owner).toBe('acme');
    const list = await fetch(`${platform.apiUrl}/agents`, { headers: auth });
    expect(((await list.json()) as { agents: { id: string }[] }).agents.map((a) => a.id)).toEqual([agent.id]);
    const missing = await fetch(`${platform.apiUrl}/nowhere`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const page = await fetch(`${platform.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const slow = await slowBody(platform.url, '/api/agents');
    expect(slow.status).toBe(401);
    expect(slow.ms).toBeLessThan(1_000);
  });
});

it('BERTH_HTTP is checked: anything but express or node is refused by name', () => {
  expect(() => loadConfig({ BERTH_HTTP: 'fastify' })).toThrow(ConfigError);
  expect(() => loadConfig({ BERTH_HTTP: 'fastify' })).toThrow(/BERTH_HTTP/);
  expect(loadConfig({}).http).toBeUndefined();
});
