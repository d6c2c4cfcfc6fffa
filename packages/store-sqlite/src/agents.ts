/**
 * Agent records, their audit trail and revisions: reads, and {@link StoreCommit} applied in one
 * `BEGIN IMMEDIATE` transaction (compare-and-set on the version, the quota claim, the audit
 * entries re-linked onto the stored chain head, revisions and token changes, or a purge).
 *
 * @module
 */
import {
  type AgentRecord,
  type AgentTokenRecord,
  type AuditEntry,
  type AuditHead,
  BerthError,
  EMPTY_AUDIT_HEAD,
  foldDenial,
  type LifecycleStore,
  type ListFilter,
  linkAuditEntries,
  linkDenial,
  type Revision,
  type StoreCommit,
  VersionConflictError,
} from '@berth/core';
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

interface CurrentRow {
  readonly owner: string;
  readonly version: number;
  readonly holds_slot: number;
}
interface HeadRow {
  readonly seq: number;
  readonly hash: string;
}

/** How many records the read cache keeps (the most recently used). */
const CACHE_MAX = 10_000;

const holdsSlot = (r: AgentRecord | null | undefined): boolean =>
  r != null && r.kind === 'managed' && r.status !== 'deleting' && r.status !== 'deleted';

/**
 * The record, audit, revision and due-index methods over `ctx`. `inCommit` writes what else a
 * commit carries (the catalogs), inside its transaction.
 */
export function agentMethods(ctx: StoreContext, inCommit: (c: StoreCommit) => void = () => {}): AgentMethods {
  const { db } = ctx;
  const q = {
    get: db.prepare<[string], DocRow>('SELECT doc FROM agents WHERE id = ?'),
    current: db.prepare<[string], CurrentRow>('SELECT owner, version, holds_slot FROM agents WHERE id = ?'),
    listAll: db.prepare<[number], DocRow>('SELECT doc FROM agents ORDER BY rowid LIMIT ?'),
    listOwner: db.prepare<[string, number], DocRow>(
      'SELECT doc FROM agents WHERE owner = ? ORDER BY rowid LIMIT ?',
    ),
    listStatus: db.prepare<[string, number], DocRow>(
      'SELECT doc FROM agents WHERE status = ? ORDER BY rowid LIMIT ?',
    ),
    listOwnerStatus: db.prepare<[string, string, number], DocRow>(
      'SELECT doc FROM agents WHERE owner = ? AND status = ? ORDER BY rowid LIMIT ?',
    ),
    byCode: db.prepare<[string, string], DocRow>(
      'SELECT doc FROM agents WHERE owner = ? AND code = ? ORDER BY rowid DESC LIMIT 1',
    ),
    insert: db.prepare(
      'INSERT INTO agents (id, owner, status, code, version, due_at, holds_slot, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    update: db.prepare(
      'UPDATE agents SET owner = ?, status = ?, code = ?, version = ?, due_at = ?, holds_slot = ?, doc = ? WHERE id = ?',
    ),
    remove: db.prepare<[string]>('DELETE FROM agents WHERE id = ?'),
    slots: db.prepare<[string], { held: number }>('SELECT held FROM owner_slots WHERE owner = ?'),
    adjustSlots: db.prepare<[string, number]>(
      'INSERT INTO owner_slots (owner, held) VALUES (?, ?) ON CONFLICT (owner) DO UPDATE SET held = held + excluded.held',
    ),
    head: db.prepare<[string], HeadRow>(
      'SELECT seq, hash FROM audit_entries WHERE agent_id = ? ORDER BY seq DESC LIMIT 1',
    ),
    headDoc: db.prepare<[string], HeadRow & DocRow & { denied: number }>(
      'SELECT seq, hash, denied, doc FROM audit_entries WHERE agent_id = ? ORDER BY seq DESC LIMIT 1',
    ),
    appendAudit: db.prepare<[string, number, number, string, string]>(
      'INSERT INTO audit_entries (agent_id, seq, denied, hash, doc) VALUES (?, ?, ?, ?, ?)',
    ),
    replaceAudit: db.prepare<[string, string, string, number]>(
      'UPDATE audit_entries SET hash = ?, doc = ? WHERE agent_id = ? AND seq = ?',
    ),
    audit: db.prepare<[string, number, number], DocRow>(
      'SELECT doc FROM audit_entries WHERE agent_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    revisions: db.prepare<[string], DocRow>('SELECT doc FROM revisions WHERE agent_id = ? ORDER BY rowid'),
    putRevision: db.prepare<[string, string, string]>(
      'INSERT INTO revisions (agent_id, id, doc) VALUES (?, ?, ?) ON CONFLICT (agent_id, id) DO UPDATE SET doc = excluded.doc',
    ),
    activeTokens: db.prepare<[string], { hash: string } & DocRow>(
      'SELECT hash, doc FROM agent_tokens WHERE agent_id = ? AND revoked_at IS NULL',
    ),
    revokeToken: db.prepare<[number, string, string]>(
      'UPDATE agent_tokens SET revoked_at = ?, doc = ? WHERE hash = ?',
    ),
    issueToken: db.prepare<[string, string, number | null, string]>(
      'INSERT INTO agent_tokens (hash, agent_id, revoked_at, doc) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO UPDATE SET agent_id = excluded.agent_id, revoked_at = excluded.revoked_at, doc = excluded.doc',
    ),
    purgeRevisions: db.prepare<[string]>('DELETE FROM revisions WHERE agent_id = ?'),
    purgeCommands: db.prepare<[string]>('DELETE FROM commands WHERE agent_id = ?'),
    purgeTokens: db.prepare<[string]>('DELETE FROM agent_tokens WHERE agent_id = ?'),
    due: db.prepare<[number, number], DocRow>(
      'SELECT doc FROM agents WHERE due_at <= ? ORDER BY due_at LIMIT ?',
    ),
    nextDue: db.prepare<[], { at: number | null }>(
      'SELECT min(due_at) AS at FROM agents WHERE due_at IS NOT NULL',
    ),
  };

  const headOf = (agentId: string): AuditHead => q.head.get(agentId) ?? EMPTY_AUDIT_HEAD;
  const appendAudit = (agentId: string, entries: readonly AuditEntry[]) => {
    for (const e of entries) q.appendAudit.run(agentId, e.seq, e.denied ? 1 : 0, e.hash, doc(e));
  };
  const adjustSlots = (owner: string, was: boolean, is: boolean) => {
    if (was !== is) q.adjustSlots.run(owner, is ? 1 : -1);
  };

  // Records as last read or committed. The file is this process's alone (locked exclusively),
  // so what it committed is what is stored: `get` needs no query and no parse. Records are
  // immutable to the manager (the memory store shares them the same way).
  const cache = new Map<string, AgentRecord>();
  const remember = (record: AgentRecord) => {
    cache.delete(record.id);
    cache.set(record.id, record);
    if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value as string);
  };

  const applyCommit = db.transaction((c: StoreCommit): AgentRecord | null => {
    const id = c.record.id;
    const current = q.current.get(id);
    const actual = current?.version ?? 0;
    if (actual !== c.expectedVersion)
      throw new VersionConflictError(id, c.expectedVersion, current ? actual : null);
    const held = current !== undefined && current.holds_slot === 1;
    if (c.quota && !held && holdsSlot(c.record)) {
      const count = q.slots.get(c.quota.owner)?.held ?? 0;
      if (count >= c.quota.limit) {
        throw new BerthError(
          'QUOTA_EXCEEDED',
          `owner '${c.quota.owner}' holds ${count} of ${c.quota.limit} slots`,
        );
      }
    }
    const audit = linkAuditEntries(c.audit, headOf(id));
    if (c.purge) {
      if (current) adjustSlots(current.owner, held, false);
      q.remove.run(id);
      q.purgeRevisions.run(id);
      q.purgeCommands.run(id);
      q.purgeTokens.run(id);
      appendAudit(id, audit);
      inCommit(c);
      return null;
    }
    const last = audit.at(-1);
    const record =
      last && audit !== c.audit ? { ...c.record, auditSeq: last.seq, auditHead: last.hash } : c.record;
    const is = holdsSlot(record);
    adjustSlots(record.owner, held, is);
    const row = [
      record.owner,
      record.status,
      record.code ?? null,
      record.version,
      record.dueAt ?? null,
      is ? 1 : 0,
      doc(record),
    ];
    if (current) q.update.run(...row, id);
    else q.insert.run(id, ...row);
    appendAudit(id, audit);
    for (const rev of c.revisions ?? []) q.putRevision.run(id, rev.id, doc(rev));
    if (c.revokeTokens) {
      const now = record.updatedAt;
      for (const t of q.activeTokens.all(id)) {
        q.revokeToken.run(now, doc({ ...(JSON.parse(t.doc) as AgentTokenRecord), revokedAt: now }), t.hash);
      }
    }
    for (const t of c.issueTokens ?? []) q.issueToken.run(t.hash, id, t.revokedAt ?? null, doc(t));
    inCommit(c);
    return record;
  });

  const applyDenial = db.transaction((entry: AuditEntry, foldWithinMs: number): AuditEntry => {
    if (foldWithinMs > 0) {
      const row = q.headDoc.get(entry.agentId);
      if (row?.denied === 1) {
        const folded = foldDenial(JSON.parse(row.doc) as AuditEntry, entry, foldWithinMs);
        if (folded) {
          q.replaceAudit.run(folded.hash, doc(folded), entry.agentId, row.seq);
          return folded;
        }
      }
    }
    const stored = linkDenial(entry, headOf(entry.agentId));
    appendAudit(entry.agentId, [stored]);
    return stored;
  });

  return {
    async get(agentId) {
      ctx.check();
      const hit = cache.get(agentId);
      if (hit !== undefined) return hit;
      const record = parse<AgentRecord>(q.get.get(agentId));
      if (record !== null) remember(record);
      return record;
    },

    async list(filter: ListFilter = {}) {
      ctx.check();
      const limit = limitOf(filter.limit);
      const { owner, status } = filter;
      const rows =
        owner !== undefined && status !== undefined
          ? q.listOwnerStatus.all(owner, status, limit)
          : owner !== undefined
            ? q.listOwner.all(owner, limit)
            : status !== undefined
              ? q.listStatus.all(status, limit)
              : q.listAll.all(limit);
      return parseAll<AgentRecord>(rows);
    },

    async findByCode(owner, code) {
      ctx.check();
      return parse<AgentRecord>(q.byCode.get(owner, code));
    },

    async countSlots(owner) {
      ctx.check();
      return q.slots.get(owner)?.held ?? 0;
    },

    async commit(c) {
      ctx.check();
      let stored: AgentRecord | null;
      try {
        stored = applyCommit.immediate(c);
      } catch (error) {
        cache.delete(c.record.id);
        throw error;
      }
      if (stored === null) cache.delete(c.record.id);
      else remember(stored);
    },

    async appendDenial(entry, options = {}) {
      ctx.check();
      return applyDenial.immediate(entry, options.foldWithinMs ?? 0);
    },

    async audit(agentId, options = {}) {
      ctx.check();
      return parseAll<AuditEntry>(q.audit.all(agentId, options.after ?? 0, limitOf(options.limit)));
    },

    async revisions(agentId) {
      ctx.check();
      return parseAll<Revision>(q.revisions.all(agentId));
    },

    async due(now, limit) {
      ctx.check();
      return parseAll<AgentRecord>(q.due.all(now, limitOf(limit)));
    },

    async nextDueAt() {
      ctx.check();
      return q.nextDue.get()?.at ?? null;
    },
  };
}
