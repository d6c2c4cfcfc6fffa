/**
 * Reconciliation: comparing the store with what the driver really has. Ghosts (the store says
 * an agent exists, the driver has nothing), resources that exited unseen, and orphans (the
 * driver has something the store does not know, or something left behind by a deleted agent).
 */
import type { DriverTarget } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { setup } from './scenario-harness.js';

/** Build a resource behind the manager's back (a leftover, or another control plane's agent). */
async function leak(driver: ReturnType<typeof setup>['driver'], agentId: string): Promise<void> {
  const target: DriverTarget = {
    agentId,
    owner: 'acme',
    name: agentId,
    workspaceId: `ws_${agentId}`,
    spec: { image: 'berth/agent:latest', config: {} },
    revision: { id: 'rev_leak', image: 'berth/agent:latest', config: {} },
    credentials: null,
    secrets: {},
  };
  await driver.provision(target, {
    operationId: `leak-${agentId}`,
    operation: 'provision',
    signal: new AbortController().signal,
  });
}

describe('reconcile', () => {
  it('marks a ghost when the resource vanished and the event was lost; recreate rebuilds it', async () => {
    const { manager, driver, running, settle } = setup();
    const a = await running('alpha');
    driver.dropEvents(1);
    driver.remove(a.id);
    await settle();
    expect((await manager.get(a.id)).status).toBe('running');

    const report = await manager.reconcile();
    expect(report).toEqual({ ghosts: [a.id], orphansRemoved: [], orphansAdopted: [] });
    const ghost = await manager.get(a.id);
    expect(ghost).toMatchObject({ status: 'degraded', ghost: true });
    const entry = (await manager.audit(a.id)).at(-1)!;
    expect(entry).toMatchObject({ actor: 'reconciler', action: 'health_degraded', to: 'degraded' });
    // A second pass finds nothing new.
    expect((await manager.reconcile()).ghosts).toEqual([]);

    await manager.dispatch(a.id, 'recreate', { confirm: 'alpha' });
    await settle();
    expect(await manager.get(a.id)).toMatchObject({ status: 'running', ghost: false });
    expect(driver.resources().map((r) => r.agentId)).toEqual([a.id]);
  });

  it('notices a resource that exited unseen', async () => {
    const { manager, driver, running } = setup();
    const a = await running('alpha');
    driver.dropEvents(1);
    driver.crash(a.id, 137);
    const report = await manager.reconcile();
    expect(report.ghosts).toEqual([]);
    expect(await manager.get(a.id)).toMatchObject({ status: 'degraded', ghost: false });
    expect((await manager.audit(a.id)).at(-1)?.reason).toContain('137');
  });

  it('leaves pending, waitlisted and busy agents alone', async () => {
    const { manager, driver, running, settle } = setup({ capacity: 1, latency: { restart: 1_000 } });
    const a = await running('alpha');
    const waiting = await manager.create({ name: 'waiting', owner: 'acme' });
    await settle();
    expect((await manager.get(waiting.id)).status).toBe('waitlisted');
    await manager.dispatch(a.id, 'restart');
    const report = await manager.reconcile();
    expect(report).toEqual({ ghosts: [], orphansRemoved: [], orphansAdopted: [] });
    expect((await manager.get(waiting.id)).status).toBe('waitlisted');
    expect((await manager.get(a.id)).status).toBe('restarting');
    expect(driver.resources()).toHaveLength(1);
  });

  it('removes orphans by default, ignores or adopts them on request', async () => {
    const { manager, driver } = setup();
    await leak(driver, 'agt_orphan1');
    expect(await manager.reconcile({ orphans: 'ignore' })).toEqual({
      ghosts: [],
      orphansRemoved: [],
      orphansAdopted: [],
    });
    expect(driver.resources()).toHaveLength(1);

    expect((await manager.reconcile()).orphansRemoved).toEqual(['agt_orphan1']);
    expect(driver.resources()).toEqual([]);

    await leak(driver, 'agt_orphan2');
    expect((await manager.reconcile({ orphans: 'adopt' })).orphansAdopted).toEqual(['agt_orphan2']);
    const adopted = await manager.get('agt_orphan2');
    expect(adopted).toMatchObject({ status: 'running', owner: 'acme', kind: 'managed' });
    expect((await manager.audit('agt_orphan2')).map((e) => [e.action, e.actor])).toEqual([
      ['adopt', 'reconciler'],
    ]);
    expect(driver.resources()).toHaveLength(1);
  });

  it('removes what a deleted agent left behind, even when adopting (deleted is final)', async () => {
    const { manager, driver, running, settle } = setup();
    const a = await running('alpha');
    await manager.dispatch(a.id, 'destroy', { confirm: 'alpha' });
    await settle();
    await leak(driver, a.id);

    const report = await manager.reconcile({ orphans: 'adopt' });
    expect(report).toEqual({ ghosts: [], orphansRemoved: [a.id], orphansAdopted: [] });
    expect(driver.resources()).toEqual([]);
    expect((await manager.get(a.id)).status).toBe('deleted');
  });
});
