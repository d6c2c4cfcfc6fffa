/**
 * Abort: an operation whose signal is already aborted rejects or leaves no trace.
 *
 * @module
 */
import { expect } from 'vitest';
import { defineArea } from '../_internal/area.js';
import { settle } from '../_internal/checks.js';

/** The abort area. */
export const abortArea = defineArea('abort', null, {
  'an aborted provision rejects or leaves no resource': async ({ driver, kit }) => {
    const target = kit.target();
    const controller = new AbortController();
    controller.abort();
    const outcome = await settle(
      driver.provision(target, { ...kit.op('provision'), signal: controller.signal }),
    );
    const { state } = await driver.inspect(target.agentId);
    expect(
      !outcome.ok || state === 'missing',
      `an aborted provision resolved and left the agent '${state}'`,
    ).toBe(true);
    if (!outcome.ok)
      expect(outcome.error, 'an aborted operation rejects with an Error').toBeInstanceOf(Error);
  },

  'an aborted start rejects or leaves the agent stopped': async ({ driver, kit }) => {
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    await driver.stop(target, kit.op('stop'));
    const controller = new AbortController();
    controller.abort();
    const outcome = await settle(driver.start(target, { ...kit.op('start'), signal: controller.signal }));
    const { state } = await driver.inspect(target.agentId);
    expect(
      !outcome.ok || state === 'stopped',
      `an aborted start resolved and left the agent '${state}'`,
    ).toBe(true);
  },
});
