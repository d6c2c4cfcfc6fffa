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

/** A min-heap of (dueAt, agentId); stale entries are dropped when they surface. */
class DueHeap {
  #at: number[] = [];
  #ids: string[] = [];

  push(at: number, id: string): void {
    const a = this.#at;
    const ids = this.#ids;
    let i = a.length;
    a.push(at);
    ids.push(id);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= at) break;
      a[i] = a[p]!;
      ids[i] = ids[p]!;
      i = p;
    }
    a[i] = at;
    ids[i] = id;
  }

  peek(): number | undefined {
    return this.#at[0];
  }

  pop(): [number, string] | undefined {
    const a = this.#at;
    const ids = this.#ids;
    if (a.length === 0) return undefined;
    const top: [number, string] = [a[0]!, ids[0]!];
    const lastAt = a.pop()!;
    const lastId = ids.pop()!;
    const n = a.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && a[r]! < a[l]! ? r : l;
        if (a[c]! >= lastAt) break;
        a[i] = a[c]!;
        ids[i] = ids[c]!;
        i = c;
      }
      a[i] = lastAt;
      ids[i] = lastId;
    }
    return top;
  }
}

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
  const idempotency = new Map<string, IdempotencyRecord>();
  const due = new DueHeap();

  const codeKey = (owner: string, code: string) => `${owner}\u0000${code}`;
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
      if (c.purge) {
        adjustSlots(current, undefined);
        records.delete(id);
        revisions.delete(id);
        commands.delete(id);
        if (current?.code) codes.delete(codeKey(current.owner, current.code));
        for (const hash of tokensByAgent.get(id) ?? []) agentTokens.delete(hash);
        tokensByAgent.delete(id);
        appendAudit(id, c.audit);
        return;
      }
      const record = Object.isFrozen(c.record) ? c.record : Object.freeze({ ...c.record });
      adjustSlots(current, record);
      records.set(id, record);
      if (record.code !== null && !current) codes.set(codeKey(record.owner, record.code), id);
      appendAudit(id, c.audit);
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

    async appendDenial(entry) {
      appendAudit(entry.agentId, [entry]);
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

    async putRegistrationToken(token) {
      registrationTokens.set(token.hash, token);
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

    async putCommand(command) {
      let list = commands.get(command.agentId);
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

    async beginIdempotent(record) {
      const k = `${record.scope}\u0000${record.key}`;
      const existing = idempotency.get(k);
      if (existing && existing.expiresAt > record.createdAt) return existing;
      idempotency.set(k, record);
      return null;
    },

    async finishIdempotent(scope, key, response) {
      const k = `${scope}\u0000${key}`;
      const existing = idempotency.get(k);
      if (existing) idempotency.set(k, { ...existing, state: 'done', response });
    },

    async abandonIdempotent(scope, key) {
      idempotency.delete(`${scope}\u0000${key}`);
    },

    unsafeReplaceAudit(agentId, entries) {
      audits.set(agentId, entries);
    },
  };
  return store;
}
