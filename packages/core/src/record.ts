/**
 * What Berth stores about an agent: the record (one row), its audit entries, its revisions.
 * Times are milliseconds since the epoch (numbers keep a million records small).
 *
 * @module
 */
import type { Endpoint } from './spec-types.js';
import type { Action, AgentKind, LifecycleEventType, Status } from './vocabulary.js';

/** What to run: image or release, plus free-form configuration. */
export interface AgentSpec {
  /** Image reference or release name (`berth/agent:latest`, `v1.4.2`). */
  readonly image: string;
  /** Runtime family, e.g. `node`, `python` (informational for most drivers). */
  readonly runtime?: string | undefined;
  /** Region or placement hint. */
  readonly region?: string | undefined;
  /** Size or plan (e.g. `small`). */
  readonly size?: string | undefined;
  /** Configuration handed to the driver (environment, resources, …). */
  readonly config: Readonly<Record<string, unknown>>;
}

/** The driver operations an action can run. */
export type DriverOperation =
  | 'provision'
  | 'start'
  | 'stop'
  | 'restart'
  | 'redeploy'
  | 'recreate'
  | 'destroy';

/** What an agent's operation slot can hold: a driver operation of the chart, or a backup. */
export type RecordedOperation = DriverOperation | 'backup';

/** The operation in flight for an agent. At most one at a time. */
export interface OperationRef {
  /** Operation id: also the idempotency key handed to the driver. */
  readonly id: string;
  /** The driver operation being run (`backup`: a backup of the workspace, outside the chart). */
  readonly op: RecordedOperation;
  /** The action (or system event) that started it; `backup` for a backup of the workspace. */
  readonly action: LifecycleEventType | 'create' | 'backup';
  /** Fencing epoch: increases with every new operation on this agent. */
  readonly epoch: number;
  /** Who asked for it. */
  readonly actor: string;
  readonly startedAt: number;
  /** When the operation counts as timed out (the sweeper fails it). */
  readonly deadline: number;
  /** The revision the operation builds from, if any. */
  readonly revisionId: string | null;
  /** When to start the driver call: `null` right away; a time for a retry that waits out its backoff. */
  readonly runAt: number | null;
  /** For a `backup` operation: the backup it takes. */
  readonly backupId?: string | undefined;
}

/** Retry bookkeeping for the waitlist and for automatic recovery. */
export interface RetryState {
  readonly attempts: number;
  /** When the next attempt is due. */
  readonly nextAt: number;
  /** When the agent entered the waitlist or started recovering. */
  readonly since: number;
}

/** The stored record of one agent. Everything the runtime needs lives here, nothing in process memory. */
export interface AgentRecord {
  readonly id: string;
  readonly name: string;
  readonly owner: string;
  readonly kind: AgentKind;
  /** The statechart configuration key (`running`, `running+paused`, `deleted`, …). */
  readonly state: string;
  /** The effective status derived from `state` (stored for queries). */
  readonly status: Status;
  /** Increases by one with every commit (compare-and-set). */
  readonly version: number;
  readonly spec: AgentSpec;
  readonly workspaceId: string;
  /** The revision the agent runs (or is moving to). */
  readonly revision: string | null;
  /** The last revision that came up successfully (restart uses it). */
  readonly lastGoodRevision: string | null;
  readonly operation: OperationRef | null;
  /** Last operation epoch handed out. */
  readonly epoch: number;
  /** Self-hosted agents: the code they registered with (unique per owner). */
  readonly code: string | null;
  readonly lastHeartbeatAt: number | null;
  /** When the agent last came up (reached running through an operation): staleness counts from here too. */
  readonly upSince: number | null;
  /** When a heartbeat was last written to the audit trail (sampled: ≤ 1 per 5 minutes). */
  readonly heartbeatAuditedAt: number | null;
  /** Automatic recovery of a degraded managed agent. */
  readonly recovery: RetryState | null;
  /** Waitlist retries. */
  readonly waitlist: RetryState | null;
  /** The earliest time the sweeper must look at this agent again, or null. */
  readonly dueAt: number | null;
  /** The reconciler found the driver's resource missing. */
  readonly ghost: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** When the agent reached `deleted`. */
  readonly deletedAt: number | null;
  /** The backup the agent's workspace was restored from at provision, if any. */
  readonly restoredFrom?: string | null | undefined;
  /** Where the driver serves the agent (drivers with the `endpoints` capability); absent: none. */
  readonly endpoints?: readonly Endpoint[] | undefined;
  /** Last audit sequence number written for this agent. */
  readonly auditSeq: number;
  /** Hash of the last audit entry (the chain's head). */
  readonly auditHead: string;
}

/** Outcome of a guard when an action was decided. */
export interface GuardVerdict {
  readonly guard: string;
  readonly passed: boolean;
}

/** One audit entry. Entries form a hash chain per agent (`prevHash` → `hash`). */
export interface AuditEntry {
  readonly id: string;
  readonly agentId: string;
  /** Per-agent sequence number: 1, 2, 3, … without gaps. */
  readonly seq: number;
  readonly at: number;
  /** Who: `user:alice`, `system`, `reconciler`, `agent:agt_…`. */
  readonly actor: string;
  /** The action or event (`create`, `register`, `pause`, `op_succeeded`, `heartbeat`, …). */
  readonly action: string;
  readonly from: Status | null;
  readonly to: Status | null;
  readonly reason: string | null;
  readonly operationId: string | null;
  /** The agent's record version after this entry (for refusals: the unchanged version). */
  readonly version: number;
  /** True for refused requests: recorded, but the agent did not change. */
  readonly denied: boolean;
  /** For denials: the refusal code. */
  readonly code: string | null;
  readonly guards: readonly GuardVerdict[];
  readonly metadata: Readonly<Record<string, unknown>> | null;
  readonly prevHash: string;
  readonly hash: string;
}

/** Outcome of a revision. */
export type RevisionOutcome = 'pending' | 'succeeded' | 'failed';

/** A revision: what was built (image or release + config) by which action, and how it went. */
export interface Revision {
  readonly id: string;
  readonly agentId: string;
  /** 1, 2, 3 … per agent. */
  readonly number: number;
  readonly image: string;
  /** What the driver resolved the image to (e.g. an image id), when it says. */
  readonly resolvedImage: string | null;
  readonly config: Readonly<Record<string, unknown>>;
  readonly action: Action | 'create';
  /** The release it was built from (`update {release}`), when the release catalog resolved one. */
  readonly release?: string | null | undefined;
  /** For rollbacks: the revision rolled back to. */
  readonly sourceRevision: string | null;
  readonly outcome: RevisionOutcome;
  readonly createdAt: number;
}

/** A one-time registration token (only the SHA-256 digest is stored). */
export interface RegistrationTokenRecord {
  readonly hash: string;
  /** Public id (`GET/DELETE /registration-tokens/:id`); never the token itself. */
  readonly id?: string;
  /** With a code, the token can only register that code. */
  readonly code?: string | null;
  readonly owner: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly usedAt: number | null;
  readonly revokedAt: number | null;
}

/** An agent token (only the digest is stored). */
export interface AgentTokenRecord {
  readonly hash: string;
  readonly agentId: string;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

/** Command lifecycle: pending → running (handed out once) → succeeded | failed. */
export type CommandStatus = 'pending' | 'running' | 'succeeded' | 'failed';

/** A command queued for an agent. */
export interface CommandRecord {
  readonly id: string;
  readonly agentId: string;
  /** Enqueue order within the agent. */
  readonly seq: number;
  readonly type: string;
  readonly payload: unknown;
  readonly status: CommandStatus;
  readonly createdAt: number;
  readonly claimedAt: number | null;
  readonly finishedAt: number | null;
  readonly output: unknown;
  readonly error: { readonly code: string; readonly message: string } | null;
}

/** A stored idempotent response. */
export interface IdempotencyRecord {
  readonly scope: string;
  readonly key: string;
  /** Fingerprint of the request (method, path, body). */
  readonly fingerprint: string;
  readonly state: 'in_progress' | 'done';
  readonly response: { readonly status: number; readonly body: unknown } | null;
  readonly createdAt: number;
  readonly expiresAt: number;
}
