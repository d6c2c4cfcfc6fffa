/**
 * The driver contract: the small interface a provisioning backend implements. Drivers stay
 * dumb — they create, start, stop and remove things, idempotently per operation id — and the
 * manager does everything else (guards, audit, retries, fencing).
 *
 * Required: `provision`, `start`, `stop`, `destroy`, `inspect`. Optional, declared by the
 * methods' presence: `restart`, `redeploy`, `recreate`, `watch`, `list`, and the workspace
 * backups `backup`, `restore` and `deleteBackup`. An action whose method is missing is simply
 * unavailable (`availableActions` says which driver lacks what; asking for a backup of a driver
 * without `backup` is refused naming the driver).
 *
 * @module
 */
import type { AgentSpec, DriverOperation } from './record.js';
import type { Endpoint } from './spec-types.js';

/** What a driver can do beyond the required minimum. */
export interface DriverCapabilities {
  /** Restart in place (otherwise `restart` is unavailable). */
  readonly restart: boolean;
  /** Rebuild from a revision keeping the workspace (redeploy, update, rollback, reprovision). */
  readonly redeploy: boolean;
  /** Clean-slate rebuild with new credentials. */
  readonly recreate: boolean;
  /** Reports out-of-band changes (`watch`). */
  readonly watch: boolean;
  /** Lists the resources it manages (`list`), for reconciliation. */
  readonly list: boolean;
  /** Archives an agent's workspace (`backup`). @default false */
  readonly backup?: boolean;
  /** Fills a new agent's workspace from a backup before it is provisioned (`restore`). @default false */
  readonly restore?: boolean;
  /** Says where it serves an agent (`endpoints`). @default false */
  readonly endpoints?: boolean;
}

/** Everything a driver needs to act on one agent. */
export interface DriverTarget {
  readonly agentId: string;
  readonly owner: string;
  readonly name: string;
  /** Kept by everything but destroy (e.g. a named volume). */
  readonly workspaceId: string;
  readonly spec: AgentSpec;
  /** The revision to run (image + config). */
  readonly revision: {
    readonly id: string;
    readonly image: string;
    readonly config: Readonly<Record<string, unknown>>;
  };
  /**
   * Credentials, given only to `provision` and `recreate` (they are issued then; Berth stores
   * only their digest). Every other operation gets `null` and must keep the credentials the
   * resource already has (e.g. a redeploy that replaces a container copies its environment).
   * A repeated provision with the same operation id may carry rotated credentials: apply them.
   * `agentToken` is the runtime token the operator was shown; `username` and `password` are the
   * runtime's login (Berth always sets them; optional for targets built by hand).
   */
  readonly credentials: {
    readonly agentId: string;
    readonly agentToken: string;
    readonly username?: string;
    readonly password?: string;
  } | null;
  /** Account-level secrets, re-injected on provision, start, restart, redeploy and recreate. */
  readonly secrets: Readonly<Record<string, string>>;
}

/** Per-call context: the operation id (idempotency key) and a signal to abandon the work. */
export interface OperationContext {
  readonly operationId: string;
  readonly operation: DriverOperation;
  readonly signal: AbortSignal;
}

/** The backup a `backup` or `restore` call is about. */
export interface DriverBackupRef {
  /** `bkp_…`: the catalog id (also a fine file or object name). */
  readonly id: string;
  /** The driver's handle for the archive, as its `backup` returned it (null before that). */
  readonly location: string | null;
}

/** The context of `backup` and `restore`: an operation context naming the backup. */
export interface BackupContext extends Omit<OperationContext, 'operation'> {
  readonly operation: 'backup' | 'restore';
  readonly backup: DriverBackupRef;
}

/** What `backup` reports: where the archive is and how big. */
export interface DriverBackupResult {
  /** The driver's handle for the archive (a file name, an object key), handed back to `restore`. */
  readonly location: string;
  readonly sizeBytes: number;
}

/** What an operation reports back (all optional). */
export interface DriverResult {
  /** The driver's handle for the resource (container id, VM id, …). */
  readonly resourceId?: string;
  /** What the image or release resolved to (e.g. an image id), recorded in the revision. */
  readonly resolvedImage?: string;
  /**
   * Where the agent is served after this operation (drivers with `endpoints`): the manager shows
   * it on the agent. Absent: unchanged.
   */
  readonly endpoints?: readonly Endpoint[];
}

/** What the driver sees of an agent's resource right now. */
export interface DriverInspection {
  readonly agentId: string;
  /** `missing` when the driver has nothing for this agent. */
  readonly state: 'running' | 'stopped' | 'exited' | 'creating' | 'missing';
  readonly health: 'healthy' | 'unhealthy' | 'starting' | null;
  readonly exitCode: number | null;
  readonly resourceId: string | null;
  /** The operation id that created the resource, when the driver labels it. */
  readonly operationId: string | null;
  /** Owner label, when the driver records it. */
  readonly owner: string | null;
}

/** An out-of-band change the driver noticed. */
export type DriverEvent =
  | {
      readonly type: 'exited';
      readonly agentId: string;
      readonly exitCode: number | null;
      readonly oom?: boolean;
    }
  | { readonly type: 'removed'; readonly agentId: string }
  | { readonly type: 'health'; readonly agentId: string; readonly health: 'healthy' | 'unhealthy' }
  | { readonly type: 'started'; readonly agentId: string };

/** The driver interface. */
export interface LifecycleDriver {
  /** Short name, used in messages (`memory`, `docker`). */
  readonly name: string;
  /** Create the runtime for an agent and start it. Throw `DriverError('NO_CAPACITY')` when there is no room. */
  provision(target: DriverTarget, ctx: OperationContext): Promise<DriverResult | undefined>;
  /** Start a stopped runtime. Starting a running one succeeds. */
  start(target: DriverTarget, ctx: OperationContext): Promise<DriverResult | undefined>;
  /** Stop gracefully. Stopping a stopped one succeeds. */
  stop(target: DriverTarget, ctx: OperationContext): Promise<undefined | DriverResult>;
  /** Restart in place (same workspace and credentials). */
  restart?(target: DriverTarget, ctx: OperationContext): Promise<DriverResult | undefined>;
  /** Rebuild from `target.revision`, keeping the workspace. */
  redeploy?(target: DriverTarget, ctx: OperationContext): Promise<DriverResult | undefined>;
  /** Clean-slate rebuild (new resource, new credentials in `target.credentials`). */
  recreate?(target: DriverTarget, ctx: OperationContext): Promise<DriverResult | undefined>;
  /** Remove the runtime and the workspace. Destroying something missing succeeds. */
  destroy(target: DriverTarget, ctx: OperationContext): Promise<undefined | DriverResult>;
  /**
   * Archive the agent's workspace as it is now (the agent may be running or stopped; its
   * resource is left as it was). Idempotent per operation id: a repeat answers the same archive.
   */
  backup?(target: DriverTarget, ctx: BackupContext): Promise<DriverBackupResult>;
  /**
   * Fill the (new) agent's workspace from `ctx.backup` before `provision` builds its runtime;
   * the manager calls it as the first step of the provision of an agent created with
   * `restoreFrom`. Throw `DriverError('BACKUP_MISSING')` when the archive is gone.
   */
  restore?(target: DriverTarget, ctx: BackupContext): Promise<DriverResult | undefined>;
  /** Remove a backup's archive (deleting a missing one succeeds). */
  deleteBackup?(backup: DriverBackupRef): Promise<void>;
  /**
   * Where the agent is served now (`[{ name, url }]`), empty when it has no resource. A driver
   * with it also answers `endpoints` in the result of every operation that builds or starts the
   * runtime (the manager shows that on the agent); destroy must release them (a destroyed
   * agent's endpoints are empty and free for others).
   */
  endpoints?(agentId: string): Promise<readonly Endpoint[]>;
  /** Look at one agent's resource. */
  inspect(agentId: string): Promise<DriverInspection>;
  /** Every resource the driver manages (reconciliation: orphans and ghosts). */
  list?(): Promise<DriverInspection[]>;
  /** Subscribe to out-of-band changes; returns an unsubscribe function. */
  watch?(listener: (event: DriverEvent) => void): () => void;
  /** Release connections and timers. */
  dispose?(): Promise<void>;
}

/** The capabilities a driver declares by the methods it has. */
export function driverCapabilities(driver: LifecycleDriver): DriverCapabilities {
  return {
    restart: typeof driver.restart === 'function',
    redeploy: typeof driver.redeploy === 'function',
    recreate: typeof driver.recreate === 'function',
    watch: typeof driver.watch === 'function',
    list: typeof driver.list === 'function',
    backup: typeof driver.backup === 'function',
    restore: typeof driver.restore === 'function',
    endpoints: typeof driver.endpoints === 'function',
  };
}

export {
  type DefineDriverOptions,
  type DriverCall,
  type DriverCallOutcome,
  defineDriver,
  OPERATION_ABORTED,
  OPERATION_ID_REUSED,
  WRAPPED_OPERATIONS,
  type WrappedOperation,
} from './driver/define-driver.js';
