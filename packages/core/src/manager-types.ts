/**
 * The public shape of the lifecycle manager: what product teams embed and what the HTTP
 * adapter calls.
 *
 * @module
 */
import type { EventEmitter } from 'eventemitter3';
import type { ActionAvailability } from './chart.js';
import type { Clock } from './clock.js';
import type { LifecycleDriver } from './driver.js';
import type { AuditEntry, CommandRecord, DriverOperation, Revision } from './record.js';
import type { LifecycleStore } from './store.js';
import type { Action, AgentKind, LifecycleEventType, Status } from './vocabulary.js';

export type { Clock } from './clock.js';

/** Policies: which actions need a reason or a typed confirmation, quotas, timings. */
export interface LifecyclePolicies {
  /** Actions that need a reason. @default ['pause'] */
  readonly requireReason?: readonly Action[];
  /** Actions that need `confirm` equal to the agent's name. @default ['recreate', 'destroy'] */
  readonly requireConfirm?: readonly Action[];
  /** Slots per owner (stopped agents keep theirs; destroy frees one). @default Infinity */
  readonly slotsPerOwner?: number;
  /** A heartbeat older than this makes a running agent degraded. @default 90_000 */
  readonly heartbeatTimeoutMs?: number;
  /** Deadline of each driver operation. @default 600_000 */
  readonly operationTimeoutMs?: number;
  /** Automatic recovery restarts for a degraded managed agent before it is failed. @default 3 */
  readonly maxRecoveryAttempts?: number;
  /** Backoff base for recovery, waitlist and destroy retries (doubles each attempt). @default 1_000 */
  readonly retryBaseMs?: number;
  /** Backoff ceiling. @default 60_000 */
  readonly retryMaxMs?: number;
  /** How long a deleted agent stays readable before it is purged. @default 7 days */
  readonly deletedGraceMs?: number;
  /** Minimum time between two audited heartbeats of one agent. @default 5 minutes */
  readonly heartbeatAuditIntervalMs?: number;
  /** Default lifetime of a registration token. @default 1 hour */
  readonly registrationTokenTtlMs?: number;
  /**
   * Identical refusals (same actor, action, code, reason, status and version) less than this
   * apart fold into one audit entry whose `metadata.repeats` counts them; `0` records each.
   * @default 1 minute
   */
  readonly refusalFoldMs?: number;
}

/** Hooks for events, typed. */
export interface LifecycleEvents {
  /** An accepted transition (status may be unchanged for targetless events such as a heartbeat). */
  transition: (event: TransitionEvent) => void;
  /** An audit entry was written. */
  audit: (entry: AuditEntry) => void;
  /** A driver operation started, succeeded, failed or was fenced off. */
  operation: (event: OperationEvent) => void;
  /** Something failed in the background (a driver threw unexpectedly, a sweep failed). */
  error: (error: Error) => void;
}

/** Payload of the `transition` event. */
export interface TransitionEvent {
  readonly agentId: string;
  readonly owner: string;
  readonly action: string;
  readonly from: Status;
  readonly to: Status;
  readonly version: number;
  readonly at: number;
  readonly actor: string;
}

/** Payload of the `operation` event. */
export interface OperationEvent {
  readonly agentId: string;
  readonly operationId: string;
  readonly op: DriverOperation;
  readonly phase: 'started' | 'succeeded' | 'failed' | 'fenced';
  readonly error?: { readonly code: string; readonly message: string } | undefined;
}

/** Options of {@link createLifecycleManager}. */
export interface LifecycleManagerOptions {
  /** Where records live. @default an in-memory store */
  readonly store?: LifecycleStore;
  /** Who runs managed agents. Without one, only self-hosted agents can exist. */
  readonly driver?: LifecycleDriver;
  /** Time source. @default the system clock */
  readonly clock?: Clock;
  readonly policies?: LifecyclePolicies;
  /** Account-level secrets for an owner, injected on provision, start, restart, redeploy, recreate. */
  readonly secrets?: (owner: string) => Record<string, string> | Promise<Record<string, string>>;
  /** Default owner when a call names none. @default 'default' */
  readonly defaultOwner?: string;
  /** Default image when `create` names none. @default 'berth/agent:latest' */
  readonly defaultImage?: string;
  /**
   * Pending commands an agent may have queued; one more is refused with `COMMAND_QUEUE_FULL`.
   * @default 1000
   */
  readonly maxCommandsPerAgent?: number;
  /**
   * Idempotency records kept per owner (24 hours each); one more drops that owner's oldest,
   * never another owner's. @default 10000
   */
  readonly maxIdempotencyKeysPerOwner?: number;
}

/** A JSON (or, with `body: undefined`, empty) answer: what idempotency stores and replays. */
export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

/** What an idempotent run answers: a response, marked when it holds a secret shown once. */
export interface IdempotentResponse extends StoredResponse {
  /** The body holds a secret: it is never stored, and a replay answers `SECRET_ALREADY_SHOWN`. */
  readonly secret?: boolean | undefined;
}

/** What {@link LifecycleManager.idempotent} is asked to run once. */
export interface IdempotentCall {
  /** Whose keys these are (`owner:acme`): the unit of the per-owner cap. */
  readonly scope: string;
  /** The caller's key, or undefined (then the work simply runs). */
  readonly key: string | undefined;
  /** Fingerprint of the request: the same key with another fingerprint is `IDEMPOTENCY_KEY_REUSED`. */
  readonly fingerprint: string;
  /** How long the key is remembered. @default 24 hours */
  readonly ttlMs?: number | undefined;
}

/** What `create` takes. */
export interface CreateAgentInput {
  readonly name: string;
  readonly owner?: string | undefined;
  readonly image?: string | undefined;
  readonly runtime?: string | undefined;
  readonly region?: string | undefined;
  readonly size?: string | undefined;
  readonly config?: Readonly<Record<string, unknown>> | undefined;
}

/** Options of {@link LifecycleManager.dispatch}. */
export interface DispatchOptions {
  /** Who acts (`user:alice`, `system`). @default 'system' */
  readonly actor?: string | undefined;
  readonly reason?: string | undefined;
  /** Typed confirmation (the agent's name) for destructive actions. */
  readonly confirm?: string | undefined;
  /** Rollback: the revision to go back to. */
  readonly revision?: string | undefined;
  /** Update: the new image or release. */
  readonly image?: string | undefined;
  /** Update: the new configuration (replaces the current one). */
  readonly config?: Readonly<Record<string, unknown>> | undefined;
  /** Refuse with VERSION_MISMATCH unless the agent is at this version. */
  readonly expectedVersion?: number | undefined;
  /** The same key returns the first result and acts once. */
  readonly idempotencyKey?: string | undefined;
  /** Restrict to agents of this owner (others are "not found"). */
  readonly owner?: string | undefined;
}

/** The agent as callers see it (the HTTP resource of API.md). */
export interface AgentView {
  readonly id: string;
  readonly name: string;
  readonly owner: string;
  readonly kind: AgentKind;
  readonly status: Status;
  /** The full statechart configuration key, e.g. `running+paused`. */
  readonly state: string;
  readonly version: number;
  readonly availableActions: readonly Action[];
  readonly actions: readonly ActionAvailability[];
  readonly workspaceId: string;
  readonly revision: string | null;
  readonly image: string;
  readonly lastHeartbeatAt: string | null;
  readonly operation: {
    readonly id: string;
    readonly action: string;
    readonly op: DriverOperation;
    readonly startedAt: string;
  } | null;
  /** Waitlisted agents: their place in line (1 = next) and the next attempt. */
  readonly waitlist: { readonly position: number; readonly nextAttemptAt: string } | null;
  readonly ghost: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deletedAt: string | null;
  /** When a deleted agent disappears for good. */
  readonly purgeAt: string | null;
}

/** Result of a dispatch. */
export interface DispatchResult {
  readonly agent: AgentView;
  /** The driver operation started, or null for instant actions (pause, resume, disable, enable). */
  readonly operation: { readonly id: string; readonly action: Action } | null;
}

/** What {@link LifecycleManager.verifyAudit} found. */
export interface AuditVerification {
  /** True when every entry's hash is right and each links to the one before. */
  readonly ok: boolean;
  /** How many entries the trail holds. */
  readonly entries: number;
  /** The hash of the last entry (the chain head), or null for an empty trail. */
  readonly head: string | null;
  /** The `seq` of the first entry that does not fit, or null. */
  readonly brokenAt: number | null;
  /** What is wrong with that entry, or null. */
  readonly problem: string | null;
}

/** What one sweep did. */
export interface TickReport {
  readonly timedOut: number;
  readonly stale: number;
  readonly recovered: number;
  readonly waitlistRetries: number;
  readonly destroyRetries: number;
  readonly purged: number;
}

/** The lifecycle manager. */
export interface LifecycleManager {
  /** Typed hooks: `transition`, `audit`, `operation`, `error`. */
  readonly events: EventEmitter<LifecycleEvents>;
  /** The driver's name and capabilities. */
  readonly driverName: string;
  /** Create a managed agent and start provisioning it (throws QUOTA_EXCEEDED when no slot is free). */
  create(input: CreateAgentInput, options?: { actor?: string; idempotencyKey?: string }): Promise<AgentView>;
  /** Ask for an action. Illegal actions throw a typed error and change nothing. */
  dispatch(agentId: string, action: Action, options?: DispatchOptions): Promise<DispatchResult>;
  /** One agent (throws AGENT_NOT_FOUND, also for another owner's agent when `owner` is given). */
  get(agentId: string, options?: { owner?: string }): Promise<AgentView>;
  /** Agents, filtered. */
  list(filter?: { owner?: string; status?: Status }): Promise<AgentView[]>;
  /** Every action with `allowed` or its denial. */
  availableActions(agentId: string, options?: { owner?: string }): Promise<ActionAvailability[]>;
  /** Resolve when the agent has `status` (or the predicate holds); no upper bound on `timeout`. */
  waitFor(
    agentId: string,
    until: Status | ((agent: AgentView) => boolean),
    options?: { timeout?: number; signal?: AbortSignal; owner?: string },
  ): Promise<AgentView>;
  /** Audit entries with `seq > after` (at most `limit` of them; all by default), in order. */
  audit(agentId: string, options?: { after?: number; limit?: number; owner?: string }): Promise<AuditEntry[]>;
  /** Re-check the agent's audit hash chain from its first entry. */
  verifyAudit(agentId: string, options?: { owner?: string }): Promise<AuditVerification>;
  /** Revisions, oldest first. */
  revisions(agentId: string, options?: { owner?: string }): Promise<Revision[]>;

  /** Mint a one-time registration token (returned once; only its digest is stored). */
  createRegistrationToken(options?: {
    owner?: string;
    expiresInSeconds?: number;
  }): Promise<{ token: string; expiresAt: string }>;
  /** Register a self-hosted agent; re-registering a code reuses the agent and revokes older tokens. */
  register(input: {
    registrationToken: string;
    code: string;
    name?: string;
    runtime?: string;
  }): Promise<{ agentId: string; agentToken: string }>;
  /** Check an agent token; throws UNAUTHORIZED, AGENT_DISABLED or AGENT_REVOKED. */
  authenticateAgent(agentId: string, agentToken: string): Promise<AgentView>;
  /** Record a heartbeat (a stale agent comes back to running). */
  heartbeat(agentId: string): Promise<AgentView>;
  /** Queue a command (AGENT_PAUSED while paused). */
  enqueueCommand(
    agentId: string,
    command: { type: string; payload?: unknown },
    options?: { owner?: string },
  ): Promise<CommandRecord>;
  /** Hand out pending commands once each (none while paused). */
  pollCommands(agentId: string, options?: { limit?: number }): Promise<CommandRecord[]>;
  /** Record a command's result. */
  completeCommand(
    agentId: string,
    commandId: string,
    result: { ok: boolean; output?: unknown; error?: { code: string; message: string } },
  ): Promise<CommandRecord>;
  /** Commands of an agent. */
  commands(agentId: string, options?: { owner?: string }): Promise<CommandRecord[]>;

  /**
   * Run `work` at most once per (scope, key) in the manager's store (durable with a durable
   * store): a repeat replays the first response (`replayed: true`), except one that held a
   * secret (`SECRET_ALREADY_SHOWN`). What `@berth/core/http` uses for `Idempotency-Key`.
   */
  idempotent(
    call: IdempotentCall,
    work: () => Promise<IdempotentResponse>,
  ): Promise<StoredResponse & { readonly replayed: boolean }>;

  /** Billing: suspend or resolve an agent (the agent returns to where it was). */
  setBilling(
    agentId: string,
    suspended: boolean,
    options?: { actor?: string; reason?: string },
  ): Promise<AgentView>;
  /** Apply an out-of-band observation (from a driver's watch or a resync). */
  observe(event: import('./driver.js').DriverEvent, options?: { actor?: string }): Promise<void>;
  /** Compare the store with the driver: mark ghosts, remove or adopt orphans. */
  reconcile(options?: { orphans?: 'remove' | 'adopt' | 'ignore' }): Promise<ReconcileReport>;
  /** Run the sweeper once: deadlines, heartbeat staleness, recovery, waitlist, destroy retries, purge. */
  tick(): Promise<TickReport>;
  /** Re-drive operations that were in flight when a previous manager stopped. */
  resume(): Promise<number>;
  /**
   * Start the background sweeper and the driver's watch. The sweeper wakes when the store says
   * something is due (`nextDueAt()`), or sooner when this manager's commits make it due;
   * `intervalMs` caps how long it sleeps (for stores other processes write to).
   */
  start(options?: { intervalMs?: number }): void;
  /** Wait until no driver call started by this manager is still running. */
  settle(): Promise<void>;
  /** Stop the sweeper, abort in-flight driver calls, dispose the driver. */
  close(): Promise<void>;
}

/** What `reconcile` found and did. */
export interface ReconcileReport {
  readonly ghosts: readonly string[];
  readonly orphansRemoved: readonly string[];
  readonly orphansAdopted: readonly string[];
}

/** A decision-only view used by `LifecycleEventType` consumers. */
export type { LifecycleEventType };
