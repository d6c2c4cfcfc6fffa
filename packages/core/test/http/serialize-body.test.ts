/**
 * `serializeBody` is `JSON.stringify`, byte for byte: for real agent views and action results
 * (their frozen `actions` arrays served from its cache, also after the view changes) and for
 * any JSON-ish value fast-check makes (undefined, functions, dates, nested arrays, frozen or not).
 */
import { createLifecycleManager } from '@berth/core';
import { serializeBody } from '@berth/core/http';
import { createMemoryDriver } from '@berth/driver-memory';
import fc from 'fast-check';
import { expect, test } from 'vitest';

const SEED = 20261207;

test('agent views and action results serialise exactly as JSON.stringify does', async () => {
  const manager = createLifecycleManager({ driver: createMemoryDriver({ latency: 0 }) });
  const agent = await manager.create({ name: 'json-view', config: { a: [1, { b: null }] } });
  const running = await manager.waitFor(agent.id, 'running', { timeout: 5_000 });
  const paused = await manager.dispatch(agent.id, 'pause', { reason: 'r' });
  const resumed = await manager.dispatch(agent.id, 'resume', {});
  const bodies = [running, paused, { agent: resumed.agent }, { agents: [running, resumed.agent] }, []];
  for (let round = 0; round < 2; round++)
    for (const body of bodies) expect(serializeBody(body)).toBe(JSON.stringify(body));
  expect(Object.isFrozen(running.actions)).toBe(true); // the cached path is the one exercised
  await manager.close();
});

test('property: any value serialises exactly as JSON.stringify does', () => {
  const value = fc.oneof(
    fc.anything({ maxDepth: 4, withDate: true, withNullPrototype: false, withObjectString: true }),
    fc
      .dictionary(fc.string(), fc.anything({ maxDepth: 3 }))
      .map((o) => ({ agent: o, x: Object.freeze([o]) })),
    fc
      .array(fc.jsonValue({ maxDepth: 2 }))
      .map((a) => Object.freeze({ list: Object.freeze(a.map((v) => Object.freeze({ v }))) })),
  );
  fc.assert(
    fc.property(value, (v) => {
      let expected: string | undefined;
      try {
        expected = JSON.stringify(v);
      } catch {
        return; // BigInt and friends: JSON.stringify throws, so does serializeBody
      }
      expect(serializeBody(v)).toBe(expected);
    }),
    { seed: SEED, numRuns: 2_000 },
  );
});
