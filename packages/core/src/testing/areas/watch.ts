/**
 * Watch: subscribing returns an unsubscribe function, unsubscribing stops delivery, and events
 * are well formed. Causing an out-of-band change is driver-specific: the driver's own test file
 * checks that one is reported (in `additionalTests`).
 *
 * @module
 */
import { expect } from 'vitest';
import type { DriverEvent, LifecycleDriver } from '../../driver.js';
import { defineArea } from '../_internal/area.js';
import type { DriverKit } from '../types.js';

const EVENT_TYPES = ['exited', 'removed', 'health', 'started'];

/** Run an agent through its basic lifecycle (a driver that reports its own work emits here). */
async function churn(driver: LifecycleDriver, kit: DriverKit): Promise<string> {
  const target = kit.target();
  await driver.provision(target, kit.op('provision'));
  await driver.stop(target, kit.op('stop'));
  await driver.start(target, kit.op('start'));
  await driver.destroy(target, kit.op('destroy'));
  await driver.inspect(target.agentId);
  return target.agentId;
}

/** The watch area (needs the `watch` capability). */
export const watchArea = defineArea('watch', 'watch', {
  'watch returns an unsubscribe function': async ({ driver }) => {
    const unsubscribe = driver.watch!(() => {});
    expect(unsubscribe).toBeTypeOf('function');
    unsubscribe();
    expect(() => unsubscribe(), 'unsubscribing twice is harmless').not.toThrow();
  },

  'an unsubscribed listener receives nothing': async ({ driver, kit }) => {
    const received: DriverEvent[] = [];
    const kept: DriverEvent[] = [];
    const keep = driver.watch!((event) => kept.push(event));
    const unsubscribe = driver.watch!((event) => received.push(event));
    unsubscribe();
    try {
      await churn(driver, kit);
    } finally {
      keep();
    }
    expect(received, 'events delivered after unsubscribe').toEqual([]);
  },

  'events name an agent and a known type': async ({ driver, kit }) => {
    const received: DriverEvent[] = [];
    const unsubscribe = driver.watch!((event) => received.push(event));
    try {
      await churn(driver, kit);
    } finally {
      unsubscribe();
    }
    for (const event of received) {
      expect(EVENT_TYPES).toContain(event.type);
      expect(event.agentId).toEqual(expect.any(String));
    }
  },
});
