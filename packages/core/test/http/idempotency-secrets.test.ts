/**
 * `Idempotency-Key` over a real listening server: keys live in the manager's store (durable,
 * per owner), a replay of a response that held a secret answers 409 SECRET_ALREADY_SHOWN and
 * the plaintext is never stored, a used registration token is worth nothing, and a full command
 * queue answers 409 COMMAND_QUEUE_FULL.
 */
import {
  createLifecycleManager,
  createMemoryStore,
  type IdempotencyRecord,
  type LifecycleManager,
  type LifecycleStore,
} from '@berth/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Served, serve } from './serve.js';

let served: Served | null = null;
let manager: LifecycleManager | null = null;
afterEach(async () => {
  await served?.close();
  await manager?.close();
  served = null;
  manager = null;
});

/** The real memory store, with what it was asked to keep as idempotent responses recorded. */
function recordingStore(): { store: LifecycleStore; finished: unknown[]; begun: IdempotencyRecord[] } {
  const store = createMemoryStore();
  const finished: unknown[] = [];
  const begun: IdempotencyRecord[] = [];
  const begin = store.beginIdempotent.bind(store);
  const finish = store.finishIdempotent.bind(store);
  store.beginIdempotent = (record, options) => {
    begun.push(record);
    return begin(record, options);
  };
  store.finishIdempotent = (scope, key, response) => {
    finished.push(response);
    return finish(scope, key, response);
  };
  return { store, finished, begun };
}

describe('secrets are shown once', () => {
  it('a replayed POST /registration-tokens answers 409 SECRET_ALREADY_SHOWN; the token is not stored', async () => {
    const { store, finished, begun } = recordingStore();
    manager = createLifecycleManager({ store });
    served = await serve(manager);
    const headers = { 'Idempotency-Key': 'tok-1' };
    const first = await served.call('POST', '/registration-tokens', { body: {}, headers });
    expect(first.status).toBe(201);
    const token = first.body.token as string;
    expect(token).toMatch(/\S{16,}/);
    const replay = await served.call('POST', '/registration-tokens', { body: {}, headers });
    expect(replay.status).toBe(409);
    expect(replay.body.code).toBe('SECRET_ALREADY_SHOWN');
    expect(replay.headers.get('content-type')).toContain('application/problem+json');
    // Nothing the store was asked to keep holds the plaintext.
    expect(JSON.stringify(finished)).not.toContain(token);
    expect(begun.every((r) => r.scope === 'owner:acme')).toBe(true);
    // The token itself still works, once.
    const registered = await served.call('POST', '/agents/register', {
      body: { registrationToken: token, code: 'box' },
    });
    expect(registered.status).toBe(201);
  });

  it('a replayed register answers 409 SECRET_ALREADY_SHOWN; the used token registers nothing more', async () => {
    const { store, finished } = recordingStore();
    manager = createLifecycleManager({ store });
    served = await serve(manager);
    const minted = await served.call('POST', '/registration-tokens', { body: {} });
    const body = { registrationToken: minted.body.token, code: 'box-7' };
    const headers = { 'Idempotency-Key': 'reg-1' };
    const first = await served.call('POST', '/agents/register', { body, headers });
    expect(first.status).toBe(201);
    const agentToken = first.body.agentToken as string;
    const replay = await served.call('POST', '/agents/register', { body, headers });
    expect(replay.status).toBe(409);
    expect(replay.body.code).toBe('SECRET_ALREADY_SHOWN');
    expect(JSON.stringify(finished)).not.toContain(agentToken);
    // Without the key, or with another one, the used token is refused.
    const again = await served.call('POST', '/agents/register', {
      body,
      headers: { 'Idempotency-Key': 'reg-2' },
    });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('REGISTRATION_TOKEN_INVALID');
    expect(await manager.list()).toHaveLength(1);
    // The agent token handed out the first time works.
    const beat = await served.call('POST', `/agents/${first.body.agentId}/heartbeat`, {
      headers: { Authorization: `Bearer ${agentToken}` },
    });
    expect(beat.status).toBe(204);
  });

  it('replays a response without a secret as before (Idempotent-Replayed), from the manager’s store', async () => {
    const store = createMemoryStore();
    manager = createLifecycleManager({ store });
    served = await serve(manager);
    const minted = await served.call('POST', '/registration-tokens', { body: {} });
    const reg = await served.call('POST', '/agents/register', {
      body: { registrationToken: minted.body.token, code: 'box' },
    });
    const auth = { Authorization: `Op acme` };
    const path = `/agents/${reg.body.agentId}/commands`;
    const headers = { ...auth, 'Idempotency-Key': 'cmd-1' };
    const first = await served.call('POST', path, { body: { type: 'sync' }, headers });
    expect(first.status).toBe(201);
    // A new server over the same manager's store (another process would do the same).
    await served.close();
    served = await serve(manager);
    const replay = await served.call('POST', path, { body: { type: 'sync' }, headers });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await manager.commands(reg.body.agentId)).toHaveLength(1);
  });
});

describe('caps over HTTP', () => {
  it('answers 409 COMMAND_QUEUE_FULL beyond maxCommandsPerAgent', async () => {
    manager = createLifecycleManager({ maxCommandsPerAgent: 2 });
    served = await serve(manager);
    const minted = await served.call('POST', '/registration-tokens', { body: {} });
    const reg = await served.call('POST', '/agents/register', {
      body: { registrationToken: minted.body.token, code: 'box' },
    });
    const path = `/agents/${reg.body.agentId}/commands`;
    expect((await served.call('POST', path, { body: { type: 'a' } })).status).toBe(201);
    expect((await served.call('POST', path, { body: { type: 'b' } })).status).toBe(201);
    const full = await served.call('POST', path, { body: { type: 'c' } });
    expect(full.status).toBe(409);
    expect(full.body.code).toBe('COMMAND_QUEUE_FULL');
    expect(await manager.commands(reg.body.agentId)).toHaveLength(2);
  });
});
