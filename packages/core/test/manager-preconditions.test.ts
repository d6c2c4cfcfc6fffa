/**
 * exocorp: "Missing model price book — some actions need an active model price book. The error
 * tells you which." and "Release lookup failed — update or rollback can fail if the target
 * release version isn't resolvable." Named preconditions per action, registered by the embedder,
 * refuse with PRECONDITION_FAILED and their own reason, show as denials in the actions view and
 * are audited like guard verdicts; `resolveRelease` backs `update {release}` and rollback.
 */
import {
  createLifecycleManager,
  createMemoryStore,
  exocorpProfile,
  type Precondition,
  type ReleaseResolver,
  TransitionDeniedError,
} from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import { describe, expect, it } from 'vitest';
import { codeOf, errorOf } from './scenario-harness.js';

function exocorp(options: { priceBooks: Set<string>; catalog: Map<string, string> }) {
  const priceBook: Precondition = {
    name: 'modelPriceBook',
    check: ({ agent }) =>
      options.priceBooks.has(agent.owner)
        ? true
        : {
            reason: 'MODEL_PRICE_BOOK_MISSING',
            detail: `owner ${agent.owner} has no active model price book`,
          },
  };
  const resolveRelease: ReleaseResolver = (release) => {
    const image = options.catalog.get(release);
    return image === undefined ? null : { image, config: { release } };
  };
  const store = createMemoryStore();
  const driver = createMemoryDriver();
  const manager = createLifecycleManager({
    store,
    driver,
    policies: exocorpProfile.policies,
    preconditions: { update: [priceBook], restart: [priceBook] },
    resolveRelease,
  });
  return { manager, driver, store };
}

describe('preconditions', () => {
  it('a failing precondition refuses with PRECONDITION_FAILED and its reason, audited, changing nothing', async () => {
    const priceBooks = new Set<string>(['acme']);
    const { manager, driver } = exocorp({ priceBooks, catalog: new Map([['v2', 'exo/runtime:2']]) });
    const a = await manager.create({ name: 'exo-a', owner: 'acme' });
    await manager.waitFor(a.id, 'running', { timeout: 5000 });
    priceBooks.delete('acme');
    const calls = driver.calls.length;
    const before = await manager.get(a.id);

    const error = await errorOf(manager.dispatch(a.id, 'update', { release: 'v2', actor: 'user:ada' }));
    expect(error).toBeInstanceOf(TransitionDeniedError);
    expect(error).toMatchObject({
      code: 'PRECONDITION_FAILED',
      status: 409,
      message: 'owner acme has no active model price book',
      meta: { reason: 'MODEL_PRICE_BOOK_MISSING', guard: 'precondition:modelPriceBook' },
    });
    const after = await manager.get(a.id);
    expect([after.version, after.status]).toEqual([before.version, 'running']);
    expect(driver.calls.length).toBe(calls);

    const refusal = (await manager.audit(a.id)).at(-1)!;
    expect(refusal).toMatchObject({
      action: 'update',
      actor: 'user:ada',
      denied: true,
      code: 'PRECONDITION_FAILED',
      metadata: { release: 'v2', reason: 'MODEL_PRICE_BOOK_MISSING' },
    });
    expect(refusal.guards).toContainEqual({ guard: 'precondition:modelPriceBook', passed: false });

    // The actions view shows the denial; actions without the precondition stay allowed.
    expect(after.availableActions).not.toContain('update');
    expect(after.availableActions).not.toContain('restart');
    expect(after.availableActions).toContain('stop');
    expect(after.actions.find((x) => x.action === 'update')).toMatchObject({
      allowed: false,
      denial: {
        code: 'PRECONDITION_FAILED',
        reason: 'MODEL_PRICE_BOOK_MISSING',
        guard: 'precondition:modelPriceBook',
      },
    });
    // Why? says so too.
    const why = await manager.explain(a.id);
    expect(why.causes.at(-1)).toMatchObject({
      kind: 'guard',
      detail:
        'update by user:ada refused: PRECONDITION_FAILED MODEL_PRICE_BOOK_MISSING (precondition:modelPriceBook)',
    });

    // Once the world changes, the same action passes; its verdict is audited as passed.
    priceBooks.add('acme');
    expect((await manager.get(a.id)).availableActions).toContain('update');
    await manager.dispatch(a.id, 'update', { release: 'v2', actor: 'user:ada' });
    await manager.waitFor(a.id, 'running', { timeout: 5000 });
    const accepted = (await manager.audit(a.id)).find((e) => e.action === 'update' && !e.denied)!;
    expect(accepted.guards).toContainEqual({ guard: 'precondition:modelPriceBook', passed: true });
    expect(driver.resources()[0]).toMatchObject({ image: 'exo/runtime:2', config: { release: 'v2' } });
    await manager.close();
  });

  it('the chart decides first: an illegal action is ILLEGAL_TRANSITION, not a precondition refusal', async () => {
    const { manager } = exocorp({ priceBooks: new Set(), catalog: new Map() });
    const a = await manager.create({ name: 'exo-b' });
    await manager.waitFor(a.id, 'running', { timeout: 5000 });
    await manager.dispatch(a.id, 'destroy', { confirm: 'exo-b' });
    await manager.waitFor(a.id, 'deleted', { timeout: 5000 });
    expect(await codeOf(manager.dispatch(a.id, 'update', { image: 'exo/runtime:3' }))).toBe(
      'ILLEGAL_TRANSITION',
    );
    expect(await codeOf(manager.dispatch(a.id, 'restart', { confirm: 'exo-b' }))).toBe('ILLEGAL_TRANSITION');
    await manager.close();
  });
});

describe('releases', () => {
  it('update {release} runs what the catalog resolves; an unknown release is RELEASE_NOT_FOUND (422)', async () => {
    const catalog = new Map([
      ['v1', 'exo/runtime:1'],
      ['v2', 'exo/runtime:2'],
    ]);
    const { manager, driver } = exocorp({ priceBooks: new Set(['default']), catalog });
    const a = await manager.create({ name: 'exo-c' });
    await manager.waitFor(a.id, 'running', { timeout: 5000 });
    const before = await manager.get(a.id);
    const missing = await errorOf(manager.dispatch(a.id, 'update', { release: 'v9' }));
    expect(missing).toMatchObject({ code: 'RELEASE_NOT_FOUND', status: 422 });
    expect((await manager.get(a.id)).version).toBe(before.version);
    expect(await codeOf(manager.dispatch(a.id, 'update', { release: 'v1', image: 'x:1' }))).toBe(
      'VALIDATION_FAILED',
    );

    await manager.dispatch(a.id, 'update', { release: 'v1' });
    await manager.waitFor(a.id, 'running', { timeout: 5000 });
    await manager.dispatch(a.id, 'update', { release: 'v2' });
    await manager.waitFor(a.id, 'running', { timeout: 5000 });
    const revisions = await manager.revisions(a.id);
    const v1 = revisions.find((r) => r.release === 'v1')!;
    expect(v1).toMatchObject({ image: 'exo/runtime:1', outcome: 'succeeded' });

    // The catalog withdraws v1: rolling back to it no longer resolves, and changes nothing.
    catalog.delete('v1');
    const current = await manager.get(a.id);
    const rollback = await errorOf(manager.dispatch(a.id, 'rollback', { revision: v1.id, confirm: 'exo-c' }));
    expect(rollback).toMatchObject({ code: 'RELEASE_NOT_FOUND' });
    expect((await manager.get(a.id)).version).toBe(current.version);
    catalog.set('v1', 'exo/runtime:1');
    await manager.dispatch(a.id, 'rollback', { revision: v1.id, confirm: 'exo-c' });
    await manager.waitFor(a.id, 'running', { timeout: 5000 });
    expect(await manager.get(a.id)).toMatchObject({ image: 'exo/runtime:1', status: 'running' });
    expect((await manager.revisions(a.id)).at(-1)).toMatchObject({ action: 'rollback', release: 'v1' });
    expect(driver.resources()).toHaveLength(1);
    await manager.close();
  });

  it('without a catalog, update {release} is RELEASE_NOT_FOUND', async () => {
    const manager = createLifecycleManager({ driver: createMemoryDriver() });
    const a = await manager.create({ name: 'plain' });
    await manager.waitFor(a.id, 'running', { timeout: 5000 });
    expect(await codeOf(manager.dispatch(a.id, 'update', { release: 'v1' }))).toBe('RELEASE_NOT_FOUND');
    await manager.close();
  });
});
