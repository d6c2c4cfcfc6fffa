/**
 * The curated main entry: the chart's engine room and the guards' building blocks are on
 * `@berth/core/internal` (not public API), not on `@berth/core`; the schemas are at
 * `@berth/core/schemas` (and re-exported by the main entry, the same objects).
 */
import * as core from '@berth/core';
import * as internal from '@berth/core/internal';
import * as schemas from '@berth/core/schemas';
import { expect, test } from 'vitest';

const INTERNALS = [
  'decide',
  'explain',
  'allowedActions',
  'availableActions',
  'compiledChart',
  'allTransitions',
  'STATE_KEYS',
  'INITIAL_STATE',
  'EVENT_TYPES',
  'configurationOf',
  'statusOfState',
  'DATA_GUARDS',
  'STATE_GUARDS',
  'PERMISSIVE_ENV',
  'isStateGuard',
];

test('guard and chart internals are off the main entry and on @berth/core/internal', () => {
  for (const name of INTERNALS) {
    expect(Object.keys(core), name).not.toContain(name);
    expect(Object.keys(internal), name).toContain(name);
  }
});

test('the public surface keeps the manager, the machine, the contract and the guard explanations', () => {
  for (const name of [
    'createLifecycleManager',
    'lifecycleMachine',
    'lifecycleContract',
    'GUARD_EXPLANATIONS',
    'ERROR_CODES',
    'createMemoryStore',
    'verifyAuditChain',
    'linkAuditEntries',
  ])
    expect(Object.keys(core), name).toContain(name);
});

test('schemas: @berth/core/schemas holds them, the main entry re-exports the same objects', () => {
  expect(schemas.CreateAgentBodySchema).toBe(core.CreateAgentBodySchema);
  expect(schemas.AGENT_NAME_PATTERN).toBe(core.AGENT_NAME_PATTERN);
  expect(schemas.parseInput).toBe(core.parseInput);
});
