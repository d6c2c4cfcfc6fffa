/**
 * Types of the in-memory driver: its options, what it records, and its fault-injection surface.
 *
 * @module
 */
import type {
  BackupContext,
  DriverBackupRef,
  DriverBackupResult,
  Clock,
  DriverEvent,
  Endpoint,
  DriverInspection,
  DriverOperation,
  DriverResult,
  DriverTarget,
  LifecycleDriver,
  OperationContext,
} from '@berth/core';

/** Every call the memory driver answers: the seven lifecycle operations, `inspect` and `list`. */
export type MemoryOperation = DriverOperation | 'backup' | 'restore' | 'inspect' | 'list';

/** Options of `createMemoryDriver`. */
export interface MemoryDriverOptions {
  /**
   * Simulated latency in milliseconds, measured on `clock`. A number applies to the seven
   * lifecycle operations (provision, start, stop, restart, redeploy, recreate, destroy) and not
   * to `inspect`/`list`; an object sets each operation on its own, `inspect` and `list` included.
   * @default 0 (instant: no timer at all)
   */
  readonly latency?: number | Readonly<Partial<Record<MemoryOperation, number>>>;
  /**
   * How many agents the driver hosts at once (resources that exist, whatever their state:
   * a stopped agent keeps its room, destroy frees it). Beyond it, provision throws
   * `DriverError(NO_CAPACITY)`.
   * @default Infinity
   */
  readonly capacity?: number;
  /**
   * The time source latency runs on. Pass the manager's `ManualClock` (or any `Clock`) in tests
   * so simulated latency never sleeps.
   * @default real timers (`Date.now`, `setTimeout`)
   */
  readonly clock?: Clock;
  /**
   * How many entries the call log (`calls`) keeps; the oldest go first. Keeps long benchmarks
   * from growing without bound.
   * @default 10_000
   */
  readonly maxCalls?: number;
}

/** What the memory driver holds for one agent: its "container". */
export interface MemoryResource {
  readonly agentId: string;
  /** The driver's handle (`mem_1`, `mem_2`, …); new on provision, redeploy and recreate. */
  readonly resourceId: string;
  readonly owner: string;
  readonly name: string;
  /** The workspace the resource mounts (kept by everything but destroy). */
  readonly workspaceId: string;
  readonly state: 'running' | 'stopped' | 'exited';
  /** `null` until `setHealth` says otherwise; every (re)start resets it. */
  readonly health: 'healthy' | 'unhealthy' | null;
  /** Set by `crash` (or 0 by a graceful stop); `null` while running. */
  readonly exitCode: number | null;
  /** The image (or release) of the revision the resource runs. */
  readonly image: string;
  /** What `image` "resolved" to: a stable fake digest, `sha256:<hex of the image name>`. */
  readonly resolvedImage: string;
  readonly revisionId: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** The credentials the resource was given at provision (replaced by recreate). */
  readonly credentials: DriverTarget['credentials'];
  /** The account secrets injected by the last provision, start, restart, redeploy or recreate. */
  readonly secrets: Readonly<Record<string, string>>;
  /**
   * The environment the agent process would see: string entries of `revision.config.env`, then
   * the secrets, then `BERTH_AGENT_ID`, `BERTH_AGENT_TOKEN`, `BERTH_AGENT_USERNAME` and
   * `BERTH_AGENT_PASSWORD` from the credentials.
   */
  readonly env: Readonly<Record<string, string>>;
  /** The simulated port it is served on (`endpoints`): kept by redeploy and recreate, freed by destroy. */
  readonly port: number;
  /** The operation that built this resource. */
  readonly operationId: string;
  /** When it was built (by the driver's clock). */
  readonly createdAt: number;
}

/** A workspace (think: a named volume). */
export interface MemoryWorkspace {
  readonly id: string;
  readonly agentId: string;
  readonly createdAt: number;
}

/** One entry of the call log. */
export interface MemoryCall {
  /** 1, 2, 3, … in call order. */
  readonly seq: number;
  readonly op: MemoryOperation;
  /** `null` for `list`. */
  readonly agentId: string | null;
  /** `null` for `inspect` and `list`. */
  readonly operationId: string | null;
  /** When the call arrived (by the driver's clock). */
  readonly at: number;
  /** `pending` while in flight (or hung). */
  readonly outcome: 'pending' | 'succeeded' | 'failed' | 'aborted';
  /** Answered from the idempotency memory (same operation id as an earlier call): nothing was done again. */
  readonly replayed: boolean;
}

/** The in-memory driver: every lifecycle method, plus fault injection and introspection for tests. */
export interface MemoryDriver extends LifecycleDriver {
  readonly name: 'memory';
  restart(target: DriverTarget, ctx: OperationContext): Promise<DriverResult | undefined>;
  redeploy(target: DriverTarget, ctx: OperationContext): Promise<DriverResult | undefined>;
  recreate(target: DriverTarget, ctx: OperationContext): Promise<DriverResult | undefined>;
  list(): Promise<DriverInspection[]>;
  watch(listener: (event: DriverEvent) => void): () => void;
  /** Copy the agent's workspace files into an archive kept under the backup id (`location`: `memory:<id>`). */
  backup(target: DriverTarget, ctx: BackupContext): Promise<DriverBackupResult>;
  /** Fill the target's workspace with an archive's files; `DriverError('BACKUP_MISSING')` when it is gone. */
  restore(target: DriverTarget, ctx: BackupContext): Promise<DriverResult | undefined>;
  /** Drop an archive. */
  deleteBackup(backup: DriverBackupRef): Promise<void>;
  /**
   * Simulated endpoints: `[{ name: 'http', url: 'http://127.0.0.1:<port>/' }]` while the agent has
   * a resource, a port of its own from 41000 up (nothing listens there); empty once destroyed,
   * and the port is free again.
   */
  endpoints(agentId: string): Promise<readonly Endpoint[]>;
  /** Cancel in-flight (slow or hung) calls with an AbortError and drop every listener. State stays inspectable. */
  dispose(): Promise<void>;

  // --- fault injection ---

  /**
   * Make the next call of `op` fail (after its latency) with `error`. Calls queue: two
   * `failNext('start')` fail the next two starts. Nothing changes when an injected failure fires.
   * @param error - @default `DriverError('INJECTED_FAILURE', …)`
   */
  failNext(op: MemoryOperation, error?: Error): void;
  /** Make the next call of `op` hang: it never settles until its signal aborts (then it rejects with an AbortError). */
  hangNext(op: MemoryOperation): void;
  /**
   * Out of band: the agent's process dies. The resource goes `exited` with `exitCode` and a
   * `{ type: 'exited' }` watch event is emitted. Throws when the agent has no resource.
   * @param exitCode - @default 1
   */
  crash(agentId: string, exitCode?: number, options?: { readonly oom?: boolean }): void;
  /**
   * Out of band: someone removed the resource (`docker rm`). The workspace stays, the room is
   * freed and a `{ type: 'removed' }` watch event is emitted. Throws when the agent has no resource.
   */
  remove(agentId: string): void;
  /** Out of band: the health check changed. Emits a `{ type: 'health' }` watch event. Throws when the agent has no resource. */
  setHealth(agentId: string, health: 'healthy' | 'unhealthy'): void;
  /** Lose the next `n` watch events (they are never delivered). */
  dropEvents(n: number): void;
  /** Deliver each of the next `n` watch events twice. */
  duplicateEvents(n: number): void;
  /** Change the capacity. Raising it tells `onCapacityAvailable` listeners there is room. */
  setCapacity(n: number): void;
  /**
   * Be told when room frees up (destroy, out-of-band remove, a raised capacity) and at least one
   * agent fits. Returns an unsubscribe function.
   */
  onCapacityAvailable(listener: (free: number) => void): () => void;

  // --- restarts ---

  /**
   * Put back the resources a previous process of the driver hosted, as a host that rebooted
   * shows them: a resource that was running runs again (as under a restart policy), a stopped
   * one stays stopped. Agents the driver hosts already, and resources beyond the capacity, are
   * skipped. Emits no watch event. Credentials are not restored (their plaintext died with the
   * old process): the resource has none until a recreate issues new ones.
   * @returns How many resources were put back.
   */
  rehydrate(prior: readonly PriorResource[]): number;
  /**
   * Rehydrate on demand: before an operation (or `inspect`) meets an agent the driver does not
   * host, ask `lookup` what it had and put that back first. A restarted program can answer at
   * once and rehydrate everything later (`rehydrate`), and several processes each simulating
   * their own resources can work on each other's agents. `null` turns it off.
   */
  rehydrateOnDemand(lookup: PriorLookup | null): void;

  // --- introspection ---

  /** Every resource that exists now (copies). */
  resources(): MemoryResource[];
  /** Every workspace that exists now (copies). */
  workspaces(): MemoryWorkspace[];
  /** Every call so far, oldest first (copies; at most `maxCalls` of them, the latest). */
  readonly calls: readonly MemoryCall[];
  /** How many resources the driver has built for the agent over its life (provision, redeploy, recreate); 0 if none. */
  resourceCount(agentId: string): number;
  /** Write a file into the agent's workspace (what a running agent would do). Throws when it has no resource. */
  writeFile(agentId: string, path: string, content: string): void;
  /** The files of the agent's workspace (path → text); empty when it has none. */
  files(agentId: string): Record<string, string>;
  /** The backup ids the driver holds an archive for. */
  archives(): string[];
}

/** A resource a previous process of the memory driver hosted (see `MemoryDriver.rehydrate`). */
export interface PriorResource {
  readonly agentId: string;
  readonly owner: string;
  readonly name: string;
  readonly workspaceId: string;
  /** The revision it ran. */
  readonly revision: {
    readonly id: string;
    readonly image: string;
    readonly config: Readonly<Record<string, unknown>>;
  };
  /** `running` comes back running; `stopped` stays stopped. */
  readonly state: 'running' | 'stopped';
}

/** Answers what resource an agent had before (or null: none), for `MemoryDriver.rehydrateOnDemand`. */
export type PriorLookup = (agentId: string) => Promise<PriorResource | null> | PriorResource | null;
