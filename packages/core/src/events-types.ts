/**
 * The manager's typed events (`manager.events`): transitions, audit entries, driver operations
 * and background errors.
 *
 * @module
 */
import type { AuditEntry, RecordedOperation } from './record.js';
import type { Status } from './vocabulary.js';

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
  readonly op: RecordedOperation;
  readonly phase: 'started' | 'succeeded' | 'failed' | 'fenced';
  readonly error?: { readonly code: string; readonly message: string } | undefined;
}
