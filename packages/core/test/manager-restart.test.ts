/**
 * Graceful restarts: `close()` leaves operations in flight recorded (never `op_failed`), and the
 * next manager's `resume()` re-drives them with their SAME operation ids, once. A slow memory
 * driver on a manual clock; the second manager gets a fresh driver, as a restarted process would.
 */
import { createLifecycleManager, createMemoryStore, ManualClock } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import { describe, expect, it } from 'vitest';

describe('close() then resume()', () => {
  it('provisions once, under the same operation id, and records no op_failed', async () => {
    const clock = new ManualClock();
    const store = createMemoryStore();
    const slow = createMemoryDriver({ clock, latency: 5_000 });
    const first = createLifecycleManager({ store, clock, driver: slow });
    const agent = await first.create({ name: 'rolling' });
    const opId = (await first.get(agent.id)).operation!.id;
    await clock.advance(1_000); // mid-provision
    expect(slow.calls.filter((c) => c.op === 'provision')).toHaveLength(1);
    await first.close();

    // Nothing was failed: the operation is still recorded, the agent still provisioning.
    const afterClose = (await store.get(agent.id))!;
    expect(afterClose.status).toBe('provisioning');
    expect(afterClose.operation!.id).toBe(opId);
    expect((await store.audit(agent.id)).filter((e) => e.action === 'op_failed')).toEqual([]);

    const fresh = createMemoryDriver({ clock, latency: 100 });
    const second = createLifecycleManager({ store, clock, driver: fresh });
    expect(await second.resume()).toBe(1);
    // A second resume launches nothing more.
    expect(await second.resume()).toBe(0);
    // Not settle(): each follow-up operation waits on the manual clock.
    for (let i = 0; i < 10; i++) await clock.advance(100);

    expect((await second.get(agent.id)).status).toBe('running');
    const provisions = fresh.calls.filter((c) => c.op === 'provision');
    expect(provisions).toHaveLength(1);
    expect(provisions[0]!.operationId).toBe(opId);
    const trail = await store.audit(agent.id);
    expect(trail.filter((e) => e.action === 'op_failed')).toEqual([]);
    expect(trail.filter((e) => e.action === 'provisioned' && !e.denied)).toHaveLength(1);
    expect((await second.verifyAudit(agent.id)).ok).toBe(true);
    await second.close();
  });

  it('re-drives a stop that close() interrupted, on an engine that outlives the process: stopped, no failure', async () => {
    const clock = new ManualClock();
    const store = createMemoryStore();
    // The engine (think Docker) outlives the Berth process: closing a manager must not dispose it.
    const engine = createMemoryDriver({ clock, latency: 10 });
    const handle = { ...engine, dispose: undefined };
    const first = createLifecycleManager({ store, clock, driver: handle });
    const agent = await first.create({ name: 'stopper' });
    for (let i = 0; i < 10; i++) await clock.advance(10);
    expect((await first.get(agent.id)).status).toBe('running');
    const { operation } = await first.dispatch(agent.id, 'stop');
    await first.close(); // before the 10 ms stop finishes
    expect((await store.get(agent.id))!.status).toBe('stopping');

    const second = createLifecycleManager({ store, clock, driver: handle });
    expect(await second.resume()).toBe(1);
    for (let i = 0; i < 10; i++) await clock.advance(10);
    expect((await second.get(agent.id)).status).toBe('stopped');
    // The interrupted call and its re-drive, both under the one operation id.
    const stops = engine.calls.filter((c) => c.op === 'stop');
    expect(stops.map((c) => c.operationId)).toEqual([operation!.id, operation!.id]);
    expect(engine.resources().find((x) => x.agentId === agent.id)?.state).toBe('stopped');
    expect((await store.audit(agent.id)).filter((e) => e.action === 'op_failed')).toEqual([]);
    await second.close();
  });
});
