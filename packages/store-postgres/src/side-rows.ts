/**
 * Side rows as read: the document written at insert, with the columns that change later laid
 * over it (a token's `usedAt`/`revokedAt`, a command's status and result, an idempotent
 * response). Spreading keeps the document's key order, so a row reads back as it was written.
 *
 * @module
 */
import type {
  AgentTokenRecord,
  CommandRecord,
  IdempotencyRecord,
  RegistrationTokenRecord,
} from '@berth/core';

/** A BIGINT column (node-postgres reads it as a string) as a number, or null. */
export const num = (v: string | number | null | undefined): number | null =>
  v === null || v === undefined ? null : Number(v);

/** A JSON text column, parsed (null stays null). */
export const json = (v: string | null | undefined): unknown =>
  v === null || v === undefined ? null : JSON.parse(v);

/** A JSON text column to write (`undefined` and null as SQL NULL). */
export const jsonText = (v: unknown): string | null =>
  v === undefined || v === null ? null : JSON.stringify(v);

/** A registration token row. */
export interface RegistrationTokenRow {
  readonly doc: string;
  readonly used_at: string | null;
  readonly revoked_at: string | null;
}
export const registrationTokenOf = (r: RegistrationTokenRow): RegistrationTokenRecord => ({
  ...(JSON.parse(r.doc) as RegistrationTokenRecord),
  usedAt: num(r.used_at),
  revokedAt: num(r.revoked_at),
});

/** An agent token row. */
export interface AgentTokenRow {
  readonly doc: string;
  readonly revoked_at: string | null;
}
export const agentTokenOf = (r: AgentTokenRow): AgentTokenRecord => ({
  ...(JSON.parse(r.doc) as AgentTokenRecord),
  revokedAt: num(r.revoked_at),
});

/** A command row. */
export interface CommandRow {
  readonly doc: string;
  readonly status: CommandRecord['status'];
  readonly claimed_at: string | null;
  readonly finished_at: string | null;
  readonly output: string | null;
  readonly error: string | null;
}
export const commandOf = (r: CommandRow): CommandRecord => ({
  ...(JSON.parse(r.doc) as CommandRecord),
  status: r.status,
  claimedAt: num(r.claimed_at),
  finishedAt: num(r.finished_at),
  output: json(r.output),
  error: json(r.error) as CommandRecord['error'],
});

/** An idempotency row. */
export interface IdempotencyRow {
  readonly doc: string;
  readonly state: IdempotencyRecord['state'];
  readonly response: string | null;
}
export const idempotencyOf = (r: IdempotencyRow): IdempotencyRecord => ({
  ...(JSON.parse(r.doc) as IdempotencyRecord),
  state: r.state,
  response: json(r.response) as IdempotencyRecord['response'],
});
