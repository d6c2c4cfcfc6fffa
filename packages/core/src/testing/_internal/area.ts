/**
 * The machinery under the conformance kit: an area is a describe block with its own driver,
 * built in `beforeAll` and cleaned up in `afterAll` (every agent the block handed out is
 * destroyed, even when tests failed), and tests that skip with a written reason.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  type DriverCapabilities,
  type DriverTarget,
  driverCapabilities,
  type LifecycleDriver,
  type OperationContext,
} from '../../driver.js';
import type { DriverOperation } from '../../record.js';
import type { DriverKit, DriverTestOptions } from '../types.js';

/** What an area needs: a capability the driver declares, or a capacity-limited build. */
export type Requirement = keyof DriverCapabilities | 'capacity';

/** What each conformance test receives. */
export interface AreaEnv {
  /** The block's driver. */
  readonly driver: LifecycleDriver;
  readonly kit: DriverKit;
  readonly options: DriverTestOptions;
  /** Track a driver built inside a test: the block destroys its agents and disposes it at the end. */
  adopt(driver: LifecycleDriver): LifecycleDriver;
}

/** One conformance test. */
export type AreaTest = (env: AreaEnv) => Promise<void>;

/** One lifecycle area: a title, what it needs, and its tests (title → body, in order). */
export interface AreaDefinition {
  readonly title: string;
  readonly requires: Requirement | null;
  readonly tests: Readonly<Record<string, AreaTest>>;
}

/** Declare an area (titles are known statically, so skips can be checked before anything runs). */
export function defineArea(
  title: string,
  requires: Requirement | null,
  tests: Readonly<Record<string, AreaTest>>,
): AreaDefinition {
  return { title, requires, tests };
}

/** The default per-test timeout. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** A short unique id (hex), safe in container names and labels. */
export function uniqueId(): string {
  return randomUUID().replaceAll('-', '').slice(0, 16);
}

/** A fresh operation context with a live signal. */
export function freshOp(operation: DriverOperation, operationId?: string): OperationContext {
  return {
    operation,
    operationId: operationId ?? `op_kit_${uniqueId()}`,
    signal: new AbortController().signal,
  };
}

/** A block: one driver (plus any adopted ones), every target handed out, and cleanup. */
interface Block {
  readonly kit: DriverKit;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  env(): AreaEnv;
}

function createBlock(options: DriverTestOptions): Block {
  let main: LifecycleDriver | undefined;
  const drivers: LifecycleDriver[] = [];
  const targets: DriverTarget[] = [];

  const kit: DriverKit = {
    driver() {
      if (main === undefined) {
        throw new Error(
          `[berth conformance] kit.driver() of '${options.name}' is only available inside tests and hooks (the driver is built in beforeAll)`,
        );
      }
      return main;
    },
    target(overrides = {}) {
      const id = uniqueId();
      const agentId = overrides.agentId ?? `agt_kit_${id}`;
      const target: DriverTarget = {
        agentId,
        owner: 'berth-conformance',
        name: `kit-${id}`,
        workspaceId: `ws_kit_${id}`,
        spec: { image: options.image, config: {} },
        revision: { id: `rev_kit_${id}`, image: options.image, config: {} },
        credentials: { agentId, agentToken: `tok_kit_${uniqueId()}` },
        secrets: { BERTH_KIT_SECRET: 'conformance' },
        ...overrides,
      };
      targets.push(target);
      return target;
    },
    op: freshOp,
  };

  return {
    kit,
    async setup() {
      main = await options.createDriver();
      drivers.push(main);
    },
    async teardown() {
      const failures: unknown[] = [];
      // Every target on every driver of the block: destroying something missing must succeed,
      // so this is safe, and it catches agents a test left behind on an adopted driver.
      for (const driver of drivers) {
        for (const target of targets) {
          try {
            await driver.destroy(target, freshOp('destroy'));
          } catch (error) {
            failures.push(error);
          }
        }
      }
      for (const driver of drivers) {
        try {
          if (options.disposeDriver) await options.disposeDriver(driver);
          else await driver.dispose?.();
        } catch (error) {
          failures.push(error);
        }
      }
      drivers.length = 0;
      targets.length = 0;
      main = undefined;
      if (failures.length > 0) {
        throw new AggregateError(
          failures,
          `[berth conformance] cleanup of '${options.name}' failed ${failures.length} time(s); agents may be left behind`,
        );
      }
    },
    env() {
      return {
        driver: kit.driver(),
        kit,
        options,
        adopt(driver) {
          drivers.push(driver);
          return driver;
        },
      };
    },
  };
}

/** The reason `options.skip` gives for a test, if any. */
export function optionSkipReason(options: DriverTestOptions, area: string, title: string): string | null {
  const names = new Set([area, title, `${area} > ${title}`]);
  for (const entry of options.skip ?? []) {
    if (entry.tests.some((name) => names.has(name))) return entry.reason;
  }
  return null;
}

/** Why the driver cannot run an area, or null when it can. */
export function requirementGap(
  requires: Requirement | null,
  driver: LifecycleDriver,
  options: DriverTestOptions,
): string | null {
  if (requires === null) return null;
  if (requires === 'capacity') {
    return options.createDriverWithCapacity
      ? null
      : `driver ${driver.name} does not declare capacity (no createDriverWithCapacity option)`;
  }
  return driverCapabilities(driver)[requires] ? null : `driver ${driver.name} does not declare ${requires}`;
}

/** Throw when `options.skip` names something that is not a conformance test or area. */
export function checkSkipNames(options: DriverTestOptions, areas: readonly AreaDefinition[]): void {
  const known = new Set<string>();
  for (const area of areas) {
    known.add(area.title);
    for (const title of Object.keys(area.tests)) {
      known.add(title);
      known.add(`${area.title} > ${title}`);
    }
  }
  const unknown = (options.skip ?? []).flatMap((entry) => entry.tests.filter((name) => !known.has(name)));
  if (unknown.length > 0) {
    throw new Error(
      `[berth conformance] skip names no conformance test or area: ${unknown.map((name) => `'${name}'`).join(', ')}`,
    );
  }
  for (const entry of options.skip ?? []) {
    if (entry.reason.trim() === '') {
      throw new Error(`[berth conformance] a skip of ${entry.tests.join(', ')} has no reason`);
    }
  }
}

/** Register one area as a describe block. */
export function registerArea(area: AreaDefinition, options: DriverTestOptions): void {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const hookTimeoutMs = Math.max(60_000, timeoutMs * 4);
  describe(area.title, () => {
    const block = createBlock(options);
    beforeAll(() => block.setup(), hookTimeoutMs);
    afterAll(() => block.teardown(), hookTimeoutMs);
    for (const [title, body] of Object.entries(area.tests)) {
      const skipped = optionSkipReason(options, area.title, title);
      it(
        title,
        async (context) => {
          if (skipped !== null) context.skip(skipped);
          const env = block.env();
          const gap = requirementGap(area.requires, env.driver, options);
          if (gap !== null) context.skip(gap);
          await body(env);
        },
        timeoutMs,
      );
    }
  });
}

/** Register the driver's own tests in a block of their own. */
export function registerAdditional(options: DriverTestOptions, add: (kit: DriverKit) => void): void {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const hookTimeoutMs = Math.max(60_000, timeoutMs * 4);
  describe('driver-specific', { timeout: timeoutMs }, () => {
    const block = createBlock(options);
    beforeAll(() => block.setup(), hookTimeoutMs);
    afterAll(() => block.teardown(), hookTimeoutMs);
    add(block.kit);
  });
}
