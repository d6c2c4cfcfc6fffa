/**
 * Bounded growth: pending commands capped per agent (`maxCommandsPerAgent`), idempotency keys
 * kept in the store, scoped and capped per owner (one owner's keys never evict another's), and
 * durable across managers sharing a store.
 */
import { createLifecycleManager, createMemoryStore, isBerthError, ManualClock } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import { describe, expect, it } from 'vitest';
import { setup } from './scenario-harness.js';

async function selfHostedAgent(manager: ReturnType<typeof createLifecycleManager>) {
  const { token } = await manager.createRegistrationToken({ owner: 'acme' });
  return manager.register({ registrationToken: token, code: 'box-1' });
}

const codeOf = (error: unknown) => (isBerthError(error) ? error.code : String(error));

describe('pending commands per agent', () => {
  it('refuses the command beyond maxCommandsPerAgent with COMMAND_QUEUE_FULL and writes nothing', async () => {
    const manager = createLifecycleManager({ maxCommandsPerAgent: 3 });
    const { agentId } = await selfHostedAgent(manager);
    for (let i = 0; i < 3; i++) await manager.enqueueCommand(agentId, { type: `job-${i}` });
    const error = await manager.enqueueCommand(agentId, { type: 'one-too-many' }).catch((e: unknown) => e);
    expect(codeOf(error)).toBe('COMMAND_QUEUE_FULL');
    expect(isBerthError(error) && error.status).toBe(409);
    expect(await manager.commands(agentId)).toHaveLength(3);
    // Handing commands out frees room: only pending ones count.
    expect(await manager.pollCommands(agentId, { limit: 2 })).toHaveLength(2);
    await manager.enqueueCommand(agentId, { type: 'after-poll' });
    await manager.enqueueCommand(agentId, { type: 'after-poll-2' });
    await expect(manager.enqueueCommand(agentId, { type: 'full-again' })).rejects.toMatchObject({
      code: 'COMMAND_QUEUE_FULL',
    });
    await manager.close();
  });

  it('defaults to 1000 pending commands per agent', async () => {
    const manager = createLifecycleManager();
    const { agentId } = await selfHostedAgent(manager);
    for (let i = 0; i < 1000; i++) await manager.enqueueCommand(agentId, { type: 'noop' });
    await expect(manager.enqueueCommand(agentId, { type: 'noop' })).rejects.toMatchObject({
      code: 'COMMAND_QUEUE_FULL',
    });
    await manager.close();
  });
});

describe('idempotency keys', () => {
  it("are capped per owner and never evict another owner's", async () => {
    const clock = new ManualClock();
    const store = createMemoryStore();
    const driver = createMemoryDriver({ clock });
    const manager = createLifecycleManager({ store, driver, clock, maxIdempotencyKeysPerOwner: 5 });
    const first = await manager.create({ name: 'kept', owner: 'acme' }, { idempotencyKey: 'k-acme' });
    // Another owner fills far more than the cap.
    for (let i = 0; i < 50; i++) {
      await manager.create({ name: `noise-${i}`, owner: 'umbrella' }, { idempotencyKey: `k-${i}` });
    }
    const again = await manager.create({ name: 'kept', owner: 'acme' }, { idempotencyKey: 'k-acme' });
    expect(again.id).toBe(first.id);
    expect((await manager.list({ owner: 'acme' })).map((a) => a.id)).toEqual([first.id]);
    // Within one owner the cap holds: its oldest keys go first (the newest five replay).
    const replayed = await manager.create(
      { name: 'noise-49', owner: 'umbrella' },
      { idempotencyKey: 'k-49' },
    );
    expect((await manager.list({ owner: 'umbrella' })).filter((a) => a.id === replayed.id)).toHaveLength(1);
    expect((await manager.list({ owner: 'umbrella' })).length).toBe(50);
    const forgotten = await manager.create({ name: 'noise-0', owner: 'umbrella' }, { idempotencyKey: 'k-0' });
    expect((await manager.list({ owner: 'umbrella' })).length).toBe(51);
    expect(forgotten.name).toBe('noise-0');
    await manager.settle();
    await manager.close();
  });

  it('live in the store: a second manager over the same store replays the first one’s create', async () => {
    const clock = new ManualClock();
    const store = createMemoryStore();
    const one = createLifecycleManager({ store, driver: createMemoryDriver({ clock }), clock });
    const created = await one.create({ name: 'durable', owner: 'acme' }, { idempotencyKey: 'same' });
    await one.settle();
    await one.close();
    const two = createLifecycleManager({ store, driver: createMemoryDriver({ clock }), clock });
    const retried = await two.create({ name: 'durable', owner: 'acme' }, { idempotencyKey: 'same' });
    expect(retried.id).toBe(created.id);
    expect(await two.list({ owner: 'acme' })).toHaveLength(1);
    await expect(
      two.create({ name: 'other', owner: 'acme' }, { idempotencyKey: 'same' }),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    await two.close();
  });

  it('scopes dispatch keys to the agent’s owner: the same key on two agents acts on both', async () => {
    const { manager, running, settle } = setup();
    const a = await running('a');
    const b = await running('b');
    const ra = await manager.dispatch(a.id, 'stop', { idempotencyKey: 'stop-1' });
    const rb = await manager.dispatch(b.id, 'stop', { idempotencyKey: 'stop-1' });
    expect(ra.operation).not.toBeNull();
    expect(rb.operation).not.toBeNull();
    expect(ra.operation!.id).not.toBe(rb.operation!.id);
    const replay = await manager.dispatch(a.id, 'stop', { idempotencyKey: 'stop-1' });
    expect(replay.operation!.id).toBe(ra.operation!.id);
    await settle();
  });
});
