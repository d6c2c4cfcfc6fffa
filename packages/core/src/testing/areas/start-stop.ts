/**
 * Start and stop: both idempotent by outcome (stopping a stopped agent and starting a running one
 * succeed), and any sequence of them ends where the last one says.
 *
 * @module
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { defineArea } from '../_internal/area.js';
import { expectState, resourceIdOf } from '../_internal/checks.js';

/** Fixed seed of the property test (fast-check prints it, with the failing path, on failure). */
export const START_STOP_SEED = 20_250_601;

/** The start/stop area. */
export const startStopArea = defineArea('start and stop', null, {
  'stop leaves the agent stopped, and stopping again succeeds': async ({ driver, kit }) => {
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    const before = resourceIdOf(await expectState(driver, target.agentId, 'running'));
    const result = await driver.stop(target, kit.op('stop'));
    const stopped = await expectState(driver, target.agentId, 'stopped', result);
    expect(stopped.resourceId, 'stop keeps the resource').toBe(before);
    await driver.stop(target, kit.op('stop'));
    await expectState(driver, target.agentId, 'stopped');
  },

  'start runs a stopped agent, and starting a running one succeeds': async ({ driver, kit }) => {
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    await driver.stop(target, kit.op('stop'));
    const result = await driver.start(target, kit.op('start'));
    await expectState(driver, target.agentId, 'running', result);
    await driver.start(target, kit.op('start'));
    await expectState(driver, target.agentId, 'running');
  },

  'any sequence of start and stop ends where the last one says': async ({ driver, kit }) => {
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('start', 'stop'), { minLength: 1, maxLength: 4 }),
        async (ops) => {
          for (const op of ops) {
            if (op === 'start') await driver.start(target, kit.op('start'));
            else await driver.stop(target, kit.op('stop'));
            const { state } = await driver.inspect(target.agentId);
            expect(state, `after ${op} (sequence ${ops.join(', ')})`).toBe(
              op === 'start' ? 'running' : 'stopped',
            );
          }
        },
      ),
      { seed: START_STOP_SEED, numRuns: 6 },
    );
  },
});
