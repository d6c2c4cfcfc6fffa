/**
 * The shapes the Berth HTTP API sends, as a client sees them. Only the fields API.md promises
 * are required; everything else the server may add is optional, so a client built against one
 * server version keeps working against the next.
 *
 * @module
 */
import type { Action, Status } from '@berth/core';

/** One action as the API describes it: allowed, or refused with a reason. */
export type AgentActionView =
  | {
      readonly action: Action;
      readonly allowed: true;
      readonly needsReason?: boolean;
      readonly needsConfirmation?: boolean;
      readonly next?: Status;
    }
  | {
      readonly action: Action;
      readonly allowed: false;
      readonly denial: { readonly code: string; readonly detail: string; readonly unblock?: string };
    };

/** The operation in flight on an agent. */
export interface AgentOperationView {
  readonly id: string;
  readonly action: string;
  readonly op?: string;
  readonly startedAt?: string;
}

/** The agent resource (`GET /agents/:id`). */
export interface AgentResource {
  readonly id: string;
  readonly name: string;
  readonly owner: string;
  readonly status: Status;
  readonly version: number;
  readonly availableActions: readonly Action[];
  readonly workspaceId: string;
  readonly revision: string | null;
  readonly lastHeartbeatAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Structured view of every action (allowed or its denial). */
  readonly actions?: readonly AgentActionView[];
  /** `managed` (run by a driver) or `self_hosted`. */
  readonly kind?: string;
  /** The full statechart configuration key (`running+paused`). */
  readonly state?: string;
  readonly image?: string;
  readonly operation?: AgentOperationView | null;
  readonly waitlist?: { readonly position: number; readonly nextAttemptAt: string } | null;
  readonly deletedAt?: string | null;
  readonly purgeAt?: string | null;
  /** Present when the request named a `?profile=`: the vendor's word for the status. */
  readonly vendorStatus?: unknown;
  /** Spec fields, as created (`size` may change with recreate); `null` when not given. */
  readonly runtime?: string | null;
  readonly region?: string | null;
  readonly size?: string | null;
  /** Where the driver serves the agent. */
  readonly endpoints?: readonly { readonly name: string; readonly url: string }[];
  /** Only in the answer of create: the credentials, shown this once. */
  readonly credentials?: AgentCredentialsView;
}

/** Access credentials of a managed agent (answered once: create, recreate). */
export interface AgentCredentialsView {
  readonly username: string;
  readonly password: string;
  readonly runtimeToken: string;
}

/** `GET /agents/:id/explain`: why the agent is in its status. */
export interface ExplanationView {
  readonly status: Status;
  readonly since: string;
  readonly summary: string;
  readonly causes: readonly { readonly at: string; readonly kind: string; readonly detail: string }[];
}

/** Body of `POST /agents`. */
export interface CreateAgentBody {
  readonly name: string;
  readonly owner?: string;
  readonly image?: string;
  readonly runtime?: string;
  readonly region?: string;
  readonly size?: string;
  readonly config?: Readonly<Record<string, unknown>>;
  /** A completed backup whose workspace the new agent starts with. */
  readonly restoreFrom?: string;
}

/** Body of `POST /agents/:id/actions/:action` and `DELETE /agents/:id`. */
export interface ActionBody {
  readonly reason?: string;
  readonly confirm?: string;
  readonly revision?: string;
  /** recreate: the new size. */
  readonly size?: string;
}

/** Answer of an action: the agent, and the operation when the action started one. */
export interface ActionResult {
  readonly agent: AgentResource;
  readonly operation?: { readonly id: string; readonly action: string } | null;
  /** recreate: the new credentials, shown this once. */
  readonly credentials?: AgentCredentialsView;
}

/** One audit entry (`GET /agents/:id/audit`). */
export interface AuditEntryView {
  readonly seq: number;
  readonly at: string | number;
  readonly actor: string;
  readonly action: string;
  readonly from: Status | null;
  readonly to: Status | null;
  readonly reason: string | null;
  readonly denied?: boolean;
  readonly code?: string | null;
  /** This entry's link in the agent's hash chain. */
  readonly hash?: string;
  readonly prevHash?: string;
}

/** `GET /agents/:id/audit/verify`: the hash chain re-checked from the first entry. */
export interface AuditVerificationView {
  readonly ok: boolean;
  /** How many entries the trail holds. */
  readonly entries: number;
  /** The last entry's hash, or null for an empty trail. */
  readonly head: string | null;
  /** The seq of the first entry that does not fit, or null. */
  readonly brokenAt: number | null;
  readonly problem?: string | null;
}

/** One revision (`GET /agents/:id/revisions`). */
export interface RevisionView {
  readonly id: string;
  readonly image: string;
  readonly createdAt: string | number;
  readonly outcome: string;
  readonly number?: number;
  readonly action?: string;
}

/** One `status` event of `GET /agents/:id/events`. */
export interface StatusEvent {
  readonly status: Status;
  readonly from: Status | null;
  readonly action: string;
  readonly at: string | number;
  readonly version: number;
}

/** A registration token, shown once. */
export interface RegistrationToken {
  /** Its id (list and revoke it by this); older servers send none. */
  readonly id?: string;
  readonly token: string;
  readonly expiresAt: string;
  /** The only code it can register, or null. */
  readonly code?: string | null;
}

/** An `application/problem+json` body (RFC 9457) as Berth sends it. */
export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status: number;
  readonly code: string;
  readonly detail?: string;
  readonly allowedActions?: readonly string[];
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
}
