/**
 * The audit trail: pages, refusals as links of the chain, folding, and a commit that follows
 * refusals it did not see.
 *
 * @module
 */
import { expect } from 'vitest';
import { hashAuditEntry, verifyAuditChain } from '../../../audit.js';
import type { AgentRecord, AuditEntry } from '../../../record.js';
import type { LifecycleStore } from '../../../store.js';
import type { StoreArea } from '../env.js';
import { race } from '../env.js';
import { denial, insertOf, newRecord, nextOf, T0 } from '../fixtures.js';

/** A stored agent with `n` accepted entries. */
async function agentWith(store: LifecycleStore, n: number): Promise<AgentRecord> {
  let c = insertOf(newRecord());
  await store.commit(c);
  for (let i = 1; i < n; i++) {
    c = nextOf(c.record, {}, {}, { action: i % 2 ? 'stop' : 'start' });
    await store.commit(c);
  }
  return c.record;
}

/** Every entry of an agent, through pages of `size`. */
async function allPages(store: LifecycleStore, agentId: string, size: number): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for (;;) {
    const page = await store.audit(agentId, { after: out.at(-1)?.seq ?? 0, limit: size });
    expect(page.length).toBeLessThanOrEqual(size);
    out.push(...page);
    if (page.length < size) return out;
  }
}

const contiguous = (entries: readonly AuditEntry[]) => entries.map((_, i) => i + 1);

export const auditArea: StoreArea = {
  title: 'audit',
  tests: {
    'pages: after and limit walk the whole trail in order, nothing twice': async ({ store }) => {
      const r = await agentWith(store, 120);
      const whole = await store.audit(r.id);
      expect(whole.map((e) => e.seq)).toEqual(contiguous(whole));
      expect(await allPages(store, r.id, 37)).toEqual(whole);
      expect(await store.audit(r.id, { after: 100, limit: 5 })).toEqual(whole.slice(100, 105));
      expect(await store.audit(r.id, { after: 120 })).toEqual([]);
      expect(await store.audit('agt_missing')).toEqual([]);
      expect(verifyAuditChain(whole).ok).toBe(true);
    },

    'a refusal gets its own seq after the head, links to it, and leaves the record unchanged': async ({
      store,
    }) => {
      const r = await agentWith(store, 3);
      const stored = await store.appendDenial(denial(r));
      expect(stored).toMatchObject({
        seq: 4,
        prevHash: r.auditHead,
        denied: true,
        code: 'ILLEGAL_TRANSITION',
      });
      const { hash, ...rest } = stored;
      expect(hashAuditEntry(rest)).toBe(hash);
      expect(await store.get(r.id)).toEqual(r);
      const trail = await store.audit(r.id);
      expect(trail.at(-1)).toEqual(stored);
      expect(verifyAuditChain(trail).ok).toBe(true);
      expect((await store.audit(r.id, { after: 3 })).map((e) => e.seq)).toEqual([4]);
    },

    'a commit built before refusals is re-stamped after them: one contiguous chain': async ({ store }) => {
      const r = await agentWith(store, 2);
      await store.appendDenial(denial(r));
      await store.appendDenial(denial(r, { code: 'REASON_REQUIRED', action: 'pause' }));
      const next = nextOf(r, { status: 'stopped', state: 'stopped' });
      await store.commit(next);
      const trail = await store.audit(r.id);
      expect(trail.map((e) => [e.seq, e.denied])).toEqual([
        [1, false],
        [2, false],
        [3, true],
        [4, true],
        [5, false],
      ]);
      expect(verifyAuditChain(trail)).toEqual({ ok: true, length: 5 });
      const stored = (await store.get(r.id))!;
      expect(stored.version).toBe(3);
      expect([stored.auditSeq, stored.auditHead]).toEqual([5, trail[4]!.hash]);
      // The next commit, built on the stored record, continues without re-stamping.
      const after = nextOf(stored, { status: 'running', state: 'running' });
      await store.commit(after);
      expect((await store.audit(r.id)).at(-1)).toEqual(after.audit[0]);
    },

    'concurrent refusals and a commit: every entry its own seq, no gaps, the chain verifies': async (env) => {
      const r = await agentWith(env.store, 1);
      const results = await race(
        env,
        env.concurrency + 1,
        (s, i): Promise<unknown> =>
          i === 0 ? s.commit(nextOf(r)) : s.appendDenial(denial(r, { reason: `try ${i}` })),
      );
      expect(results.every((x) => x.status === 'fulfilled')).toBe(true);
      const trail = await env.store.audit(r.id);
      expect(trail).toHaveLength(env.concurrency + 2);
      expect(trail.map((e) => e.seq)).toEqual(contiguous(trail));
      expect(verifyAuditChain(trail).ok).toBe(true);
      expect(trail.filter((e) => e.denied)).toHaveLength(env.concurrency);
    },

    'identical refusals within the window fold into the head; others do not': async ({ store }) => {
      const r = await agentWith(store, 1);
      for (let i = 0; i < 300; i++) {
        await store.appendDenial(denial(r, { at: T0 + i * 10 }), { foldWithinMs: 1000 });
      }
      let trail = await store.audit(r.id);
      const refusals = trail.filter((e) => e.denied);
      expect(refusals.length).toBeLessThanOrEqual(30);
      const repeats = refusals.map((e) => (e.metadata?.repeats as number | undefined) ?? 1);
      expect(repeats.reduce((a, b) => a + b, 0)).toBe(300);
      expect(verifyAuditChain(trail).ok).toBe(true);
      const head = trail.at(-1)!;
      const other = await store.appendDenial(denial(r, { at: head.at + 1, code: 'REASON_REQUIRED' }), {
        foldWithinMs: 1000,
      });
      expect(other.seq).toBe(head.seq + 1);
      const unfolded = await store.appendDenial(denial(r, { at: head.at + 2, code: 'REASON_REQUIRED' }));
      expect(unfolded.seq).toBe(head.seq + 2);
      trail = await store.audit(r.id);
      expect(trail.map((e) => e.seq)).toEqual(contiguous(trail));
      expect(verifyAuditChain(trail).ok).toBe(true);
    },

    'refusals of a deleted agent and after a purge still land on the kept trail': async ({ store }) => {
      const r = await agentWith(store, 2);
      const purge = nextOf(r, { status: 'deleted', state: 'deleted' }, { purge: true });
      await store.commit(purge);
      const stored = await store.appendDenial(denial(purge.record));
      expect(stored.seq).toBe(4);
      expect(verifyAuditChain(await store.audit(r.id)).ok).toBe(true);
    },
  },
};
