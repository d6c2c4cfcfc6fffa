/**
 * Agent records, their audit trail and revisions: reads, and {@link StoreCommit} applied in one
 * transaction — the chain head locked, the compare-and-set `UPDATE … WHERE id = $1 AND version
 * = $2` (zero rows: a conflict, nothing written), the quota claim, the audit entries re-linked
 * onto the stored head, revisions and token changes, or a purge.
 *
 * @module
 */
import {
  type AgentRecord,
  type AuditEntry,
  type AuditHead,
  BerthError,
  foldDenial,
  GENESIS_HASH,
  type LifecycleStore,
  type ListFilter,
  linkAuditEntries,
  linkDenial,
  type Revision,
  type StoreCommit,
  VersionConflictError,
} from '@berth/core';
import type { PoolClient } from 'pg';
import { type DocRow, doc, limitOf, parse, parseAll, type StoreContext } from './context.js';

type AgentMethods = Pick<
  LifecycleStore,
  | 'get'
  | 'list'
  | 'findByCode'
  | 'commit'
  | 'audit'
  | 'revisions'
  | 'countSlots'
  | 'appendDenial'
  | 'due'
  | 'nextDueAt'
>;

interface OldRow {
  readonly owner: string;
  readonly holds_slot: boolean;
}

const holdsSlot = (r: AgentRecord): boolean =>
  r.kind === 'managed' && r.status !== 'deleting' && r.status !== 'deleted';

/** The SQL of the agent methods, for the quoted schema `s`. */
function statements(s: string) {
  const cols = 'owner, status, code, version, due_at, holds_slot, operation_id, doc';
  return {
    get: `SELECT doc FROM ${s}.agents WHERE id = $1`,
    version: `SELECT version FROM ${s}.agents WHERE id = $1`,
    byCode: `SELECT doc FROM ${s}.agents WHERE owner = $1 AND code = $2 ORDER BY pos DESC LIMIT 1`,
    /** Lock the chain head (made at genesis for a new trail) and read it: one round trip. */
    lockHead: `INSERT INTO ${s}.audit_heads (agent_id, seq, hash) VALUES ($1, 0, $2)
      ON CONFLICT (agent_id) DO UPDATE SET agent_id = excluded.agent_id RETURNING seq, hash`,
    insert: `INSERT INTO ${s}.agents (id, ${cols}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
      ON CONFLICT (id) DO NOTHING RETURNING NULL::text AS owner, false AS holds_slot`,
    cas: `WITH old AS (SELECT id, owner, holds_slot FROM ${s}.agents WHERE id = $1 AND version = $10 FOR UPDATE)
      UPDATE ${s}.agents a SET (${cols}, swept_until) = ($2, $3, $4, $5, $6, $7, $8, $9, NULL)
      FROM old WHERE a.id = old.id RETURNING old.owner, old.holds_slot`,
    casDelete: `DELETE FROM ${s}.agents WHERE id = $1 AND version = $2 RETURNING owner, holds_slot`,
    lockSlots: `INSERT INTO ${s}.owner_slots (owner, held) VALUES ($1, 0)
      ON CONFLICT (owner) DO UPDATE SET held = ${s}.owner_slots.held RETURNING held`,
    adjustSlots: `INSERT INTO ${s}.owner_slots (owner, held) VALUES ($1, $2)
      ON CONFLICT (owner) DO UPDATE SET held = ${s}.owner_slots.held + excluded.held`,
    slots: `SELECT held FROM ${s}.owner_slots WHERE owner = $1`,
    /** Append entries and move the head, in one statement. */
    append: `WITH ins AS (
        INSERT INTO ${s}.audit_entries (agent_id, seq, denied, hash, doc)
        SELECT $1, * FROM unnest($2::int[], $3::bool[], $4::text[], $5::text[]))
      UPDATE ${s}.audit_heads SET seq = $6, hash = $7 WHERE agent_id = $1`,
    headEntry: `SELECT denied, doc FROM ${s}.audit_entries WHERE agent_id = $1 AND seq = $2`,
    replaceHead: `WITH upd AS (UPDATE ${s}.audit_entries SET hash = $3, doc = $4 WHERE agent_id = $1 AND seq = $2)
      UPDATE ${s}.audit_heads SET hash = $3 WHERE agent_id = $1`,
    audit: `SELECT doc FROM ${s}.audit_entries WHERE agent_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    revisions: `SELECT doc FROM ${s}.revisions WHERE agent_id = $1 ORDER BY pos`,
    putRevisions: `INSERT INTO ${s}.revisions (agent_id, id, doc) SELECT $1, * FROM unnest($2::text[], $3::text[])
      ON CONFLICT (agent_id, id) DO UPDATE SET doc = excluded.doc`,
    revokeTokens: `UPDATE ${s}.agent_tokens SET revoked_at = $2 WHERE agent_id = $1 AND revoked_at IS NULL`,
    issueTokens: `INSERT INTO ${s}.agent_tokens (hash, agent_id, revoked_at, doc)
      SELECT h, $1, r, d FROM unnest($2::text[], $3::bigint[], $4::text[]) AS t(h, r, d)
      ON CONFLICT (hash) DO UPDATE SET agent_id = excluded.agent_id, revoked_at = excluded.revoked_at, doc = excluded.doc`,
    purge: `WITH r AS (DELETE FROM ${s}.revisions WHERE agent_id = $1),
      c AS (DELETE FROM ${s}.commands WHERE agent_id = $1)
      DELETE FROM ${s}.agent_tokens WHERE agent_id = $1`,
    due: `SELECT doc FROM ${s}.agents WHERE due_at <= $1 ORDER BY due_at, pos LIMIT $2`,
    nextDue: `SELECT min(due_at) AS at FROM ${s}.agents WHERE due_at IS NOT NULL`,
  };
}

/**
 * The record, audit, revision and due-index methods over `ctx`. `inCommit` writes what else a
 * commit carries (the catalogs), inside its transaction.
 */
export function agentMethods(
  ctx: StoreContext,
  inCommit: (client: PoolClient, commit: StoreCommit) => Promise<void> = async () => {},
): AgentMethods {
  const { pool } = ctx;
  const q = statements(ctx.schema);

  const lockHead = async (c: PoolClient, agentId: string): Promise<AuditHead> => {
    const row = (await c.query<{ seq: number; hash: string }>(q.lockHead, [agentId, GENESIS_HASH])).rows[0]!;
    return { seq: row.seq, hash: row.hash };
  };
  const append = async (c: PoolClient, agentId: string, entries: readonly AuditEntry[]) => {
    const last = entries.at(-1);
    if (!last) return;
    await c.query(q.append, [
      agentId,
      entries.map((e) => e.seq),
      entries.map((e) => e.denied),
      entries.map((e) => e.hash),
      entries.map(doc),
      last.seq,
      last.hash,
    ]);
  };
  const conflict = async (c: PoolClient, commit: StoreCommit): Promise<never> => {
    const row = (await c.query<{ version: number }>(q.version, [commit.record.id])).rows[0];
    throw new VersionConflictError(commit.record.id, commit.expectedVersion, row ? row.version : null);
  };

  const applyCommit = async (c: PoolClient, commit: StoreCommit): Promise<void> => {
    const id = commit.record.id;
    const audit = linkAuditEntries(commit.audit, await lockHead(c, id));
    if (commit.purge) {
      const old = (await c.query<OldRow>(q.casDelete, [id, commit.expectedVersion])).rows[0];
      if (!old) return conflict(c, commit);
      if (old.holds_slot) await c.query(q.adjustSlots, [old.owner, -1]);
      await c.query(q.purge, [id]);
      await append(c, id, audit);
      await inCommit(c, commit);
      return;
    }
    const last = audit.at(-1);
    const record =
      last && audit !== commit.audit
        ? { ...commit.record, auditSeq: last.seq, auditHead: last.hash }
        : commit.record;
    const is = holdsSlot(record);
    const row = [
      id,
      record.owner,
      record.status,
      record.code ?? null,
      record.version,
      record.dueAt ?? null,
      is,
      record.operation?.id ?? null,
      doc(record),
    ];
    const inserting = commit.expectedVersion === 0;
    const old = inserting
      ? (await c.query<OldRow>(q.insert, row)).rows[0]
      : (await c.query<OldRow>(q.cas, [...row, commit.expectedVersion])).rows[0];
    if (!old) return conflict(c, commit);
    const was = old.holds_slot;
    if (commit.quota && !was && is) {
      const held = Number((await c.query<{ held: number }>(q.lockSlots, [commit.quota.owner])).rows[0]!.held);
      if (held >= commit.quota.limit) {
        throw new BerthError(
          'QUOTA_EXCEEDED',
          `owner '${commit.quota.owner}' holds ${held} of ${commit.quota.limit} slots`,
        );
      }
    }
    if (was && old.owner !== record.owner) {
      await c.query(q.adjustSlots, [old.owner, -1]);
      if (is) await c.query(q.adjustSlots, [record.owner, 1]);
    } else if (was !== is) {
      await c.query(q.adjustSlots, [record.owner, is ? 1 : -1]);
    }
    await append(c, id, audit);
    const revisions = commit.revisions ?? [];
    if (revisions.length > 0) {
      await c.query(q.putRevisions, [id, revisions.map((r) => r.id), revisions.map(doc)]);
    }
    if (commit.revokeTokens) await c.query(q.revokeTokens, [id, record.updatedAt]);
    const tokens = commit.issueTokens ?? [];
    if (tokens.length > 0) {
      await c.query(q.issueTokens, [
        id,
        tokens.map((t) => t.hash),
        tokens.map((t) => t.revokedAt ?? null),
        tokens.map(doc),
      ]);
    }
    await inCommit(c, commit);
  };

  const applyDenial = async (c: PoolClient, entry: AuditEntry, foldWithinMs: number) => {
    const head = await lockHead(c, entry.agentId);
    if (foldWithinMs > 0 && head.seq > 0) {
      const row = (await c.query<DocRow & { denied: boolean }>(q.headEntry, [entry.agentId, head.seq]))
        .rows[0];
      if (row?.denied) {
        const folded = foldDenial(JSON.parse(row.doc) as AuditEntry, entry, foldWithinMs);
        if (folded) {
          await c.query(q.replaceHead, [entry.agentId, head.seq, folded.hash, doc(folded)]);
          return folded;
        }
      }
    }
    const stored = linkDenial(entry, head);
    await append(c, entry.agentId, [stored]);
    return stored;
  };

  return {
    async get(agentId) {
      ctx.check();
      return parse<AgentRecord>((await pool.query<DocRow>(q.get, [agentId])).rows[0]);
    },

    async list(filter: ListFilter = {}) {
      ctx.check();
      const where: string[] = [];
      const values: unknown[] = [];
      if (filter.owner !== undefined) where.push(`owner = $${values.push(filter.owner)}`);
      if (filter.status !== undefined) where.push(`status = $${values.push(filter.status)}`);
      const sql = `SELECT doc FROM ${ctx.schema}.agents${
        where.length ? ` WHERE ${where.join(' AND ')}` : ''
      } ORDER BY pos LIMIT $${values.push(limitOf(filter.limit))}`;
      return parseAll<AgentRecord>((await pool.query<DocRow>(sql, values)).rows);
    },

    async findByCode(owner, code) {
      ctx.check();
      return parse<AgentRecord>((await pool.query<DocRow>(q.byCode, [owner, code])).rows[0]);
    },

    async countSlots(owner) {
      ctx.check();
      return Number((await pool.query<{ held: number }>(q.slots, [owner])).rows[0]?.held ?? 0);
    },

    async commit(commit) {
      await ctx.tx((c) => applyCommit(c, commit));
      if (commit.audit.length > 0) ctx.appended();
    },

    async appendDenial(entry, options = {}) {
      const stored = await ctx.tx((c) => applyDenial(c, entry, options.foldWithinMs ?? 0));
      ctx.appended();
      return stored;
    },

    async audit(agentId, options = {}) {
      ctx.check();
      const rows = (await pool.query<DocRow>(q.audit, [agentId, options.after ?? 0, limitOf(options.limit)]))
        .rows;
      return parseAll<AuditEntry>(rows);
    },

    async revisions(agentId) {
      ctx.check();
      return parseAll<Revision>((await pool.query<DocRow>(q.revisions, [agentId])).rows);
    },

    async due(now, limit) {
      ctx.check();
      return parseAll<AgentRecord>((await pool.query<DocRow>(q.due, [now, limitOf(limit)])).rows);
    },

    async nextDueAt() {
      ctx.check();
      const at = (await pool.query<{ at: string | null }>(q.nextDue)).rows[0]?.at;
      return at === null || at === undefined ? null : Number(at);
    },
  };
}
