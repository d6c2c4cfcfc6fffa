/**
 * The context every stage of the manager is given: the store, driver, clock and policies it
 * runs with, the event emitter, and the little state one manager process keeps (operations it
 * launched and is running, plaintext credentials it still has to hand a driver, background work).
 * Stages that need another stage's work reach it through the two hooks the wiring sets.
 *
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import type { ActionAvailability } from '../chart.js';
import { type Clock, systemClock } from '../clock.js';
import type { AgentCredentials } from '../credentials.js';
import { type DriverCapabilities, driverCapabilities, type LifecycleDriver } from '../driver.js';
import type { GuardEnv } from '../guards.js';
import type {
  AgentView,
  DispatchOptions,
  LifecycleEvents,
  LifecycleManagerOptions,
} from '../manager-types.js';
import type { AgentRecord, GuardVerdict, OperationRef } from '../record.js';
import type { Endpoint } from '../spec-types.js';
import type { LifecycleStore } from '../store.js';
import { createMemoryStore } from '../stores/memory-store.js';
import type { Action, LifecycleEventType } from '../vocabulary.js';
import { type GuardEnvs, guardEnvs, type ResolvedPolicies, resolvePolicies } from './policies.js';

/** A driver call this manager is running. */
export interface InFlight {
  readonly agentId: string;
  readonly controller: AbortController;
  readonly promise: Promise<void>;
}

/** What a transaction is asked to do. */
export interface TransactInput {
  readonly type: LifecycleEventType;
  readonly actor: string;
  readonly reason?: string | undefined;
  readonly confirm?: string | undefined;
  readonly operationId?: string | undefined;
  readonly errorCode?: string | undefined;
  readonly owner?: string | undefined;
  readonly expectedVersion?: number | undefined;
  readonly metadata?: Record<string, unknown> | undefined;
  /** Dispatch options that shape the plan (revision, image, config). */
  readonly options?: DispatchOptions | undefined;
  /** The system is restarting a degraded agent on its own. */
  readonly recoveryAttempt?: boolean | undefined;
  readonly resolvedImage?: string | undefined;
  /** Where the driver serves the agent after the operation (drivers with `endpoints`). */
  readonly endpoints?: readonly Endpoint[] | undefined;
  readonly ghost?: boolean | undefined;
  /** Write refusals to the audit trail (default true). */
  readonly recordDenial?: boolean | undefined;
  /** An operator's action: check the embedder's preconditions of the action (default false). */
  readonly checkPreconditions?: boolean | undefined;
  /** Verdicts beyond the chart's guards (the preconditions'), recorded with the transition. */
  readonly verdicts?: readonly GuardVerdict[] | undefined;
  /**
   * An outcome's fencing epoch (leased operations): when the record's operation has another
   * epoch — another instance took it over — the outcome is refused, unrecorded.
   */
  readonly epoch?: number | undefined;
}

/** A view kept for reuse, with the record it shows. */
export interface CachedView {
  readonly record: AgentRecord;
  readonly view: AgentView;
}

/** How many agents' latest views one generation of a manager's view cache keeps (see `views`). */
export const VIEW_CACHE_SIZE = 1024;

/** Cached availability of the actions, per guard environment and configuration. */
export type AvailabilityCache = Map<
  GuardEnv,
  Map<string, { actions: ActionAvailability[]; allowed: Action[] }>
>;

/** The context of one manager. */
export interface ManagerContext {
  readonly store: LifecycleStore;
  readonly driver: LifecycleDriver | null;
  readonly clock: Clock;
  readonly policies: ResolvedPolicies;
  readonly defaultOwner: string;
  readonly defaultImage: string;
  readonly secrets: LifecycleManagerOptions['secrets'];
  /** The embedder's preconditions per action, and its release catalog. */
  readonly preconditions: LifecycleManagerOptions['preconditions'];
  readonly resolveRelease: LifecycleManagerOptions['resolveRelease'];
  readonly events: EventEmitter<LifecycleEvents>;
  readonly caps: DriverCapabilities | null;
  readonly driverName: string;
  readonly envs: GuardEnvs;
  /** Driver calls running now, by operation id. */
  readonly inflight: Map<string, InFlight>;
  /** Operation ids launched and not yet finished (never launched twice). */
  readonly launched: Set<string>;
  /** Plaintext credentials of operations not yet handed to the driver, by operation id. */
  readonly issuedCredentials: Map<string, AgentCredentials>;
  /** Background work `settle()` and `close()` wait for. */
  readonly background: Set<Promise<unknown>>;
  readonly availability: AvailabilityCache;
  /**
   * The last views built, by agent id, with the record each shows (records are immutable: a
   * change is a new record). Only views that depend on nothing but their record are kept, in
   * two generations of up to {@link VIEW_CACHE_SIZE} each: when the newer fills, it becomes the
   * older and the older is let go — memory stays bounded, and nothing is ever scanned.
   */
  readonly views: { recent: Map<string, CachedView>; older: Map<string, CachedView> };
  /** Bounds on what one agent or owner may make the store hold. */
  readonly limits: { readonly maxCommandsPerAgent: number; readonly maxIdempotencyKeysPerOwner: number };
  /** Mutable state of the manager's own lifecycle. */
  readonly state: {
    closed: boolean;
    nudging: boolean;
    stopSweeper: (() => void) | null;
    unwatch: (() => void) | null;
    /** Wake the running sweeper by `dueAt` (set while it runs): a commit made something due. */
    wake: ((dueAt: number | null) => void) | null;
    /** When the sweeper next purges expired registration tokens and idempotency records. */
    nextExpiryPurgeAt: number;
  };
  /** Start the driver call of a committed operation (set by the wiring). */
  launch(r: AgentRecord, op: OperationRef): void;
  /** Let the waitlist try now: room may have freed up (set by the wiring). */
  nudgeWaitlist(): void;
}

/** Build a manager's context from its options; the hooks are wired by the caller. */
export function createContext(
  options: LifecycleManagerOptions,
  hooks: (ctx: ManagerContext) => Pick<ManagerContext, 'launch' | 'nudgeWaitlist'>,
): ManagerContext {
  const driver = options.driver ?? null;
  const policies = resolvePolicies(options.policies ?? {});
  const caps = driver ? driverCapabilities(driver) : null;
  const driverName = driver?.name ?? 'none';
  const ctx: Omit<ManagerContext, 'launch' | 'nudgeWaitlist'> = {
    store: options.store ?? createMemoryStore(),
    driver,
    clock: options.clock ?? systemClock,
    policies,
    defaultOwner: options.defaultOwner ?? 'default',
    defaultImage: options.defaultImage ?? 'berth/agent:latest',
    secrets: options.secrets,
    preconditions: options.preconditions,
    resolveRelease: options.resolveRelease,
    events: new EventEmitter<LifecycleEvents>(),
    caps,
    driverName,
    envs: guardEnvs(policies, caps, driverName),
    inflight: new Map(),
    launched: new Set(),
    issuedCredentials: new Map(),
    background: new Set(),
    availability: new Map(),
    views: { recent: new Map(), older: new Map() },
    limits: {
      maxCommandsPerAgent: options.maxCommandsPerAgent ?? 1000,
      maxIdempotencyKeysPerOwner: options.maxIdempotencyKeysPerOwner ?? 10_000,
    },
    state: {
      closed: false,
      nudging: false,
      stopSweeper: null,
      unwatch: null,
      wake: null,
      nextExpiryPurgeAt: Number.NEGATIVE_INFINITY,
    },
  };
  const full = ctx as ManagerContext;
  Object.assign(full, hooks(full));
  return full;
}

/** Keep a background promise until it settles (`settle()` and `close()` wait for it). */
export function track<T>(ctx: ManagerContext, promise: Promise<T>): Promise<T> {
  ctx.background.add(promise);
  promise.finally(() => ctx.background.delete(promise)).catch(() => {});
  return promise;
}
