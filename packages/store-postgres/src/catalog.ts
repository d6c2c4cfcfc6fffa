/**
 * The catalogs beside the records: backups (by id) and services (by owner and code). Both
 * outlive their agents (a purge leaves them), and both can be written inside a record's commit
 * (`applyCatalog`, in its transaction) or on their own.
 *
 * @module
 */
import type { BackupRecord, LifecycleStore, ServiceRecord, StoreCommit } from '@berth/core';
import type { PoolClient } from 'pg';
import { type DocRow, doc, parse, parseAll, type Queryable, type StoreContext } from './context.js';

type CatalogMethods = Pick<
  LifecycleStore,
  'putBackup' | 'getBackup' | 'listBackups' | 'deleteBackup' | 'putServices' | 'listServices'
>;

/** The catalog methods, and the writer a commit's transaction calls. */
export interface PostgresCatalog {
  readonly methods: CatalogMethods;
  /** Write a commit's backups and services on `client`, inside the commit's transaction. */
  applyCatalog(client: PoolClient, commit: Pick<StoreCommit, 'backups' | 'services'>): Promise<void>;
}

/** The SQL of the catalogs, for the quoted schema `s`. */
function statements(s: string) {
  return {
    putBackups: `INSERT INTO ${s}.backups (id, owner, agent_id, status, created_at, doc)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[])
      ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, agent_id = excluded.agent_id,
      status = excluded.status, created_at = excluded.created_at, doc = excluded.doc`,
    backup: `SELECT doc FROM ${s}.backups WHERE id = $1`,
    backupsOf: `SELECT doc FROM ${s}.backups WHERE owner = $1 AND ($2::text IS NULL OR agent_id = $2)
      ORDER BY created_at, pos`,
    dropBackup: `WITH b AS (SELECT owner, status FROM ${s}.backups WHERE id = $2 FOR UPDATE),
      d AS (DELETE FROM ${s}.backups WHERE id = $2 AND owner = $1 AND status <> 'pending' RETURNING 1)
      SELECT (SELECT owner FROM b) AS owner, (SELECT status FROM b) AS status, (SELECT count(*) FROM d) AS deleted`,
    putServices: `INSERT INTO ${s}.services (owner, code, agent_id, doc)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
      ON CONFLICT (owner, code) DO UPDATE SET agent_id = excluded.agent_id, doc = excluded.doc`,
    servicesOf: `SELECT doc FROM ${s}.services WHERE owner = $1 AND ($2::text IS NULL OR agent_id = $2)
      AND ($3::text[] IS NULL OR code = ANY($3)) ORDER BY code COLLATE "C"`,
  };
}

/** The backup and service catalogs over `ctx`. */
export function catalogMethods(ctx: StoreContext): PostgresCatalog {
  const { pool } = ctx;
  const q = statements(ctx.schema);
  const writeBackups = (on: Queryable, list: readonly BackupRecord[]) =>
    on.query(q.putBackups, [
      list.map((b) => b.id),
      list.map((b) => b.owner),
      list.map((b) => b.agentId),
      list.map((b) => b.status),
      list.map((b) => b.createdAt),
      list.map(doc),
    ]);
  // One row per (owner, code): the last of duplicates in one call wins, as a loop of upserts would.
  const writeServices = (on: Queryable, list: readonly ServiceRecord[]) => {
    const unique = [...new Map(list.map((sv) => [`${sv.owner}\u0000${sv.code}`, sv])).values()];
    return on.query(q.putServices, [
      unique.map((sv) => sv.owner),
      unique.map((sv) => sv.code),
      unique.map((sv) => sv.agentId),
      unique.map(doc),
    ]);
  };

  return {
    async applyCatalog(client, c) {
      if (c.backups?.length) await writeBackups(client, c.backups);
      if (c.services?.length) await writeServices(client, c.services);
    },
    methods: {
      async putBackup(backup) {
        ctx.check();
        await writeBackups(pool, [backup]);
      },

      async getBackup(id) {
        ctx.check();
        return parse<BackupRecord>((await pool.query<DocRow>(q.backup, [id])).rows[0]);
      },

      async listBackups(filter) {
        ctx.check();
        const rows = (await pool.query<DocRow>(q.backupsOf, [filter.owner, filter.agentId ?? null])).rows;
        return parseAll<BackupRecord>(rows);
      },

      async deleteBackup(owner, id) {
        ctx.check();
        const row = (
          await pool.query<{ owner: string | null; status: string | null; deleted: string }>(q.dropBackup, [
            owner,
            id,
          ])
        ).rows[0];
        if (!row || row.owner !== owner) return 'not_found';
        return row.status === 'pending' ? 'pending' : 'deleted';
      },

      async putServices(list) {
        ctx.check();
        if (list.length > 0) await writeServices(pool, list);
      },

      async listServices(filter) {
        ctx.check();
        const codes = filter.codes === undefined ? null : [...filter.codes];
        const rows = (await pool.query<DocRow>(q.servicesOf, [filter.owner, filter.agentId ?? null, codes]))
          .rows;
        return parseAll<ServiceRecord>(rows);
      },
    },
  };
}
