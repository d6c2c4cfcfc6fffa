/**
 * Restart: in place, on the same resource (same workspace and credentials).
 *
 * @module
 */
import { expect } from 'vitest';
import { defineArea } from '../_internal/area.js';
import { expectState, expectWellFormedResult, resourceIdOf } from '../_internal/checks.js';

/** The restart area (needs the `restart` capability). */
export const restartArea = defineArea('restart', 'restart', {
  'restart leaves the agent running on the same resource': async ({ driver, kit }) => {
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    const before = resourceIdOf(await expectState(driver, target.agentId, 'running'));
    const result = await driver.restart!(target, kit.op('restart'));
    expectWellFormedResult(result);
    const after = await expectState(driver, target.agentId, 'running', result);
    expect(after.resourceId, 'restart is in place: the resource stays').toBe(before);
  },

  'restart of a stopped agent runs it': async ({ driver, kit }) => {
    // The statechart allows restart from every settled status, stopped included.
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    await driver.stop(target, kit.op('stop'));
    const result = await driver.restart!(target, kit.op('restart'));
    await expectState(driver, target.agentId, 'running', result);
  },

  'restart repeated with the same operation id succeeds': async ({ driver, kit }) => {
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    const ctx = kit.op('restart');
    await driver.restart!(target, ctx);
    await driver.restart!(target, kit.op('restart', ctx.operationId));
    await expectState(driver, target.agentId, 'running');
  },
});
