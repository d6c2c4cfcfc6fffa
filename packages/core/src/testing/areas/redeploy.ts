/**
 * Redeploy: rebuild from a new revision, keeping the workspace; once per operation id.
 *
 * @module
 */
import { expect } from 'vitest';
import type { DriverTarget } from '../../driver.js';
import { defineArea, uniqueId } from '../_internal/area.js';
import { expectState, expectWellFormedResult, resourceIdOf } from '../_internal/checks.js';

/** The same agent at a new revision (same image: the kit only knows one that runs). */
function nextRevision(target: DriverTarget): DriverTarget {
  const id = `rev_kit_${uniqueId()}`;
  const config = { berthConformance: `revision ${id}` };
  return {
    ...target,
    spec: { ...target.spec, config },
    revision: { id, image: target.revision.image, config },
  };
}

/** The redeploy area (needs the `redeploy` capability). */
export const redeployArea = defineArea('redeploy', 'redeploy', {
  'redeploy runs the new revision': async ({ driver, kit }) => {
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    const next = nextRevision(target);
    const result = await driver.redeploy!(next, kit.op('redeploy'));
    expectWellFormedResult(result);
    await expectState(driver, target.agentId, 'running', result);
  },

  'redeploy of a stopped agent runs it': async ({ driver, kit }) => {
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    await driver.stop(target, kit.op('stop'));
    const result = await driver.redeploy!(nextRevision(target), kit.op('redeploy'));
    await expectState(driver, target.agentId, 'running', result);
  },

  'redeploy repeated with the same operation id builds once': async ({ driver, kit }) => {
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    const next = nextRevision(target);
    const ctx = kit.op('redeploy');
    await driver.redeploy!(next, ctx);
    const first = resourceIdOf(await expectState(driver, target.agentId, 'running'));
    await driver.redeploy!(next, kit.op('redeploy', ctx.operationId));
    const second = resourceIdOf(await expectState(driver, target.agentId, 'running'));
    expect(second, 'the repeat must not rebuild').toBe(first);
  },
});
