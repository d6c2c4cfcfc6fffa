/**
 * `@berth/core/testing`: the driver conformance kit ({@link testDriver}) and the store
 * conformance kit ({@link testStore}). Every driver and store package runs its kit unchanged;
 * a driver or store is done when it passes. It needs `vitest` (and `fast-check`), which are optional peer
 * dependencies of `@berth/core`: install them in the package whose tests import this module.
 *
 * The suite is split by lifecycle area, one describe block each, each with its own driver:
 * provision, start and stop, restart, redeploy, recreate, destroy, inspect, abort, capacity,
 * watch, list, backup, restore, endpoints. An optional capability the driver does not declare skips its area with the
 * reason `driver <name> does not declare <capability>`: a capability gap is data, never a
 * silent pass. Every agent the kit provisions is destroyed in `afterAll`, even on failure.
 *
 * @example
 * ```ts
 * // test/conformance.test.ts of a driver package
 * import { testDriver } from '@berth/core/testing';
 * import { createMyDriver } from '../src/index.js';
 *
 * testDriver({
 *   name: 'my-driver',
 *   image: 'berth/agent:test',
 *   createDriver: () => createMyDriver({ endpoint: 'http://127.0.0.1:7000' }),
 *   skip: [{ reason: 'the platform has no in-place restart', tests: ['restart'] }],
 * });
 * ```
 *
 * @module
 */
import { describe } from 'vitest';
import { checkSkipNames, registerAdditional, registerArea } from './_internal/area.js';
import { abortArea } from './areas/abort.js';
import { backupArea, restoreArea } from './areas/backup.js';
import { capacityArea } from './areas/capacity.js';
import { destroyArea } from './areas/destroy.js';
import { endpointsArea } from './areas/endpoints.js';
import { inspectArea } from './areas/inspect.js';
import { listArea } from './areas/list.js';
import { provisionArea } from './areas/provision.js';
import { recreateArea } from './areas/recreate.js';
import { redeployArea } from './areas/redeploy.js';
import { restartArea } from './areas/restart.js';
import { startStopArea } from './areas/start-stop.js';
import { watchArea } from './areas/watch.js';
import type { DriverTestOptions } from './types.js';

export type { DriverKit, DriverTestOptions, DriverTestSkip } from './types.js';
export { type StoreTestOptions, testStore } from './store-kit/index.js';

/** Every area, in the order they run. */
const AREAS = [
  provisionArea,
  startStopArea,
  restartArea,
  redeployArea,
  recreateArea,
  destroyArea,
  inspectArea,
  abortArea,
  capacityArea,
  watchArea,
  listArea,
  backupArea,
  restoreArea,
  endpointsArea,
];

/**
 * Register the driver conformance suite with vitest (`describe`/`it`/`expect` from `vitest`).
 * Call it at the top level of a test file.
 *
 * @param options - How to build the driver, the image its agents run, and written-down capability gaps.
 * @throws Error when `options.skip` names a test or area that does not exist, or gives no reason.
 * @example
 * ```ts
 * import { testDriver } from '@berth/core/testing';
 * import { createMemoryDriver } from '@berth/driver-memory';
 *
 * testDriver({ name: 'memory', image: 'berth/agent:test', createDriver: () => createMemoryDriver() });
 * ```
 */
export function testDriver(options: DriverTestOptions): void {
  checkSkipNames(options, AREAS);
  describe(`driver conformance: ${options.name}`, () => {
    for (const area of AREAS) registerArea(area, options);
    if (options.additionalTests) registerAdditional(options, options.additionalTests);
  });
}
