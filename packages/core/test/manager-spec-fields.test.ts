/**
 * Spec fields (Alfe: "recreate … to change size"; AgentStead: "choose runtime and region"):
 * `runtime`, `region` and `size` are on the resource as created, `recreate` may take a new
 * `size`, and an action given a field it does not take is refused naming it, changing nothing.
 */
import { type ACTIONS, ValidationError } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { errorOf, setup } from './scenario-harness.js';

describe('spec fields', () => {
  it('runtime, region and size are shown as created (null when not given)', async () => {
    const { manager, settle } = setup();
    const a = await manager.create({ name: 'spec-a', runtime: 'node', region: 'eu-west', size: 'small' });
    const b = await manager.create({ name: 'spec-b' });
    await settle();
    expect(await manager.get(a.id)).toMatchObject({ runtime: 'node', region: 'eu-west', size: 'small' });
    expect(await manager.get(b.id)).toMatchObject({ runtime: null, region: null, size: null });
  });

  it('recreate takes a new size: the driver builds at it, the resource shows it', async () => {
    const { manager, running, targets, settle } = setup();
    const a = await running('spec-c');
    await manager.dispatch(a.id, 'recreate', { confirm: 'spec-c', size: 'large' });
    await settle();
    const after = await manager.get(a.id);
    expect(after).toMatchObject({ status: 'running', size: 'large' });
    expect(targets.filter((t) => t.op === 'recreate').map((t) => t.target.spec.size)).toEqual(['large']);
    // A later restart runs at the new size too.
    await manager.dispatch(a.id, 'restart');
    await settle();
    expect(targets.at(-1)).toMatchObject({ op: 'restart', target: { spec: { size: 'large' } } });
  });

  it('an action given a field it does not take is refused naming it, and nothing changes', async () => {
    const { manager, running, driver } = setup();
    const a = await running('spec-d');
    const calls = driver.calls.length;
    const cases: [(typeof ACTIONS)[number], Record<string, string>][] = [
      ['restart', { size: 'large' }],
      ['stop', { revision: 'rev_1' }],
      ['pause', { image: 'x:1', reason: 'r' }],
      ['recreate', { confirm: 'spec-d', release: 'v2' }],
      ['rollback', { revision: 'rev_1', size: 'xl' }],
      ['update', { size: 'xl' }],
    ];
    for (const [action, opts] of cases) {
      const error = await errorOf(manager.dispatch(a.id, action, opts));
      const field =
        Object.keys(opts).find((k) => k !== 'reason' && k !== 'confirm' && k !== 'revision') ?? 'revision';
      expect(error, `${action} ${field}`).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).errors, `${action} ${field}`).toContainEqual({
        path: field,
        message: expect.stringContaining(`${action} does not take ${field}`),
      });
    }
    const after = await manager.get(a.id);
    expect([after.status, after.version, after.size]).toEqual(['running', a.version, null]);
    expect(driver.calls.length).toBe(calls);
  });
});

describe('endpoints (AgentStead: "sets up routing"; destroy "releases the public URL")', () => {
  it('the driver’s endpoints show on the agent, stay across stop/start, and destroy releases them', async () => {
    const { manager, running, settle } = setup();
    const a = await running('ep-a');
    const b = await running('ep-b');
    expect(a.endpoints).toEqual([
      { name: 'http', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/) },
    ]);
    expect(b.endpoints[0]!.url).not.toBe(a.endpoints[0]!.url);
    await manager.dispatch(a.id, 'stop');
    await settle();
    expect((await manager.get(a.id)).endpoints).toEqual(a.endpoints);
    await manager.dispatch(a.id, 'start');
    await settle();
    expect((await manager.get(a.id)).endpoints).toEqual(a.endpoints);

    await manager.dispatch(a.id, 'destroy', { confirm: 'ep-a' });
    await settle();
    expect((await manager.get(a.id)).endpoints).toEqual([]);
    // The released URL serves the next agent.
    const c = await running('ep-c');
    expect(c.endpoints).toEqual(a.endpoints);
  });
});
