/**
 * Inspect: `missing` for an unknown agent; otherwise the agent id, and the labels the driver
 * records (creating operation, owner) are the right ones.
 *
 * @module
 */
import { expect } from 'vitest';
import { defineArea } from '../_internal/area.js';
import { expectState } from '../_internal/checks.js';

const HEALTH = ['healthy', 'unhealthy', 'starting', null];

/** The inspect area. */
export const inspectArea = defineArea('inspect', null, {
  'inspect of an unknown agent says missing': async ({ driver, kit }) => {
    const { agentId } = kit.target();
    const inspection = await expectState(driver, agentId, 'missing');
    expect(inspection.operationId).toBeNull();
  },

  'inspect reports the agent, its creating operation and its owner': async ({ driver, kit }) => {
    const target = kit.target();
    const ctx = kit.op('provision');
    await driver.provision(target, ctx);
    const inspection = await expectState(driver, target.agentId, 'running');
    expect([null, ctx.operationId], 'operationId is null or the provisioning operation').toContain(
      inspection.operationId,
    );
    expect([null, target.owner], 'owner is null or the target owner').toContain(inspection.owner);
    expect(inspection.exitCode, 'a running agent has no exit code').toBeNull();
    expect(HEALTH).toContain(inspection.health);
  },
});
