/**
 * `@berth/driver-memory`: an in-memory Berth driver with simulated latency, a capacity limit
 * and fault injection — a product for your test suites. It passes Berth's driver conformance
 * kit, and lets a test make the next start fail, hang a provision until it is aborted, crash an
 * agent out of band, lose watch events, and look at what was built with which credentials.
 *
 * @example
 * ```ts
 * import { createLifecycleManager } from '@berth/core';
 * import { createMemoryDriver } from '@berth/driver-memory';
 *
 * const driver = createMemoryDriver({ capacity: 1 });
 * const manager = createLifecycleManager({ driver });
 * ```
 *
 * @module
 */
export {
  BACKUP_MISSING,
  createMemoryDriver,
  DRIVER_NAME,
  INJECTED_FAILURE,
  OPERATION_ID_REUSED,
  RESOURCE_MISSING,
} from './memory-driver.js';
export { REHYDRATED } from './rehydrate.js';
export type {
  MemoryCall,
  MemoryDriver,
  MemoryDriverOptions,
  MemoryOperation,
  MemoryResource,
  MemoryWorkspace,
  PriorLookup,
  PriorResource,
} from './types.js';
