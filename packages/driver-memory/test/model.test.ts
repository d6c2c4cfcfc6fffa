// Model-based: random sequences of lifecycle calls and out-of-band faults over three agents and a
// capacity of two, checked step by step against a tiny model.
import type { DriverOperation, DriverTarget } from '@berth/core';
import { NO_CAPACITY } from '@berth/core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createMemoryDriver, type MemoryDriver, RESOURCE_MISSING } from '../src/index.js';

const SEED = 424_242;
const CAPACITY = 2;
const AGENTS = ['agt_a', 'agt_b', 'agt_c'] as const;

type State = 'running' | 'stopped' | 'exited';
interface Model {
  readonly resources: Map<string, State>;
  readonly workspaces: Set<string>;
}
interface Real {
  readonly driver: MemoryDriver;
}

const targetOf = (agentId: string): DriverTarget => ({
  agentId,
  owner: 'alice',
  name: agentId,
  workspaceId: `ws_${agentId}`,
  spec: { image: 'berth/agent:1', config: {} },
  revision: { id: `rev_${agentId}`, image: 'berth/agent:1', config: {} },
  credentials: { agentId, agentToken: `tok_${agentId}` },
  secrets: {},
});

let opSeq = 0;
const ctx = (operation: DriverOperation) => ({
  operation,
  operationId: `op_${++opSeq}`,
  signal: new AbortController().signal,
});

async function outcome(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'ok',
    (error: { driverCode?: string }) => error.driverCode ?? 'error',
  );
}

/** After every step: inspect, resources() and workspaces() agree with the model. */
async function compare(model: Model, { driver }: Real): Promise<void> {
  for (const agentId of AGENTS) {
    expect((await driver.inspect(agentId)).state, agentId).toBe(model.resources.get(agentId) ?? 'missing');
  }
  expect(driver.resources().length).toBe(model.resources.size);
  expect(driver.resources().length).toBeLessThanOrEqual(CAPACITY);
  expect(new Set(driver.workspaces().map((w) => w.id))).toEqual(model.workspaces);
}

class Lifecycle implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly op: 'provision' | 'start' | 'stop' | 'destroy',
    readonly agentId: string,
  ) {}
  check() {
    return true;
  }
  async run(model: Model, real: Real) {
    const has = model.resources.has(this.agentId);
    const got = await outcome(real.driver[this.op](targetOf(this.agentId), ctx(this.op)));
    let expected = 'ok';
    if (this.op === 'provision') {
      if (!has && model.resources.size >= CAPACITY) expected = NO_CAPACITY;
      else {
        model.resources.set(this.agentId, 'running');
        model.workspaces.add(`ws_${this.agentId}`);
      }
    } else if (this.op === 'destroy') {
      model.resources.delete(this.agentId);
      model.workspaces.delete(`ws_${this.agentId}`);
    } else if (!has) {
      expected = RESOURCE_MISSING;
    } else {
      model.resources.set(this.agentId, this.op === 'start' ? 'running' : 'stopped');
    }
    expect(got, this.toString()).toBe(expected);
    await compare(model, real);
  }
  toString() {
    return `${this.op}(${this.agentId})`;
  }
}

class OutOfBand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly fault: 'crash' | 'remove',
    readonly agentId: string,
  ) {}
  check(model: Readonly<Model>) {
    return model.resources.has(this.agentId);
  }
  async run(model: Model, real: Real) {
    if (this.fault === 'crash') {
      real.driver.crash(this.agentId, 3);
      model.resources.set(this.agentId, 'exited');
    } else {
      real.driver.remove(this.agentId); // the workspace stays
      model.resources.delete(this.agentId);
    }
    await compare(model, real);
  }
  toString() {
    return `${this.fault}(${this.agentId})`;
  }
}

it('any sequence of calls and faults keeps the driver equal to the model, within capacity', async () => {
  const agent = fc.constantFrom(...AGENTS);
  const commands = fc.commands(
    [
      fc
        .tuple(
          fc.constantFrom('provision', 'start', 'stop', 'destroy') as fc.Arbitrary<Lifecycle['op']>,
          agent,
        )
        .map(([op, id]) => new Lifecycle(op, id)),
      fc
        .tuple(fc.constantFrom('crash', 'remove') as fc.Arbitrary<OutOfBand['fault']>, agent)
        .map(([fault, id]) => new OutOfBand(fault, id)),
    ],
    { maxCommands: 30 },
  );
  await fc.assert(
    fc.asyncProperty(commands, (cmds) =>
      fc.asyncModelRun(
        () => ({
          model: { resources: new Map<string, State>(), workspaces: new Set<string>() },
          real: { driver: createMemoryDriver({ capacity: CAPACITY }) },
        }),
        cmds,
      ),
    ),
    { seed: SEED, numRuns: 200 },
  );
});
