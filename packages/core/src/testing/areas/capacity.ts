/**
 * Capacity: a full driver refuses with `NO_CAPACITY` (the manager waitlists the agent), and
 * destroy makes room.
 *
 * @module
 */
import { expect } from 'vitest';
import { NO_CAPACITY } from '../../errors.js';
import { type AreaEnv, defineArea } from '../_internal/area.js';
import { expectState, settle } from '../_internal/checks.js';

async function driverWithRoomForOne(env: AreaEnv) {
  const build = env.options.createDriverWithCapacity!;
  return env.adopt(await build(1));
}

/** The capacity area (needs the `createDriverWithCapacity` option). */
export const capacityArea = defineArea('capacity', 'capacity', {
  'provision beyond capacity throws NO_CAPACITY': async (env) => {
    const driver = await driverWithRoomForOne(env);
    const first = env.kit.target();
    const second = env.kit.target();
    await driver.provision(first, env.kit.op('provision'));
    const outcome = await settle(driver.provision(second, env.kit.op('provision')));
    expect(outcome.ok, 'a second agent must not fit in a driver with room for one').toBe(false);
    if (!outcome.ok) {
      // Matched by shape, not class: the driver may bundle its own copy of @berth/core.
      expect(outcome.error).toMatchObject({ code: 'DRIVER_ERROR', driverCode: NO_CAPACITY });
    }
    await expectState(driver, second.agentId, 'missing');
    await expectState(driver, first.agentId, 'running');
  },

  'destroy makes room for the next agent': async (env) => {
    const driver = await driverWithRoomForOne(env);
    const first = env.kit.target();
    const second = env.kit.target();
    await driver.provision(first, env.kit.op('provision'));
    await driver.destroy(first, env.kit.op('destroy'));
    const result = await driver.provision(second, env.kit.op('provision'));
    await expectState(driver, second.agentId, 'running', result);
  },
});
