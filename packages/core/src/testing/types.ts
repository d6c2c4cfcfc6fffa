/**
 * The options of the driver conformance kit and the handle it gives driver-specific tests.
 *
 * @module
 */
import type { DriverTarget, LifecycleDriver, OperationContext } from '../driver.js';
import type { DriverOperation } from '../record.js';

/** A capability gap, written down: the named tests are skipped and show `reason`. */
export interface DriverTestSkip {
  /** Why the driver cannot pass these tests (shown by the reporter next to each skipped test). */
  readonly reason: string;
  /**
   * Test titles (`'restart leaves the agent running on the same resource'`), area titles
   * (`'restart'`) or both joined by `' > '` (`'restart > restart leaves …'`). A name that matches
   * no conformance test makes `testDriver` throw, so a typo never hides a test.
   */
  readonly tests: readonly string[];
}

/** Options of `testDriver`. */
export interface DriverTestOptions {
  /** Shown in describe() titles. */
  name: string;
  /**
   * A fresh driver for each test file run (called once per describe block: every lifecycle area
   * gets its own driver, so a broken area cannot poison the next one).
   */
  createDriver: () => LifecycleDriver | Promise<LifecycleDriver>;
  /**
   * Tear down (called after all tests of a block, even on failure). Should remove everything the
   * tests created. The kit has already destroyed every agent it provisioned by then.
   * @default calls `driver.dispose()` when the driver has one
   */
  disposeDriver?: (driver: LifecycleDriver) => Promise<void>;
  /** Image (or release) the test agents run. */
  image: string;
  /** Per-test timeout in ms (real engines are slower). @default 30_000 */
  timeoutMs?: number;
  /** Capability gaps: skips that are data, each with the reason. */
  skip?: ReadonlyArray<DriverTestSkip>;
  /**
   * Driver-specific tests, registered inside the same describe block (in a nested
   * `driver-specific` block with its own driver, which `kit.driver()` returns). Agents made with
   * `kit.target()` there are destroyed afterwards like the kit's own.
   */
  additionalTests?: (kit: DriverKit) => void;
  /**
   * Driver that has a capacity limit: how to build one with room for exactly N agents. Enables
   * the capacity area (without it, the area is skipped with a reason).
   */
  createDriverWithCapacity?: (capacity: number) => LifecycleDriver | Promise<LifecycleDriver>;
}

/** What driver-specific tests get from the kit. */
export interface DriverKit {
  /** The block's driver. Call it inside a test or hook, not while tests are being registered. */
  driver(): LifecycleDriver;
  /**
   * A unique DriverTarget (fresh agentId/workspaceId, the options' image, fake credentials).
   * Every target handed out is destroyed when its block ends.
   * @param overrides - Fields to replace (shallow).
   */
  target(overrides?: Partial<DriverTarget>): DriverTarget;
  /**
   * A fresh OperationContext (new operation id, live AbortSignal).
   * @param operation - The driver operation the context is for.
   * @param operationId - Reuse an id to test idempotency. @default a new unique id
   */
  op(operation: DriverOperation, operationId?: string): OperationContext;
}
