/**
 * List: every resource the driver made, by agent id, with its state; destroyed agents gone.
 *
 * @module
 */
import { expect } from 'vitest';
import { defineArea } from '../_internal/area.js';
import { expectState } from '../_internal/checks.js';

/** The list area (needs the `list` capability). */
export const listArea = defineArea('list', 'list', {
  'list shows every agent it made, with its state': async ({ driver, kit }) => {
    const running = kit.target();
    const stopped = kit.target();
    await driver.provision(running, kit.op('provision'));
    await driver.provision(stopped, kit.op('provision'));
    await driver.stop(stopped, kit.op('stop'));
    const runningNow = await expectState(driver, running.agentId, 'running');
    const stoppedNow = await expectState(driver, stopped.agentId, 'stopped');
    const listed = await driver.list!();
    const byAgent = (agentId: string) => listed.filter((entry) => entry.agentId === agentId);
    expect(byAgent(running.agentId)).toEqual([
      expect.objectContaining({ state: 'running', resourceId: runningNow.resourceId }),
    ]);
    expect(byAgent(stopped.agentId)).toEqual([
      expect.objectContaining({ state: 'stopped', resourceId: stoppedNow.resourceId }),
    ]);
  },

  'list leaves out a destroyed agent': async ({ driver, kit }) => {
    const gone = kit.target();
    const kept = kit.target();
    await driver.provision(gone, kit.op('provision'));
    await driver.provision(kept, kit.op('provision'));
    await driver.destroy(gone, kit.op('destroy'));
    const agentIds = (await driver.list!()).map((entry) => entry.agentId);
    expect(agentIds).not.toContain(gone.agentId);
    expect(agentIds).toContain(kept.agentId);
  },
});
