/**
 * Small assertions the conformance areas share.
 *
 * @module
 */
import { expect } from 'vitest';
import type { DriverInspection, DriverResult, LifecycleDriver } from '../../driver.js';

/** The outcome of a promise, without throwing. */
export type Settled<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown };

/** Wait for a promise and report how it went. */
export async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Inspect an agent and check its state (and, when the operation reported one, its resource id). */
export async function expectState(
  driver: LifecycleDriver,
  agentId: string,
  state: DriverInspection['state'],
  result?: DriverResult | undefined,
): Promise<DriverInspection> {
  const inspection = await driver.inspect(agentId);
  expect(inspection.agentId, 'inspect() must echo the agent id').toBe(agentId);
  expect(inspection.state, `inspect(${agentId}).state`).toBe(state);
  if (state === 'missing') {
    expect(inspection.resourceId, 'a missing agent has no resource id').toBeNull();
  } else {
    expect(inspection.resourceId, 'an existing resource has an id').toEqual(expect.any(String));
  }
  if (result?.resourceId !== undefined) {
    expect(inspection.resourceId, 'the resource id an operation reports is the one inspect() shows').toBe(
      result.resourceId,
    );
  }
  return inspection;
}

/** The resource id of a running or stopped agent (fails when it has none). */
export function resourceIdOf(inspection: DriverInspection): string {
  expect(inspection.resourceId).toEqual(expect.any(String));
  return inspection.resourceId as string;
}

/** The result of an operation is `undefined` or an object whose fields, when present, are strings. */
export function expectWellFormedResult(result: DriverResult | undefined): void {
  if (result === undefined) return;
  expect(typeof result, 'a driver result is an object or undefined').toBe('object');
  if (result.resourceId !== undefined) expect(result.resourceId).toEqual(expect.any(String));
  if (result.resolvedImage !== undefined) {
    expect(result.resolvedImage, 'resolvedImage, when reported, names something').toMatch(/\S/);
  }
}
