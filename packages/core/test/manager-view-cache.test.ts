/**
 * Views are built once per record when nothing but the record decides them: the next request
 * for an unchanged agent gets the same frozen view, a change gets a new one, and a view that
 * also depends on something else (an embedder's precondition, a free slot) is built afresh
 * every time, so it is never stale.
 */
import { createLifecycleManager, type Precondition } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import { expect, test } from 'vitest';

test('an unchanged agent is shown by one frozen view; a change makes a new one', async () => {
  const manager = createLifecycleManager({ driver: createMemoryDriver({ latency: 0 }) });
  const created = await manager.create({ name: 'cached' });
  const running = await manager.waitFor(created.id, 'running', { timeout: 5_000 });
  const first = await manager.get(created.id);
  const again = await manager.get(created.id);
  expect(again).toBe(first);
  expect(Object.isFrozen(first)).toBe(true);
  expect(first.version).toBe(running.version);

  const paused = await manager.dispatch(created.id, 'pause', { reason: 'cache' });
  expect(paused.agent).not.toBe(first);
  expect(paused.agent.status).toBe('paused');
  // The view the dispatch answered is the one the next read gets.
  expect(await manager.get(created.id)).toBe(paused.agent);
  expect(first.status).toBe('running'); // the old view was not changed in place
  await manager.close();
});

test('a view that depends on a precondition is never served stale', async () => {
  let open = true;
  const window: Precondition = {
    name: 'changeWindow',
    check: () => (open ? true : { reason: 'WINDOW_CLOSED', detail: 'outside the change window' }),
  };
  const manager = createLifecycleManager({
    driver: createMemoryDriver({ latency: 0 }),
    preconditions: { restart: [window] },
  });
  const created = await manager.create({ name: 'windowed' });
  await manager.waitFor(created.id, 'running', { timeout: 5_000 });
  const before = await manager.get(created.id);
  expect(before.availableActions).toContain('restart');

  open = false; // the record does not change; the precondition's answer does
  const after = await manager.get(created.id);
  expect(after.version).toBe(before.version);
  expect(after.availableActions).not.toContain('restart');
  expect(after.actions.find((a) => a.action === 'restart')).toMatchObject({ allowed: false });
  await manager.close();
});

test('only the latest views are kept: reading many agents holds a bounded number', async () => {
  const manager = createLifecycleManager({ driver: createMemoryDriver({ latency: 0 }) });
  const ids: string[] = [];
  // Two generations of VIEW_CACHE_SIZE (1,024) views at most: 2,100 agents are more than both.
  for (let i = 0; i < 2_100; i++) ids.push((await manager.create({ name: `many-${i}` })).id);
  await manager.settle();
  const first = await manager.get(ids[0]!);
  expect(await manager.get(ids[0]!)).toBe(first); // kept while it is among the latest
  for (const id of ids.slice(1)) await manager.get(id); // 2,099 other agents' views built since
  const again = await manager.get(ids[0]!);
  expect(again).not.toBe(first); // built afresh: the first one was let go
  expect(again).toEqual(first); // and it shows the same agent
  await manager.close();
});
