/**
 * Recreate: a clean-slate rebuild on a new resource with rotated credentials; once per operation id.
 *
 * @module
 */
import { expect } from 'vitest';
import type { DriverTarget } from '../../driver.js';
import { defineArea, uniqueId } from '../_internal/area.js';
import { expectState, expectWellFormedResult, resourceIdOf } from '../_internal/checks.js';

/** The same agent with new credentials, as the manager hands it to recreate. */
function rotated(target: DriverTarget): DriverTarget {
  return { ...target, credentials: { agentId: target.agentId, agentToken: `tok_kit_${uniqueId()}` } };
}

/** The recreate area (needs the `recreate` capability). */
export const recreateArea = defineArea('recreate', 'recreate', {
  'recreate builds a new resource': async ({ driver, kit }) => {
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    const before = resourceIdOf(await expectState(driver, target.agentId, 'running'));
    const result = await driver.recreate!(rotated(target), kit.op('recreate'));
    expectWellFormedResult(result);
    const after = resourceIdOf(await expectState(driver, target.agentId, 'running', result));
    expect(after, 'recreate is a clean slate: a new resource').not.toBe(before);
  },

  'recreate of a stopped agent runs it': async ({ driver, kit }) => {
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    await driver.stop(target, kit.op('stop'));
    const result = await driver.recreate!(rotated(target), kit.op('recreate'));
    await expectState(driver, target.agentId, 'running', result);
  },

  'recreate repeated with the same operation id builds once': async ({ driver, kit }) => {
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    const next = rotated(target);
    const ctx = kit.op('recreate');
    await driver.recreate!(next, ctx);
    const first = resourceIdOf(await expectState(driver, target.agentId, 'running'));
    await driver.recreate!(next, kit.op('recreate', ctx.operationId));
    const second = resourceIdOf(await expectState(driver, target.agentId, 'running'));
    expect(second, 'the repeat must not rebuild').toBe(first);
  },
});
