/**
 * Provision: create the runtime and start it, once per operation id.
 *
 * @module
 */
import { expect } from 'vitest';
import { defineArea } from '../_internal/area.js';
import { expectState, expectWellFormedResult, resourceIdOf } from '../_internal/checks.js';

/** The provision area. */
export const provisionArea = defineArea('provision', null, {
  'provision runs the agent': async ({ driver, kit }) => {
    const target = kit.target();
    const result = await driver.provision(target, kit.op('provision'));
    expectWellFormedResult(result);
    await expectState(driver, target.agentId, 'running', result);
  },

  'provision repeated with the same operation id finds the first resource': async ({ driver, kit }) => {
    const target = kit.target();
    const first = kit.op('provision');
    const result1 = await driver.provision(target, first);
    const resource1 = resourceIdOf(await expectState(driver, target.agentId, 'running', result1));
    // A retried or resumed operation carries the same id: it must not build a second resource.
    const result2 = await driver.provision(target, kit.op('provision', first.operationId));
    const resource2 = resourceIdOf(await expectState(driver, target.agentId, 'running', result2));
    expect(resource2, 'the repeat must find the resource the first call made').toBe(resource1);
    if (driver.list) {
      const mine = (await driver.list()).filter((entry) => entry.agentId === target.agentId);
      expect(mine, 'exactly one resource for the agent').toHaveLength(1);
    }
  },

  'two agents get two resources': async ({ driver, kit }) => {
    const a = kit.target();
    const b = kit.target();
    const resultA = await driver.provision(a, kit.op('provision'));
    const resultB = await driver.provision(b, kit.op('provision'));
    const resourceA = resourceIdOf(await expectState(driver, a.agentId, 'running', resultA));
    const resourceB = resourceIdOf(await expectState(driver, b.agentId, 'running', resultB));
    expect(resourceA).not.toBe(resourceB);
  },
});
