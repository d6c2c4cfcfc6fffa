/**
 * The schema, as ordered SQL migrations. Each runs once, in order, inside the transaction that
 * records it in `schema_migrations`; a migration is never edited once released (add the next
 * one instead). Records and side rows are JSON documents (`doc`) plus the columns that queries
 * filter or sort on, so a new field of a record needs no migration.
 *
 * @module
 */

/** One schema migration. */
export interface Migration {
  /** 1, 2, 3 … without gaps. */
  readonly version: number;
  /** A short name, stored beside the version. */
  readonly name: string;
  /** The statements (run with `exec`). */
  readonly sql: string;
}

/** Every migration of the store, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
CREATE TABLE agents (
  id         TEXT PRIMARY KEY,
  owner      TEXT NOT NULL,
  status     TEXT NOT NULL,
  code       TEXT,
  version    INTEGER NOT NULL,
  due_at     INTEGER,
  holds_slot INTEGER NOT NULL,
  doc        TEXT NOT NULL
);
CREATE INDEX agents_owner_status ON agents (owner, status);
CREATE INDEX agents_owner_code ON agents (owner, code) WHERE code IS NOT NULL;
CREATE INDEX agents_due ON agents (due_at) WHERE due_at IS NOT NULL;

CREATE TABLE owner_slots (
  owner TEXT PRIMARY KEY,
  held  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE audit_entries (
  agent_id TEXT NOT NULL,
  seq      INTEGER NOT NULL,
  denied   INTEGER NOT NULL,
  hash     TEXT NOT NULL,
  doc      TEXT NOT NULL,
  PRIMARY KEY (agent_id, seq)
) WITHOUT ROWID;

CREATE TABLE revisions (
  agent_id TEXT NOT NULL,
  id       TEXT NOT NULL,
  doc      TEXT NOT NULL,
  UNIQUE (agent_id, id)
);

CREATE TABLE agent_tokens (
  hash       TEXT PRIMARY KEY,
  agent_id   TEXT NOT NULL,
  revoked_at INTEGER,
  doc        TEXT NOT NULL
);
CREATE INDEX agent_tokens_agent ON agent_tokens (agent_id);

CREATE TABLE registration_tokens (
  hash       TEXT PRIMARY KEY,
  id         TEXT,
  owner      TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  doc        TEXT NOT NULL
);
CREATE INDEX registration_tokens_owner ON registration_tokens (owner);
CREATE INDEX registration_tokens_id ON registration_tokens (id) WHERE id IS NOT NULL;
CREATE INDEX registration_tokens_expiry ON registration_tokens (expires_at);

CREATE TABLE commands (
  agent_id TEXT NOT NULL,
  id       TEXT NOT NULL,
  status   TEXT NOT NULL,
  doc      TEXT NOT NULL,
  UNIQUE (agent_id, id)
);
CREATE INDEX commands_agent_status ON commands (agent_id, status);

CREATE TABLE idempotency (
  scope      TEXT NOT NULL,
  key        TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  doc        TEXT NOT NULL,
  UNIQUE (scope, key)
);
CREATE INDEX idempotency_scope ON idempotency (scope);
CREATE INDEX idempotency_expiry ON idempotency (expires_at);
`,
  },
  {
    version: 2,
    name: 'backups and services',
    sql: `
CREATE TABLE backups (
  id         TEXT PRIMARY KEY,
  owner      TEXT NOT NULL,
  agent_id   TEXT NOT NULL,
  status     TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  doc        TEXT NOT NULL
);
CREATE INDEX backups_owner ON backups (owner, created_at);
CREATE INDEX backups_agent ON backups (agent_id);

CREATE TABLE services (
  owner    TEXT NOT NULL,
  code     TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  doc      TEXT NOT NULL,
  PRIMARY KEY (owner, code)
) WITHOUT ROWID;
CREATE INDEX services_agent ON services (agent_id);
`,
  },
];
