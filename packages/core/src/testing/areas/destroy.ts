/**
 * Destroy: nothing left behind, destroying something missing succeeds, and a later provision
 * starts from scratch.
 *
 * @module
 */
import { expect } from 'vitest';
import { defineArea } from '../_internal/area.js';
import { expectState, resourceIdOf } from '../_internal/checks.js';

/** The destroy area. */
export const destroyArea = defineArea('destroy', null, {
  'destroy leaves the agent missing': async ({ driver, kit }) => {
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    await driver.destroy(target, kit.op('destroy'));
    await expectState(driver, target.agentId, 'missing');
    if (driver.list) {
      const left = (await driver.list()).filter((entry) => entry.agentId === target.agentId);
      expect(left, 'list() must not show a destroyed agent').toEqual([]);
    }
  },

  'destroy of a stopped agent leaves it missing': async ({ driver, kit }) => {
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    await driver.stop(target, kit.op('stop'));
    await driver.destroy(target, kit.op('destroy'));
    await expectState(driver, target.agentId, 'missing');
  },

  'destroying a missing agent succeeds': async ({ driver, kit }) => {
    const never = kit.target();
    await driver.destroy(never, kit.op('destroy'));
    await expectState(driver, never.agentId, 'missing');
    const twice = kit.target();
    await driver.provision(twice, kit.op('provision'));
    await driver.destroy(twice, kit.op('destroy'));
    await driver.destroy(twice, kit.op('destroy'));
    await expectState(driver, twice.agentId, 'missing');
  },

  'provision after destroy starts from a new resource': async ({ driver, kit }) => {
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    const before = resourceIdOf(await expectState(driver, target.agentId, 'running'));
    await driver.destroy(target, kit.op('destroy'));
    const result = await driver.provision(target, kit.op('provision'));
    const after = resourceIdOf(await expectState(driver, target.agentId, 'running', result));
    expect(after, 'destroy keeps nothing: the next provision builds anew').not.toBe(before);
  },
});
