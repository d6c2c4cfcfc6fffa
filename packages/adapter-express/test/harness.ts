/**
 * Test harness of the Express-only tests (golden traces, OpenAPI, the name rule, concurrency):
 * the shared harness of packages/core/test/http-cases on the Express binding, mounted at
 * `/api` of a real listening server, with the router options of `createBerthRouter` as they
 * are (an Express `authenticate(req)` included). Operators authenticate with
 * `Authorization: Bearer op:<owner>`.
 */
import type { LifecycleManagerOptions } from '@berth/core';
import type { MemoryDriverOptions } from '@berth/driver-memory';
import {
  type Harness,
  startBindingHarness,
  testAuthenticate as byHeader,
} from '../../core/test/http-cases/harness.js';
import type { BerthRouterOptions } from '../src/index.js';
import { expressBinding } from './binding.js';

export {
  type CallInit,
  type CallResult,
  type Harness,
  isProblem,
  runningAgent,
} from '../../core/test/http-cases/harness.js';

export interface HarnessOptions {
  readonly manual?: boolean;
  readonly router?: BerthRouterOptions;
  readonly driver?: MemoryDriverOptions;
  readonly manager?: Partial<LifecycleManagerOptions>;
}

export function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const { router, ...rest } = options;
  return startBindingHarness(expressBinding, { ...rest, router: { native: router ?? {} } });
}
