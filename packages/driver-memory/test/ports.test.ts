/**
 * The memory driver's simulated ports: every new resource gets the lowest port no resource
 * holds, a destroyed agent's port is free again — checked against the obvious model (scan up
 * from the first port) over random sequences of builds and removals.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { createPortPool, FIRST_PORT, givePort, takePort } from '../src/_internal/ports.js';

const SEED = 20261207;

test('property: takePort hands out the lowest port nobody holds', () => {
  const step = fc.oneof(
    fc.constant({ take: true as const }),
    fc.nat({ max: 200 }).map((i) => ({ give: i })),
  );
  fc.assert(
    fc.property(fc.array(step, { maxLength: 300 }), (steps) => {
      const pool = createPortPool();
      const held: number[] = [];
      for (const s of steps) {
        if ('take' in s) {
          let lowest = FIRST_PORT;
          while (held.includes(lowest)) lowest++;
          const port = takePort(pool);
          expect(port).toBe(lowest);
          held.push(port);
        } else if (held.length > 0) {
          const [port] = held.splice(s.give % held.length, 1);
          givePort(pool, port!);
        }
      }
    }),
    { seed: SEED, numRuns: 1_000 },
  );
});
