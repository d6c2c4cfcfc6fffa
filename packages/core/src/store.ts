/**
 * The store contract. Every write the runtime makes is one atomic {@link StoreCommit}: the new
 * record (compare-and-set on its version) together with its audit entries and revisions, so a
 * record and its history can never disagree. Nothing relies on an in-process lock: a SQL store
 * gives the same guarantees with a transaction and a `WHERE version = $expected`.
 *
 * @module
 */
import type {
  AgentRecord,
  AgentTokenRecord,
  AuditEntry,
  CommandRecord,
  IdempotencyRecord,
  RegistrationTokenRecord,
  Revision,
} from './record.js';
import type { BackupRecord } from './backup-record.js';
import type { ServiceRecord } from './service-record.js';
import type { OperationLeases } from './lease-types.js';
import type { Status } from './vocabulary.js';

/** One atomic write. */
export interface StoreCommit {
  /** The record to write. */
  readonly record: AgentRecord;
  /** The version the stored record must have now; `0` to insert a new agent. */
  readonly expectedVersion: number;
  /**
   * Audit entries to append. They are built on the record's `auditSeq`/`auditHead`; when
   * refusals were appended since (they extend the chain too), the store re-stamps the entries
   * onto the chain head (seq, prevHash, hash) and writes the record's `auditSeq`/`auditHead`
   * to match, so the trail stays one contiguous chain.
   */
  readonly audit: readonly AuditEntry[];
  /** Revisions to insert or replace (by id). */
  readonly revisions?: readonly Revision[];
  /**
   * Claim a slot: the commit fails with `QUOTA_EXCEEDED` unless the owner holds fewer than
   * `limit` agents that are not deleting or deleted (counted without this record).
   */
  readonly quota?: { readonly owner: string; readonly limit: number };
  /** Agent tokens to insert. */
  readonly issueTokens?: readonly AgentTokenRecord[];
  /** Revoke every active token of the agent (except the ones issued in this commit). */
  readonly revokeTokens?: boolean;
  /**
   * Backups to insert or replace (by id), written with the record: a backup's catalog entry
   * and the operation that takes it (or its outcome) are one write.
   */
  readonly backups?: readonly BackupRecord[];
  /**
   * Services to upsert by (owner, code), written with the record: a service that moves to
   * this agent is moved together with the audit entry that says so.
   */
  readonly services?: readonly ServiceRecord[];
  /**
   * Delete the record and everything attached (purge after the grace period). Audit stays, and
   * so do the agent's backups and services (they outlive it).
   */
  readonly purge?: boolean;
}

/** Filters for {@link LifecycleStore.listBackups}. */
export interface BackupFilter {
  /** Whose backups (required: a catalog is per owner). */
  readonly owner: string;
  /** Only backups taken from this agent. */
  readonly agentId?: string | undefined;
}

/** Filters for {@link LifecycleStore.listServices}. */
export interface ServiceFilter {
  /** Whose services (required: codes are unique per owner). */
  readonly owner: string;
  /** Only services this agent reported last. */
  readonly agentId?: string | undefined;
  /** Only these codes. */
  readonly codes?: readonly string[] | undefined;
}

/** What {@link LifecycleStore.deleteBackup} did. */
export type DeleteBackupOutcome = 'deleted' | 'pending' | 'not_found';

/** Filters for {@link LifecycleStore.list}. */
export interface ListFilter {
  readonly owner?: string | undefined;
  readonly status?: Status | undefined;
  readonly limit?: number | undefined;
}

/** Options of {@link LifecycleStore.appendDenial}. */
export interface AppendDenialOptions {
  /**
   * Fold an identical refusal into the chain head instead of appending: when the head is a
   * refusal with the same actor, action, code, reason, from, to, operation and version, decided
   * less than this many ms before, its `metadata.repeats` grows by one (and `metadata.lastAt`
   * is the new time; the head is re-hashed). @default 0 (never fold)
   */
  readonly foldWithinMs?: number;
}

/** Options of {@link LifecycleStore.putCommand}. */
export interface PutCommandOptions {
  /** Refuse (`COMMAND_QUEUE_FULL`, nothing written) when the agent already has this many pending commands. */
  readonly maxPending?: number;
}

/** Options of {@link LifecycleStore.beginIdempotent}. */
export interface BeginIdempotentOptions {
  /**
   * Keep at most this many records per scope: inserting one more drops that scope's oldest
   * record. Another scope's records are never dropped. @default unlimited
   */
  readonly maxPerScope?: number;
}

/** What {@link LifecycleStore.revokeRegistrationToken} did. */
export type RevokeTokenOutcome = 'revoked' | 'already_revoked' | 'used' | 'not_found';

/** What {@link LifecycleStore.purgeExpired} removed. */
export interface PurgeExpiredResult {
  readonly registrationTokens: number;
  readonly idempotency: number;
}

/**
 * Wake-ups for changes that any process sharing the store committed (optional: a store that one
 * process owns, such as the memory or SQLite store, has none, and the manager's own events are
 * enough). A wake-up carries nothing: the store is the truth, and a listener reads it.
 */
export interface StoreChangeFeed {
  /**
   * Call `listener` soon after an entry is appended to `agentId`'s audit trail by any process
   * (at least once per change; spurious calls are allowed). Returns the function that stops it.
   */
  watch(agentId: string, listener: () => void): () => void;
}

/** The storage behind a manager. The in-memory store is the embedded default. */
export interface LifecycleStore {
  /** Wake-ups for other processes' commits, when the store is shared (see {@link StoreChangeFeed}). */
  readonly changes?: StoreChangeFeed | undefined;
  /** Leases on operations, when the store is shared (see {@link OperationLeases}). */
  readonly leases?: OperationLeases | undefined;
  /** One record, or null. */
  get(agentId: string): Promise<AgentRecord | null>;
  /** Records matching the filter, oldest first. */
  list(filter?: ListFilter): Promise<AgentRecord[]>;
  /** The self-hosted agent an owner registered under `code`, or null. */
  findByCode(owner: string, code: string): Promise<AgentRecord | null>;
  /**
   * Apply a commit atomically. Throws `VersionConflictError` when the stored version differs
   * from `expectedVersion` (nothing written) and a `QUOTA_EXCEEDED` BerthError when a quota
   * claim fails.
   */
  commit(commit: StoreCommit): Promise<void>;
  /** Audit entries of an agent with `seq > after`, in order. */
  audit(agentId: string, options?: { after?: number; limit?: number }): Promise<AuditEntry[]>;
  /** Revisions of an agent, oldest first. */
  revisions(agentId: string): Promise<Revision[]>;
  /** How many slots an owner holds: managed agents that are not deleting or deleted. */
  countSlots(owner: string): Promise<number>;
  /**
   * Append a refusal (`entry.denied` is true) to an agent's audit trail without touching the
   * record. It extends the chain like any entry: the store assigns `seq` = head + 1, `prevHash`
   * = the head's hash and re-computes `hash` (whatever the entry carried), atomically with other
   * appends. With `foldWithinMs`, an identical refusal may be folded into the head instead.
   *
   * @returns The entry as stored (or the folded head).
   */
  appendDenial(entry: AuditEntry, options?: AppendDenialOptions): Promise<AuditEntry>;
  /** Records whose `dueAt` is at or before `now`, earliest first. */
  due(now: number, limit: number): Promise<AgentRecord[]>;
  /** The earliest `dueAt` of any record, or null when nothing is due ever (what the sweeper sleeps until). */
  nextDueAt(): Promise<number | null>;

  /** Insert a registration token. */
  putRegistrationToken(token: RegistrationTokenRecord): Promise<void>;
  /**
   * Atomically mark the token used if it is unused, unrevoked and unexpired at `now`; return
   * it, or null. Concurrent callers with one token: exactly one gets it.
   */
  consumeRegistrationToken(hash: string, now: number): Promise<RegistrationTokenRecord | null>;
  /** The registration token with this digest (any status), or null: read before consuming it. */
  findRegistrationToken(hash: string): Promise<RegistrationTokenRecord | null>;
  /** Registration tokens of an owner (every status), oldest first. */
  listRegistrationTokens(owner: string): Promise<RegistrationTokenRecord[]>;
  /**
   * Revoke an owner's registration token by id at `now` if it is unused (an expired one is
   * revoked too). Another owner's token is `not_found`.
   */
  revokeRegistrationToken(owner: string, id: string, now: number): Promise<RevokeTokenOutcome>;
  /** Delete registration tokens and idempotency records whose `expiresAt` is at or before `now`. */
  purgeExpired(now: number): Promise<PurgeExpiredResult>;
  /** The agent token with this digest (active or revoked), or null. */
  findAgentToken(hash: string): Promise<AgentTokenRecord | null>;
  /** How many of an agent's tokens are active (not revoked): what a `revokeTokens` commit would revoke. */
  countActiveAgentTokens(agentId: string): Promise<number>;

  /** Insert or replace a backup (by id), outside any agent commit (e.g. once its agent is purged). */
  putBackup(backup: BackupRecord): Promise<void>;
  /** One backup by id (any owner), or null. */
  getBackup(id: string): Promise<BackupRecord | null>;
  /** An owner's backups, oldest first (by `createdAt`, then insertion). */
  listBackups(filter: BackupFilter): Promise<BackupRecord[]>;
  /**
   * Delete an owner's backup by id unless it is still pending (`pending`: nothing deleted).
   * Another owner's backup is `not_found`.
   */
  deleteBackup(owner: string, id: string): Promise<DeleteBackupOutcome>;

  /** Upsert services by (owner, code), outside any agent commit. */
  putServices(services: readonly ServiceRecord[]): Promise<void>;
  /** An owner's services matching the filter, ordered by code. */
  listServices(filter: ServiceFilter): Promise<ServiceRecord[]>;

  /** Queue a command; with `maxPending`, refuse with `COMMAND_QUEUE_FULL` when the agent has that many pending. */
  putCommand(command: CommandRecord, options?: PutCommandOptions): Promise<void>;
  /** Atomically hand out up to `limit` pending commands (pending → running), oldest first. */
  claimCommands(agentId: string, limit: number, now: number): Promise<CommandRecord[]>;
  /** A command by id, or null. */
  getCommand(agentId: string, commandId: string): Promise<CommandRecord | null>;
  /** Record a running command's result (running → succeeded | failed). Returns false if it was not running. */
  finishCommand(
    agentId: string,
    commandId: string,
    result: Pick<CommandRecord, 'status' | 'output' | 'error' | 'finishedAt'>,
  ): Promise<boolean>;
  /** Commands of an agent, oldest first. */
  listCommands(agentId: string): Promise<CommandRecord[]>;

  /**
   * Begin an idempotent request: insert an `in_progress` record if none exists for
   * (scope, key) and return null, or return the existing one (whatever its state). An existing
   * record whose `expiresAt` is at or before the new one's `createdAt` counts as absent (it is
   * replaced). Concurrent callers with one (scope, key): exactly one gets null.
   */
  beginIdempotent(
    record: IdempotencyRecord,
    options?: BeginIdempotentOptions,
  ): Promise<IdempotencyRecord | null>;
  /** Store the response of an idempotent request. */
  finishIdempotent(scope: string, key: string, response: { status: number; body: unknown }): Promise<void>;
  /** Forget an in-progress idempotent request (it failed before producing a response worth replaying). */
  abandonIdempotent(scope: string, key: string): Promise<void>;
}
