/**
 * Endpoints: where a driver serves an agent — every agent its own valid URL while it has a
 * resource, kept across stop and start, and released by destroy.
 *
 * @module
 */
import { expect } from 'vitest';
import { defineArea } from '../_internal/area.js';

/** Every endpoint a `{ name, url }` with a parseable http(s) URL. */
function expectEndpoints(endpoints: readonly { name: string; url: string }[], label: string): void {
  expect(endpoints.length, `${label}: at least one endpoint`).toBeGreaterThan(0);
  for (const e of endpoints) {
    expect(typeof e.name === 'string' && e.name.length > 0, `${label}: endpoint name`).toBe(true);
    expect(['http:', 'https:'], `${label}: ${e.url}`).toContain(new URL(e.url).protocol);
  }
}

/** The endpoints area (needs the `endpoints` capability). */
export const endpointsArea = defineArea('endpoints', 'endpoints', {
  'a provisioned agent is served at a URL of its own': async ({ driver, kit }) => {
    const a = kit.target();
    const b = kit.target();
    await driver.provision(a, kit.op('provision'));
    await driver.provision(b, kit.op('provision'));
    const ea = await driver.endpoints!(a.agentId);
    const eb = await driver.endpoints!(b.agentId);
    expectEndpoints(ea, 'first agent');
    expectEndpoints(eb, 'second agent');
    const urls = new Set([...ea, ...eb].map((e) => e.url));
    expect(urls.size, 'two agents never share a URL').toBe(ea.length + eb.length);
  },

  'stop and start keep the endpoints': async ({ driver, kit }) => {
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    const before = await driver.endpoints!(target.agentId);
    await driver.stop(target, kit.op('stop'));
    await driver.start(target, kit.op('start'));
    expect(await driver.endpoints!(target.agentId)).toEqual(before);
  },

  'an agent without a resource has none; destroy releases them': async ({ driver, kit }) => {
    const never = kit.target();
    expect(await driver.endpoints!(never.agentId)).toEqual([]);
    const target = kit.target();
    await driver.provision(target, kit.op('provision'));
    expectEndpoints(await driver.endpoints!(target.agentId), 'provisioned');
    await driver.destroy(target, kit.op('destroy'));
    expect(await driver.endpoints!(target.agentId), 'after destroy').toEqual([]);
  },
});
