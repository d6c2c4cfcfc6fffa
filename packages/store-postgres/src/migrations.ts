/**
 * The schema, as ordered SQL migrations. Each runs once, in order, inside the transaction that
 * records it in `schema_migrations` (PostgreSQL's DDL is transactional: a migration applies
 * whole or not at all); a migration is never edited once released (add the next one instead).
 * Records and side rows are JSON documents (`doc`, kept as text so an audit entry's bytes, and
 * so its hash, never change) plus the columns that queries filter, lock or sort on; the fields
 * of a side row that change after insert (a token's `usedAt`, a command's status and result, an
 * idempotent response) are columns, laid over the document when read. `pos`
 * columns keep insertion order ("oldest first").
 *
 * @module
 */

/** One schema migration. */
export interface Migration {
  /** 1, 2, 3 … without gaps. */
  readonly version: number;
  /** A short name, stored beside the version. */
  readonly name: string;
  /** The statements, for the (quoted) schema `s`. */
  readonly sql: (s: string) => string;
}

/** Every migration of the store, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: (s) => `
CREATE TABLE ${s}.agents (
  id         text PRIMARY KEY,
  pos        bigserial NOT NULL,
  owner      text NOT NULL,
  status     text NOT NULL,
  code       text,
  version    integer NOT NULL,
  due_at     bigint,
  holds_slot boolean NOT NULL,
  doc        text NOT NULL
);
CREATE INDEX agents_pos ON ${s}.agents (pos);
CREATE INDEX agents_owner_status ON ${s}.agents (owner, status, pos);
CREATE INDEX agents_status ON ${s}.agents (status, pos);
CREATE INDEX agents_owner_code ON ${s}.agents (owner, code) WHERE code IS NOT NULL;
CREATE INDEX agents_due ON ${s}.agents (due_at, pos) WHERE due_at IS NOT NULL;

CREATE TABLE ${s}.owner_slots (
  owner text PRIMARY KEY,
  held  integer NOT NULL
);

-- The head of each agent's hash chain: the row every append (commit or refusal) locks.
CREATE TABLE ${s}.audit_heads (
  agent_id text PRIMARY KEY,
  seq      integer NOT NULL,
  hash     text NOT NULL
);

CREATE TABLE ${s}.audit_entries (
  agent_id text NOT NULL,
  seq      integer NOT NULL,
  denied   boolean NOT NULL,
  hash     text NOT NULL,
  doc      text NOT NULL,
  PRIMARY KEY (agent_id, seq)
);

CREATE TABLE ${s}.revisions (
  agent_id text NOT NULL,
  id       text NOT NULL,
  pos      bigserial NOT NULL,
  doc      text NOT NULL,
  PRIMARY KEY (agent_id, id)
);

CREATE TABLE ${s}.agent_tokens (
  hash       text PRIMARY KEY,
  agent_id   text NOT NULL,
  revoked_at bigint,
  doc        text NOT NULL
);
CREATE INDEX agent_tokens_agent ON ${s}.agent_tokens (agent_id);

CREATE TABLE ${s}.registration_tokens (
  hash       text PRIMARY KEY,
  id         text,
  pos        bigserial NOT NULL,
  owner      text NOT NULL,
  expires_at bigint NOT NULL,
  used_at    bigint,
  revoked_at bigint,
  doc        text NOT NULL
);
CREATE INDEX registration_tokens_owner ON ${s}.registration_tokens (owner, pos);
CREATE INDEX registration_tokens_id ON ${s}.registration_tokens (id) WHERE id IS NOT NULL;
CREATE INDEX registration_tokens_expiry ON ${s}.registration_tokens (expires_at);

CREATE TABLE ${s}.commands (
  agent_id    text NOT NULL,
  id          text NOT NULL,
  pos         bigserial NOT NULL,
  status      text NOT NULL,
  claimed_at  bigint,
  finished_at bigint,
  output      text,
  error       text,
  doc         text NOT NULL,
  PRIMARY KEY (agent_id, id)
);
CREATE INDEX commands_pending ON ${s}.commands (agent_id, pos) WHERE status = 'pending';
CREATE INDEX commands_agent ON ${s}.commands (agent_id, pos);

CREATE TABLE ${s}.idempotency (
  scope      text NOT NULL,
  key        text NOT NULL,
  pos        bigserial NOT NULL,
  expires_at bigint NOT NULL,
  state      text NOT NULL,
  response   text,
  doc        text NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_scope ON ${s}.idempotency (scope, pos);
CREATE INDEX idempotency_expiry ON ${s}.idempotency (expires_at);
`,
  },
  {
    version: 2,
    name: 'backups and services',
    sql: (s) => `
CREATE TABLE ${s}.backups (
  id         text PRIMARY KEY,
  pos        bigserial NOT NULL,
  owner      text NOT NULL,
  agent_id   text NOT NULL,
  status     text NOT NULL,
  created_at bigint NOT NULL,
  doc        text NOT NULL
);
CREATE INDEX backups_owner ON ${s}.backups (owner, created_at, pos);
CREATE INDEX backups_agent ON ${s}.backups (agent_id);

CREATE TABLE ${s}.services (
  owner    text NOT NULL,
  code     text NOT NULL,
  agent_id text NOT NULL,
  doc      text NOT NULL,
  PRIMARY KEY (owner, code)
);
CREATE INDEX services_agent ON ${s}.services (owner, agent_id);
`,
  },
  {
    version: 3,
    name: 'operation leases',
    sql: (s) => `
ALTER TABLE ${s}.agents ADD COLUMN operation_id text;
UPDATE ${s}.agents SET operation_id = (doc::json -> 'operation' ->> 'id');
CREATE INDEX agents_operation ON ${s}.agents (operation_id) WHERE operation_id IS NOT NULL;

-- Who runs an operation's driver call, until when (the database's clock, in ms). A NULL holder
-- is a placeholder an orphan scan put for an operation nobody had taken yet.
CREATE TABLE ${s}.operation_leases (
  operation_id text PRIMARY KEY,
  agent_id     text NOT NULL,
  holder       text,
  expires_at   bigint NOT NULL,
  takeovers    integer NOT NULL DEFAULT 0
);
CREATE INDEX operation_leases_expiry ON ${s}.operation_leases (expires_at);
`,
  },
  {
    version: 4,
    name: 'shared sweeper',
    sql: (s) => `
-- A sweeping instance's claim on a due record, until this time (the database's clock, in ms);
-- the record's next commit clears it.
ALTER TABLE ${s}.agents ADD COLUMN swept_until bigint;

-- Process-wide jobs (waitlist promotion, purges): one holder at a time, under a lease; the
-- generation grows with every change of holder.
CREATE TABLE ${s}.process_jobs (
  job        text PRIMARY KEY,
  holder     text NOT NULL,
  generation integer NOT NULL,
  expires_at bigint NOT NULL
);
`,
  },
];
