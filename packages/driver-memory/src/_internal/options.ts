/**
 * Checking the memory driver's options: a bad value is a `ValidationError` naming the field.
 *
 * @module
 */
import { type FieldIssue, ValidationError } from '@berth/core';
import type { MemoryDriverOptions, MemoryOperation } from '../types.js';

/** The seven lifecycle operations a plain-number latency applies to. */
const LIFECYCLE_OPS = ['provision', 'start', 'stop', 'restart', 'redeploy', 'recreate', 'destroy'] as const;

/** Every operation the driver answers. */
export const MEMORY_OPERATIONS: readonly MemoryOperation[] = [
  ...LIFECYCLE_OPS,
  'backup',
  'restore',
  'inspect',
  'list',
];

/** How many calls the log keeps by default. */
export const DEFAULT_MAX_CALLS = 10_000;

/** Latency per operation, resolved from the option. */
export type LatencyTable = Readonly<Record<MemoryOperation, number>>;

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** A capacity is a whole number ≥ 0, or Infinity. */
export function isCapacity(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && (Number.isInteger(value) || value === Infinity);
}

/** Validate the options and resolve the latency table. */
export function resolveOptions(options: MemoryDriverOptions): {
  latency: LatencyTable;
  capacity: number;
  maxCalls: number;
} {
  const issues: FieldIssue[] = [];
  const latency = Object.fromEntries(MEMORY_OPERATIONS.map((op) => [op, 0])) as Record<
    MemoryOperation,
    number
  >;
  const given: unknown = options.latency;
  if (typeof given === 'number') {
    if (isDuration(given)) for (const op of LIFECYCLE_OPS) latency[op] = given;
    else issues.push({ path: 'latency', message: 'must be a finite number of milliseconds ≥ 0' });
  } else if (given !== undefined) {
    if (typeof given !== 'object' || given === null) {
      issues.push({ path: 'latency', message: 'must be a number or an object of operation → milliseconds' });
    } else {
      for (const [op, ms] of Object.entries(given)) {
        if (!(MEMORY_OPERATIONS as readonly string[]).includes(op)) {
          issues.push({
            path: `latency.${op}`,
            message: `unknown operation (one of ${MEMORY_OPERATIONS.join(', ')})`,
          });
        } else if (ms !== undefined && !isDuration(ms)) {
          issues.push({ path: `latency.${op}`, message: 'must be a finite number of milliseconds ≥ 0' });
        } else if (ms !== undefined) {
          latency[op as MemoryOperation] = ms;
        }
      }
    }
  }
  const capacity = options.capacity ?? Infinity;
  if (!isCapacity(capacity)) {
    issues.push({ path: 'capacity', message: 'must be a whole number ≥ 0 (or Infinity)' });
  }
  const maxCalls = options.maxCalls ?? DEFAULT_MAX_CALLS;
  if (!isCapacity(maxCalls)) {
    issues.push({ path: 'maxCalls', message: 'must be a whole number ≥ 0 (or Infinity)' });
  }
  if (issues.length > 0) {
    throw new ValidationError(
      `invalid memory driver options: ${issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}`,
      issues,
    );
  }
  return { latency, capacity, maxCalls };
}
