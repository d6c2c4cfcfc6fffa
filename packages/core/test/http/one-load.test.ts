/**
 * One load per action request: when nothing needs the agent before the action runs (no
 * `authorize` hook, no `If-Match`, no `Idempotency-Key`), the handler leaves the load to the
 * manager's dispatch — the store is read once. With any of them, the agent is loaded first,
 * as before. Counted on a real store behind a real listening server.
 */
import { createLifecycleManager, createMemoryStore, type LifecycleStore } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import { afterEach, expect, test } from 'vitest';
import { type Served, serve } from './serve.js';

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

/** A memory store that counts `get` calls. */
function countingStore(): { store: LifecycleStore; gets: () => number } {
  const inner = createMemoryStore();
  let gets = 0;
  const store = new Proxy(inner, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (name !== 'get' || typeof value !== 'function') return value;
      return (agentId: string) => {
        gets++;
        return (value as LifecycleStore['get']).call(target, agentId);
      };
    },
  });
  return { store, gets: () => gets };
}

async function runningAgent(options: Parameters<typeof serve>[1] = {}) {
  const { store, gets } = countingStore();
  const manager = createLifecycleManager({ store, driver: createMemoryDriver({ latency: 0 }) });
  const agent = await manager.create({ name: 'counted', owner: 'acme' });
  await manager.waitFor(agent.id, 'running', { timeout: 5_000 });
  served = await serve(manager, options);
  return { id: agent.id, gets, served };
}

test('an action without authorize, If-Match or Idempotency-Key reads the store once', async () => {
  const { id, gets, served } = await runningAgent();
  const before = gets();
  const res = await served.call('POST', `/agents/${id}/actions/pause`, { body: { reason: 'one load' } });
  expect(res.status).toBe(200);
  expect(res.body.agent.status).toBe('paused');
  expect(gets() - before).toBe(1);
});

test('If-Match, Idempotency-Key and an authorize hook each load the agent first', async () => {
  const cases: [string, Parameters<typeof serve>[1]][] = [
    ['If-Match', {}],
    ['Idempotency-Key', {}],
    ['authorize', { authorize: () => true }],
  ];
  for (const [what, options] of cases) {
    const { id, gets, served: s } = await runningAgent(options);
    const version = (await s.call('GET', `/agents/${id}`)).body.version as number;
    const headers: Record<string, string> =
      what === 'If-Match'
        ? { 'If-Match': `"${version}"` }
        : what === 'Idempotency-Key'
          ? { 'Idempotency-Key': 'k-1' }
          : {};
    const before = gets();
    const res = await s.call('POST', `/agents/${id}/actions/pause`, {
      body: { reason: 'loaded first' },
      headers,
    });
    expect(res.status).toBe(200);
    expect(gets() - before).toBeGreaterThanOrEqual(2);
    await s.close();
    served = undefined;
  }
});

test("another owner's agent is 404 whatever else is wrong with the action", async () => {
  const { id, gets, served } = await runningAgent();
  // pause without a reason is a 400 for the agent's owner; for anyone else the agent is not there.
  const res = await served.call('POST', `/agents/${id}/actions/pause`, {
    body: {},
    headers: { authorization: 'Op globex' },
  });
  expect(res.status).toBe(404);
  expect(res.body.code).toBe('AGENT_NOT_FOUND');
  const own = await served.call('POST', `/agents/${id}/actions/pause`, { body: {} });
  expect(own.status).toBe(400);
  expect(gets()).toBeGreaterThan(0);
});
