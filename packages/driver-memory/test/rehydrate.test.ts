/**
 * `rehydrate`: a restarted platform puts back what the previous driver process hosted — running
 * resources run again, stopped ones stay stopped — and every operation then works on them.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryDriver, type PriorResource, REHYDRATED } from '../src/index.js';

const prior = (agentId: string, state: PriorResource['state']): PriorResource => ({
  agentId,
  owner: 'acme',
  name: `${agentId}-name`,
  workspaceId: `ws_${agentId}`,
  revision: { id: `rev_${agentId}`, image: 'berth/agent:1', config: { env: { MODE: 'x' } } },
  state,
});

const ctx = (operationId: string, operation: 'start' | 'stop' | 'restart' | 'provision' | 'destroy') => ({
  operationId,
  operation,
  signal: new AbortController().signal,
});

describe('rehydrate', () => {
  it('puts running resources back running and stopped ones stopped, with their workspaces, silently', async () => {
    const driver = createMemoryDriver();
    const events: unknown[] = [];
    driver.watch((e) => events.push(e));
    expect(driver.rehydrate([prior('a', 'running'), prior('b', 'stopped')])).toBe(2);
    const byId = new Map((await driver.list()).map((i) => [i.agentId, i]));
    expect(byId.get('a')).toMatchObject({ state: 'running', owner: 'acme', operationId: REHYDRATED });
    expect(byId.get('b')).toMatchObject({ state: 'stopped', exitCode: 0 });
    const a = driver.resources().find((r) => r.agentId === 'a');
    expect(a).toMatchObject({
      workspaceId: 'ws_a',
      revisionId: 'rev_a',
      image: 'berth/agent:1',
      credentials: null,
    });
    expect(a?.env).toEqual({ MODE: 'x' });
    expect(
      driver
        .workspaces()
        .map((w) => w.id)
        .sort(),
    ).toEqual(['ws_a', 'ws_b']);
    expect(events).toEqual([]);
  });

  it('leaves agents it hosts already alone, and stops at the capacity', async () => {
    const driver = createMemoryDriver({ capacity: 2 });
    driver.rehydrate([prior('a', 'stopped')]);
    expect(driver.rehydrate([prior('a', 'running'), prior('b', 'running'), prior('c', 'running')])).toBe(1);
    expect((await driver.inspect('a')).state).toBe('stopped');
    expect((await driver.inspect('b')).state).toBe('running');
    expect((await driver.inspect('c')).state).toBe('missing');
  });

  it('every operation works on a rehydrated resource', async () => {
    const driver = createMemoryDriver();
    driver.rehydrate([prior('a', 'stopped')]);
    const target = {
      agentId: 'a',
      owner: 'acme',
      name: 'a-name',
      workspaceId: 'ws_a',
      spec: { image: 'berth/agent:1', config: {} },
      revision: { id: 'rev_a', image: 'berth/agent:1', config: {} },
      credentials: null,
      secrets: { API_KEY: 'k' },
    };
    await driver.start(target, ctx('op1', 'start'));
    expect((await driver.inspect('a')).state).toBe('running');
    expect(driver.resources()[0]?.secrets).toEqual({ API_KEY: 'k' });
    await driver.restart(target, ctx('op2', 'restart'));
    await driver.stop(target, ctx('op3', 'stop'));
    expect((await driver.inspect('a')).state).toBe('stopped');
    await driver.destroy(target, ctx('op4', 'destroy'));
    expect((await driver.inspect('a')).state).toBe('missing');
    expect(driver.workspaces()).toEqual([]);
  });

  it('on demand: an operation on an agent the driver does not host asks the lookup first, once', async () => {
    const driver = createMemoryDriver();
    const asked: string[] = [];
    driver.rehydrateOnDemand(async (agentId) => {
      asked.push(agentId);
      return agentId === 'a' ? prior('a', 'stopped') : null;
    });
    const target = {
      agentId: 'a',
      owner: 'acme',
      name: 'a-name',
      workspaceId: 'ws_a',
      spec: { image: 'berth/agent:1', config: {} },
      revision: { id: 'rev_a', image: 'berth/agent:1', config: {} },
      credentials: null,
      secrets: {},
    };
    expect(driver.resources()).toEqual([]);
    await driver.start(target, ctx('s1', 'start'));
    expect((await driver.inspect('a')).state).toBe('running');
    await driver.stop(target, ctx('s2', 'stop'));
    expect(asked).toEqual(['a']);
    expect((await driver.inspect('b')).state).toBe('missing');
    await expect(driver.start({ ...target, agentId: 'b' }, ctx('s3', 'start'))).rejects.toMatchObject({
      driverCode: 'RESOURCE_MISSING',
    });
    expect(asked).toEqual(['a', 'b', 'b']);
    driver.rehydrateOnDemand(null);
    await expect(driver.start({ ...target, agentId: 'c' }, ctx('s4', 'start'))).rejects.toMatchObject({
      driverCode: 'RESOURCE_MISSING',
    });
    expect(asked).toEqual(['a', 'b', 'b']);
  });
});
