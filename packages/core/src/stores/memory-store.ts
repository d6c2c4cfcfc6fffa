/**
 * The in-memory store: the embedded default, and what tests and single-process platforms use.
 * Every method is atomic because each runs to completion without awaiting; the same contract
 * holds for a SQL store with transactions.
 *
 * @module
 */
import { BerthError, VersionConflictError } from '../errors.js';
import type {
  AgentRecord,
  AgentTokenRecord,
  AuditEntry,
  CommandRecord,
  IdempotencyRecord,
  RegistrationTokenRecord,
  Revision,
} from '../record.js';
import type { LifecycleStore, ListFilter, StoreCommit } from '../store.js';
import { DueHeap } from './due-heap.js';
import { createMemoryCatalog } from './memory-catalog.js';
import { EMPTY_AUDIT_HEAD, foldDenial, linkAuditEntries, linkDenial } from './audit-head.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Keep at most this many audit entries per agent (oldest dropped first). @default Infinity */
  readonly maxAuditEntriesPerAgent?: number;
}

/** An in-memory {@link LifecycleStore}, with a few extras for tests and benchmarks. */
export interface MemoryStore extends LifecycleStore {
  /** Number of stored agent records. */
  readonly size: number;
  /** Overwrite stored audit entries (for tamper-detection tests). */
  unsafeReplaceAudit(agentId: string, entries: AuditEntry[]): void;
}

const holdsSlot = (r: AgentRecord | undefined) =>
  r !== undefined && r.kind === 'managed' && r.status !== 'deleting' && r.status !== 'deleted';

/**
 * Create an in-memory store.
 *
 * @example
 * ```ts
 * const manager = createLifecycleManager({ store: createMemoryStore(), driver });
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const maxAudit = options.maxAuditEntriesPerAgent ?? Number.POSITIVE_INFINITY;
  const records = new Map<string, AgentRecord>();
  const audits = new Map<string, AuditEntry[]>();
  const revisions = new Map<string, Revision[]>();
  const codes = new Map<string, string>();
  const slots = new Map<string, number>();
  const registrationTokens = new Map<string, RegistrationTokenRecord>();
  const agentTokens = new Map<string, AgentTokenRecord>();
  const tokensByAgent = new Map<string, Set<string>>();
  const commands = new Map<string, CommandRecord[]>();
  /** By scope, then key; a scope's map iterates oldest first. */
  const idempotency = new Map<string, Map<string, IdempotencyRecord>>();
  const registrationTokenIds = new Map<string, string>();
  const due = new DueHeap();
  const catalog = createMemoryCatalog();

  const codeKey = (owner: string, code: string) => `${owner}\u0000${code}`;
  const headOf = (agentId: string) => audits.get(agentId)?.at(-1) ?? EMPTY_AUDIT_HEAD;
  const appendAudit = (agentId: string, entries: readonly AuditEntry[]) => {
    if (entries.length === 0) return;
    let list = audits.get(agentId);
    if (!list) {
      list = [];
      audits.set(agentId, list);
    }
    for (const e of entries) list.push(e);
    if (list.length > maxAudit) list.splice(0, list.length - maxAudit);
  };
  const adjustSlots = (before: AgentRecord | undefined, after: AgentRecord | undefined) => {
    const was = holdsSlot(before);
    const is = holdsSlot(after);
    if (was === is) return;
    const owner = (after ?? before)!.owner;
    slots.set(owner, (slots.get(owner) ?? 0) + (is ? 1 : -1));
  };

  const store: MemoryStore = {
    get size() {
      return records.size;
    },

    async get(agentId) {
      return records.get(agentId) ?? null;
    },

    async list(filter: ListFilter = {}) {
      const out: AgentRecord[] = [];
      const limit = filter.limit ?? Number.POSITIVE_INFINITY;
      for (const r of records.values()) {
        if (filter.owner !== undefined && r.owner !== filter.owner) continue;
        if (filter.status !== undefined && r.status !== filter.status) continue;
        out.push(r);
        if (out.length >= limit) break;
      }
      return out;
    },

    async findByCode(owner, code) {
      const id = codes.get(codeKey(owner, code));
      return id === undefined ? null : (records.get(id) ?? null);
    },

    async countSlots(owner) {
      return slots.get(owner) ?? 0;
    },

    async commit(c: StoreCommit) {
      const current = records.get(c.record.id);
      const actual = current?.version ?? 0;
      if (actual !== c.expectedVersion)
        throw new VersionConflictError(c.record.id, c.expectedVersion, current ? actual : null);
      if (c.quota && !holdsSlot(current) && holdsSlot(c.record)) {
        const held = slots.get(c.quota.owner) ?? 0;
        if (held >= c.quota.limit) {
          throw new BerthError(
            'QUOTA_EXCEEDED',
            `owner '${c.quota.owner}' holds ${held} of ${c.quota.limit} slots`,
          );
        }
      }
      // Everything below is applied together: no await between the check and the writes.
      const id = c.record.id;
      const audit = linkAuditEntries(c.audit, headOf(id));
      if (c.purge) {
        adjustSlots(current, undefined);
        records.delete(id);
        revisions.delete(id);
        commands.delete(id);
        if (current?.code) codes.delete(codeKey(current.owner, current.code));
        for (const hash of tokensByAgent.get(id) ?? []) agentTokens.delete(hash);
        tokensByAgent.delete(id);
        appendAudit(id, audit);
        catalog.apply(c);
        return;
      }
      const last = audit.at(-1);
      const record =
        last && audit !== c.audit
          ? Object.freeze({ ...c.record, auditSeq: last.seq, auditHead: last.hash })
          : Object.isFrozen(c.record)
            ? c.record
            : Object.freeze({ ...c.record });
      adjustSlots(current, record);
      records.set(id, record);
      if (record.code !== null && !current) codes.set(codeKey(record.owner, record.code), id);
      appendAudit(id, audit);
      catalog.apply(c);
      if (c.revisions?.length) {
        let list = revisions.get(id);
        if (!list) {
          list = [];
          revisions.set(id, list);
        }
        for (const rev of c.revisions) {
          const i = list.findIndex((r) => r.id === rev.id);
          if (i >= 0) list[i] = rev;
          else list.push(rev);
        }
      }
      if (c.revokeTokens) {
        const now = record.updatedAt;
        for (const hash of tokensByAgent.get(id) ?? []) {
          const t = agentTokens.get(hash);
          if (t && t.revokedAt === null) agentTokens.set(hash, { ...t, revokedAt: now });
        }
      }
      for (const t of c.issueTokens ?? []) {
        agentTokens.set(t.hash, t);
        let set = tokensByAgent.get(id);
        if (!set) {
          set = new Set();
          tokensByAgent.set(id, set);
        }
        set.add(t.hash);
      }
      if (record.dueAt !== null && record.dueAt !== current?.dueAt) due.push(record.dueAt, id);
    },

    async appendDenial(entry, opts = {}) {
      const list = audits.get(entry.agentId);
      const folded = foldDenial(list?.at(-1), entry, opts.foldWithinMs ?? 0);
      if (folded && list) {
        list[list.length - 1] = folded;
        return folded;
      }
      const stored = linkDenial(entry, headOf(entry.agentId));
      appendAudit(entry.agentId, [stored]);
      return stored;
    },

    async audit(agentId, opts = {}) {
      const after = opts.after ?? 0;
      const list = audits.get(agentId) ?? [];
      const out: AuditEntry[] = [];
      for (const e of list) {
        if (e.seq > after) out.push(e);
        if (opts.limit !== undefined && out.length >= opts.limit) break;
      }
      return out;
    },

    async revisions(agentId) {
      return [...(revisions.get(agentId) ?? [])];
    },

    async due(now, limit) {
      const out: AgentRecord[] = [];
      const seen = new Set<string>();
      const keep: [number, string][] = [];
      while (out.length < limit) {
        const top = due.peek();
        if (top === undefined || top > now) break;
        const [at, id] = due.pop()!;
        const r = records.get(id);
        if (!r || r.dueAt !== at || seen.has(id)) continue;
        seen.add(id);
        out.push(r);
        keep.push([at, id]);
      }
      // Still due until a commit moves dueAt: put them back so nothing is lost if processing fails.
      for (const [at, id] of keep) due.push(at, id);
      return out;
    },

    async nextDueAt() {
      for (;;) {
        const at = due.peek();
        if (at === undefined) return null;
        const r = records.get(due.peekId()!);
        if (r && r.dueAt === at) return at;
        due.pop();
      }
    },

    async putRegistrationToken(token) {
      registrationTokens.set(token.hash, token);
      if (token.id !== undefined) registrationTokenIds.set(token.id, token.hash);
    },

    async findRegistrationToken(hash) {
      return registrationTokens.get(hash) ?? null;
    },

    async listRegistrationTokens(owner) {
      return [...registrationTokens.values()].filter((t) => t.owner === owner);
    },

    async revokeRegistrationToken(owner, id, now) {
      const hash = registrationTokenIds.get(id);
      const t = hash === undefined ? undefined : registrationTokens.get(hash);
      if (!t || t.owner !== owner) return 'not_found';
      if (t.usedAt !== null) return 'used';
      if (t.revokedAt !== null) return 'already_revoked';
      registrationTokens.set(t.hash, { ...t, revokedAt: now });
      return 'revoked';
    },

    async purgeExpired(now) {
      let tokens = 0;
      let idem = 0;
      for (const [hash, t] of registrationTokens) {
        if (t.expiresAt > now) continue;
        registrationTokens.delete(hash);
        if (t.id !== undefined) registrationTokenIds.delete(t.id);
        tokens++;
      }
      for (const [scope, map] of idempotency) {
        for (const [key, r] of map) {
          if (r.expiresAt > now) continue;
          map.delete(key);
          idem++;
        }
        if (map.size === 0) idempotency.delete(scope);
      }
      return { registrationTokens: tokens, idempotency: idem };
    },

    async consumeRegistrationToken(hash, now) {
      const t = registrationTokens.get(hash);
      if (!t || t.usedAt !== null || t.revokedAt !== null || t.expiresAt <= now) return null;
      const used = { ...t, usedAt: now };
      registrationTokens.set(hash, used);
      return used;
    },

    async findAgentToken(hash) {
      return agentTokens.get(hash) ?? null;
    },

    async countActiveAgentTokens(agentId) {
      let n = 0;
      for (const hash of tokensByAgent.get(agentId) ?? []) if (agentTokens.get(hash)?.revokedAt === null) n++;
      return n;
    },

    putBackup: catalog.putBackup,
    getBackup: catalog.getBackup,
    listBackups: catalog.listBackups,
    deleteBackup: catalog.deleteBackup,
    putServices: catalog.putServices,
    listServices: catalog.listServices,

    async putCommand(command, opts = {}) {
      let list = commands.get(command.agentId);
      if (opts.maxPending !== undefined) {
        const pending = list?.reduce((n, c) => (c.status === 'pending' ? n + 1 : n), 0) ?? 0;
        if (pending >= opts.maxPending) {
          throw new BerthError(
            'COMMAND_QUEUE_FULL',
            `agent '${command.agentId}' already has ${pending} pending commands (the most allowed)`,
          );
        }
      }
      if (!list) {
        list = [];
        commands.set(command.agentId, list);
      }
      list.push(command);
    },

    async claimCommands(agentId, limit, now) {
      const list = commands.get(agentId) ?? [];
      const out: CommandRecord[] = [];
      for (let i = 0; i < list.length && out.length < limit; i++) {
        const c = list[i]!;
        if (c.status !== 'pending') continue;
        const claimed: CommandRecord = { ...c, status: 'running', claimedAt: now };
        list[i] = claimed;
        out.push(claimed);
      }
      return out;
    },

    async getCommand(agentId, commandId) {
      return (commands.get(agentId) ?? []).find((c) => c.id === commandId) ?? null;
    },

    async finishCommand(agentId, commandId, result) {
      const list = commands.get(agentId) ?? [];
      const i = list.findIndex((c) => c.id === commandId);
      if (i < 0 || list[i]!.status !== 'running') return false;
      list[i] = { ...list[i]!, ...result };
      return true;
    },

    async listCommands(agentId) {
      return [...(commands.get(agentId) ?? [])];
    },

    async beginIdempotent(record, opts = {}) {
      let map = idempotency.get(record.scope);
      const existing = map?.get(record.key);
      if (existing && existing.expiresAt > record.createdAt) return existing;
      if (!map) {
        map = new Map();
        idempotency.set(record.scope, map);
      }
      map.delete(record.key);
      const max = opts.maxPerScope ?? Number.POSITIVE_INFINITY;
      for (const key of map.keys()) {
        if (map.size < max) break;
        map.delete(key);
      }
      map.set(record.key, record);
      return null;
    },

    async finishIdempotent(scope, key, response) {
      const map = idempotency.get(scope);
      const existing = map?.get(key);
      if (map && existing) map.set(key, { ...existing, state: 'done', response });
    },

    async abandonIdempotent(scope, key) {
      idempotency.get(scope)?.delete(key);
    },

    unsafeReplaceAudit(agentId, entries) {
      audits.set(agentId, entries);
    },
  };
  return store;
}
