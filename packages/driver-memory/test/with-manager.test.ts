// The memory driver under the real lifecycle manager: the README's example, and the capacity
// waitlist driven by the driver's NO_CAPACITY.
import { createLifecycleManager, ManualClock } from '@berth/core';
import { expect, it } from 'vitest';
import { createMemoryDriver } from '../src/index.js';

it('README example: latency on a manual clock, and a crash reported through watch', async () => {
  const clock = new ManualClock();
  const driver = createMemoryDriver({ clock, latency: { provision: 2_000 } });
  const manager = createLifecycleManager({ driver, clock });
  manager.start(); // the sweeper, and driver.watch

  const agent = await manager.create({ name: 'scout' });
  await clock.advance(2_000); // provisioning takes 2 s of virtual time
  await manager.settle();
  expect((await manager.get(agent.id)).status).toBe('running');

  driver.crash(agent.id, 137); // out of band: the process dies
  await manager.settle();
  expect((await manager.get(agent.id)).status).toBe('degraded');
  expect(driver.resourceCount(agent.id)).toBe(1);
  await manager.close();
});

it('a full driver waitlists the agent; destroying another makes room', async () => {
  const clock = new ManualClock();
  const driver = createMemoryDriver({ clock, capacity: 1 });
  const manager = createLifecycleManager({ driver, clock });
  const first = await manager.create({ name: 'first' });
  await manager.settle();
  const second = await manager.create({ name: 'second' });
  await manager.settle();
  expect((await manager.get(first.id)).status).toBe('running');
  expect((await manager.get(second.id)).status).toBe('waitlisted');
  expect(driver.resources().map((r) => r.agentId)).toEqual([first.id]);

  await manager.dispatch(first.id, 'destroy', { confirm: 'first' });
  await manager.settle();
  expect((await manager.get(second.id)).status).toBe('running');
  expect(driver.resources().map((r) => r.agentId)).toEqual([second.id]);
  expect(driver.workspaces().map((w) => w.agentId)).toEqual([second.id]);
  await manager.close();
});

it('recipe: a hung start is aborted at the operation deadline', async () => {
  const clock = new ManualClock();
  const driver = createMemoryDriver({ clock });
  const manager = createLifecycleManager({ driver, clock, policies: { operationTimeoutMs: 5_000 } });
  const agent = await manager.create({ name: 'slowpoke' });
  await manager.settle();
  await manager.dispatch(agent.id, 'stop');
  await manager.settle();
  driver.hangNext('start');
  await manager.dispatch(agent.id, 'start');
  await clock.advance(5_001);
  await manager.tick();
  await manager.settle();
  expect(driver.calls.filter((call) => call.op === 'start').at(-1)).toMatchObject({ outcome: 'aborted' });
  expect((await manager.get(agent.id)).status).toBe('failed');
  await manager.close();
});

it('recipe: a removal whose event was lost is found by reconcile', async () => {
  const driver = createMemoryDriver();
  const manager = createLifecycleManager({ driver });
  manager.start();
  const agent = await manager.create({ name: 'ghosty' });
  await manager.settle();
  driver.dropEvents(1);
  driver.remove(agent.id);
  await manager.settle();
  expect((await manager.get(agent.id)).ghost).toBe(false);
  const report = await manager.reconcile();
  expect(report.ghosts).toEqual([agent.id]);
  expect((await manager.get(agent.id)).ghost).toBe(true);
  await manager.close();
});
