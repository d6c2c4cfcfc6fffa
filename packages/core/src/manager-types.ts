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
import type { AuditEntry, CommandRecord, RecordedOperation, Revision } from './record.js';
import type { AuditVerification } from './audit.js';
import type { CatalogMethods, IssuedRegistrationToken } from './catalog-types.js';
import type { ManagerFollow } from './follow-types.js';
import type { AgentCredentials, CreatedAgent } from './credentials.js';
import type { AgentSpecView, SpecDispatchOptions } from './spec-types.js';
import type { AgentExplanation } from './explain-types.js';
import type { EmbedderOptions } from './preconditions-types.js';
import type { LifecycleEvents } from './events-types.js';
import type { IdempotentCall, IdempotentResponse, StoredResponse } from './idempotency-types.js';
import type { LifecyclePolicies } from './policies-types.js';
import type { ReconcileReport, TickReport } from './sweep-types.js';
import type { LifecycleStore } from './store.js';
import type { Action, AgentKind, LifecycleEventType, Status } from './vocabulary.js';

export type { Clock } from './clock.js';
export type { LifecyclePolicies } from './policies-types.js';
export type { ReconcileReport, TickReport } from './sweep-types.js';
export type { LifecycleEvents, OperationEvent, TransitionEvent } from './events-types.js';

/** Options of {@link createLifecycleManager}. */
export interface LifecycleManagerOptions extends EmbedderOptions {
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

/** What `create` takes. */
export interface CreateAgentInput {
  readonly name: string;
  readonly owner?: string | undefined;
  readonly image?: string | undefined;
  readonly runtime?: string | undefined;
  readonly region?: string | undefined;
  readonly size?: string | undefined;
  readonly config?: Readonly<Record<string, unknown>> | undefined;
  /** A completed backup (of this owner) whose workspace the new agent starts with. */
  readonly restoreFrom?: string | undefined;
}

/** Options of {@link LifecycleManager.dispatch}. */
export interface DispatchOptions extends SpecDispatchOptions {
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
export interface AgentView extends AgentSpecView {
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
    readonly op: RecordedOperation;
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
  /** recreate: the new credentials, shown this once. */
  readonly credentials?: AgentCredentials;
}

/** The lifecycle manager. */
export interface LifecycleManager extends CatalogMethods, ManagerFollow {
  /** Typed hooks: `transition`, `audit`, `operation`, `error`. */
  readonly events: EventEmitter<LifecycleEvents>;
  /** The driver's name and capabilities. */
  readonly driverName: string;
  /**
   * Create a managed agent and start provisioning it (the driver call runs in the background;
   * its failure arrives as `op_failed`, not as a throw).
   * @throws `VALIDATION_FAILED` when the spec fails its schema (`errors` names each field).
   * @throws `QUOTA_EXCEEDED` when the owner has no free slot.
   * @throws `IDEMPOTENCY_KEY_REUSED` when `idempotencyKey` was used with another input; `IDEMPOTENCY_KEY_IN_USE` while the first call with it still runs.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  create(
    input: CreateAgentInput,
    options?: { actor?: string; idempotencyKey?: string },
  ): Promise<CreatedAgent>;
  /**
   * Ask for an action. Illegal actions throw a typed error and change nothing; driver failures
   * do not throw (they arrive as `op_failed`).
   * @throws `VALIDATION_FAILED` for an unknown action or bad options (`errors` names each field).
   * @throws `AGENT_NOT_FOUND` for an unknown id, a purged agent, or another owner's agent.
   * @throws `ILLEGAL_TRANSITION` when the status does not allow the action (`allowedActions` lists what does).
   * @throws `OPERATION_IN_PROGRESS` when another operation is in flight.
   * @throws `REASON_REQUIRED` / `CONFIRMATION_REQUIRED` when the policy asks for a reason / the typed name.
   * @throws `QUOTA_EXCEEDED` when the action needs a slot the owner does not have.
   * @throws `REVISION_NOT_FOUND` when rollback names a revision the agent does not have.
   * @throws `VERSION_MISMATCH` when `expectedVersion` is stale; `VERSION_CONFLICT` when the record kept changing under concurrent writes.
   * @throws `IDEMPOTENCY_KEY_REUSED` / `IDEMPOTENCY_KEY_IN_USE` as for {@link LifecycleManager.create}.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  dispatch(agentId: string, action: Action, options?: DispatchOptions): Promise<DispatchResult>;
  /**
   * One agent.
   * @throws `AGENT_NOT_FOUND` for an unknown or purged id, also for another owner's agent when `owner` is given.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  get(agentId: string, options?: { owner?: string }): Promise<AgentView>;
  /**
   * Agents, filtered.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  list(filter?: { owner?: string; status?: Status }): Promise<AgentView[]>;
  /**
   * Every action with `allowed` or its denial.
   * @throws `AGENT_NOT_FOUND` as for {@link LifecycleManager.get}.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  availableActions(agentId: string, options?: { owner?: string }): Promise<ActionAvailability[]>;
  /**
   * Resolve when the agent has `status` (or the predicate holds); no upper bound on `timeout`.
   * @throws `AGENT_NOT_FOUND` as for {@link LifecycleManager.get}.
   * @throws `WAIT_TIMEOUT` when the status did not come within `timeout` ms.
   * @throws the signal's reason when `signal` aborts.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  waitFor(
    agentId: string,
    until: Status | ((agent: AgentView) => boolean),
    options?: { timeout?: number; signal?: AbortSignal; owner?: string },
  ): Promise<AgentView>;
  /**
   * Audit entries with `seq > after` (at most `limit` of them; all by default), in order.
   * @throws `AGENT_NOT_FOUND` for an id with neither a record nor an audit trail (the trail outlives
   *   a purge), or another owner's agent when `owner` is given.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  audit(agentId: string, options?: { after?: number; limit?: number; owner?: string }): Promise<AuditEntry[]>;
  /**
   * Re-check the agent's audit hash chain from its first entry.
   * @throws `AGENT_NOT_FOUND` as for {@link LifecycleManager.audit}.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  verifyAudit(agentId: string, options?: { owner?: string }): Promise<AuditVerification>;
  /**
   * Why the agent is in its status: since when, and the causes (transitions, refusals, heartbeat
   * age, driver errors, recovery, policies), built from the stored record and audit trail.
   * @throws `AGENT_NOT_FOUND` as for {@link LifecycleManager.get}.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  explain(agentId: string, options?: { owner?: string }): Promise<AgentExplanation>;
  /**
   * Revisions, oldest first.
   * @throws `AGENT_NOT_FOUND` as for {@link LifecycleManager.get}.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  revisions(agentId: string, options?: { owner?: string }): Promise<Revision[]>;

  /**
   * Mint a one-time registration token (returned once; only its digest is stored); with `code`
   * it can only register that code.
   * @throws `VALIDATION_FAILED` when `expiresInSeconds` is not a positive number or `code` fails its rule.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  createRegistrationToken(options?: {
    owner?: string;
    expiresInSeconds?: number;
    code?: string;
  }): Promise<IssuedRegistrationToken>;
  /**
   * Register a self-hosted agent; re-registering a code reuses the agent and revokes older tokens.
   * @throws `VALIDATION_FAILED` when `code` (or `name`, `runtime`) fails its rule.
   * @throws `REGISTRATION_TOKEN_INVALID` for an unknown, expired, revoked or used token, or one bound to another code.
   * @throws `AGENT_DISABLED` when the code belongs to a disabled agent (it cannot come back by registering).
   * @throws `VERSION_CONFLICT` when the agent kept changing during registration.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  register(input: {
    registrationToken: string;
    code: string;
    name?: string;
    runtime?: string;
  }): Promise<{ agentId: string; agentToken: string }>;
  /**
   * Check an agent token.
   * @throws `UNAUTHORIZED` for a missing, unknown or revoked token.
   * @throws `AGENT_DISABLED` when the agent is disabled.
   * @throws `AGENT_REVOKED` when the agent is deleted.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  authenticateAgent(agentId: string, agentToken: string): Promise<AgentView>;
  /**
   * Record a heartbeat (a stale agent comes back to running).
   * @throws `AGENT_NOT_FOUND` for an unknown id.
   * @throws `ILLEGAL_TRANSITION` when the agent's status takes no heartbeat (e.g. deleted).
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  heartbeat(agentId: string): Promise<AgentView>;
  /**
   * Queue a command.
   * @throws `VALIDATION_FAILED` when `type` is missing.
   * @throws `AGENT_NOT_FOUND` as for {@link LifecycleManager.get}.
   * @throws `ILLEGAL_TRANSITION` when the agent can take no commands (e.g. deleted).
   * @throws `AGENT_PAUSED` while admission is closed (paused, or suspended for billing).
   * @throws `COMMAND_QUEUE_FULL` when the store's limit of pending commands is reached.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  enqueueCommand(
    agentId: string,
    command: { type: string; payload?: unknown },
    options?: { owner?: string },
  ): Promise<CommandRecord>;
  /**
   * Hand out pending commands once each (none while paused).
   * @throws `VALIDATION_FAILED` when `limit` is not an integer from 1 to 100.
   * @throws `AGENT_NOT_FOUND` for an unknown id.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  pollCommands(agentId: string, options?: { limit?: number }): Promise<CommandRecord[]>;
  /**
   * Record a command's result.
   * @throws `AGENT_NOT_FOUND` for an unknown id.
   * @throws `COMMAND_NOT_FOUND` for a command this agent does not have.
   * @throws `ILLEGAL_TRANSITION` when the command is not running (already completed or never handed out).
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  completeCommand(
    agentId: string,
    commandId: string,
    result: { ok: boolean; output?: unknown; error?: { code: string; message: string } },
  ): Promise<CommandRecord>;
  /**
   * Commands of an agent.
   * @throws `AGENT_NOT_FOUND` as for {@link LifecycleManager.get}.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  commands(agentId: string, options?: { owner?: string }): Promise<CommandRecord[]>;

  /**
   * Run `work` at most once per (scope, key) in the manager's store (durable with a durable
   * store): a repeat replays the first response (`replayed: true`), except one that held a
   * secret (`SECRET_ALREADY_SHOWN`). What `@berth/core/http` uses for `Idempotency-Key`.
   * @throws `IDEMPOTENCY_KEY_REUSED`, `IDEMPOTENCY_KEY_IN_USE`, `SECRET_ALREADY_SHOWN`, or what `work` throws.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  idempotent(
    call: IdempotentCall,
    work: () => Promise<IdempotentResponse>,
  ): Promise<StoredResponse & { readonly replayed: boolean }>;

  /**
   * Billing: suspend or resolve an agent (the agent returns to where it was).
   * @throws `AGENT_NOT_FOUND` for an unknown id.
   * @throws `ILLEGAL_TRANSITION` when the agent's status does not take the billing event.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  setBilling(
    agentId: string,
    suspended: boolean,
    options?: { actor?: string; reason?: string },
  ): Promise<AgentView>;
  /**
   * Apply an out-of-band observation (from a driver's watch or a resync). An event for an
   * unknown agent, or one with an operation in flight, is ignored.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  observe(event: import('./driver.js').DriverEvent, options?: { actor?: string }): Promise<void>;
  /**
   * Compare the store with the driver: mark ghosts, remove or adopt orphans.
   * @throws what the driver's `list` throws (a `DRIVER_ERROR` named after the driver).
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  reconcile(options?: { orphans?: 'remove' | 'adopt' | 'ignore' }): Promise<ReconcileReport>;
  /**
   * Run the sweeper once: deadlines, heartbeat staleness, recovery, waitlist, destroy retries,
   * purge. What fails for one agent is reported on the `error` event, not thrown.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  tick(): Promise<TickReport>;
  /**
   * Re-drive operations that were in flight when a previous manager stopped.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  resume(): Promise<number>;
  /**
   * Start the background sweeper and the driver's watch. The sweeper wakes when the store says
   * something is due (`nextDueAt()`), or sooner when this manager's commits make it due;
   * `intervalMs` caps how long it sleeps (for stores other processes write to).
   * @throws `MANAGER_CLOSED` (synchronously) after {@link LifecycleManager.close}.
   */
  start(options?: { intervalMs?: number }): void;
  /**
   * Wait until no driver call started by this manager is still running.
   * @throws `MANAGER_CLOSED` after {@link LifecycleManager.close}.
   */
  settle(): Promise<void>;
  /**
   * Stop the sweeper, abort in-flight driver calls, dispose the driver. Idempotent: a second
   * call answers the first one's promise. Once it has been called, every other method throws
   * `MANAGER_CLOSED` (503 over HTTP) and changes nothing.
   */
  close(): Promise<void>;
  /**
   * `close()`, for `await using manager = createLifecycleManager(...)`: the manager is closed
   * when the block it was declared in ends.
   */
  [Symbol.asyncDispose](): Promise<void>;
}

/** A decision-only view used by `LifecycleEventType` consumers. */
export type { LifecycleEventType };
