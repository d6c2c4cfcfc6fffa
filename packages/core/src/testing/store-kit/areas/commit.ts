/**
 * Commits: compare-and-set on the version, quotas, revisions, tokens, listing and purge.
 *
 * @module
 */
import { expect } from 'vitest';
import type { AgentRecord } from '../../../record.js';
import type { StoreArea } from '../env.js';
import { race } from '../env.js';
import { insertOf, newRecord, nextOf, outcome, T0, uid } from '../fixtures.js';

const codeOf = (r: PromiseSettledResult<unknown>) =>
  r.status === 'fulfilled' ? 'ok' : ((r.reason as { code?: string }).code ?? String(r.reason));

export const commitArea: StoreArea = {
  title: 'commit',
  tests: {
    'an inserted record reads back equal, and a second insert of its id conflicts': async ({ store }) => {
      const c = insertOf(newRecord());
      await store.commit(c);
      expect(await store.get(c.record.id)).toEqual(c.record);
      expect(await store.get('agt_missing')).toBeNull();
      expect(await outcome(store.commit(c))).toBe('VERSION_CONFLICT');
    },

    'N concurrent commits on one version: exactly one wins, the rest conflict and write nothing': async (
      env,
    ) => {
      const base = insertOf(newRecord());
      await env.store.commit(base);
      const results = await race(env, env.concurrency, (s, i) =>
        s.commit(nextOf(base.record, { name: `winner-${i}` })),
      );
      const codes = results.map(codeOf);
      expect(codes.filter((c) => c === 'ok')).toHaveLength(1);
      expect(codes.filter((c) => c === 'VERSION_CONFLICT')).toHaveLength(env.concurrency - 1);
      const winner = codes.indexOf('ok');
      const stored = (await env.store.get(base.record.id))!;
      expect(stored.version).toBe(2);
      expect(stored.name).toBe(`winner-${winner}`);
      const audit = await env.store.audit(base.record.id);
      expect(audit.map((e) => e.seq)).toEqual([1, 2]);
      expect(audit[1]!.hash).toBe(stored.auditHead);
    },

    'a stale expected version conflicts and changes nothing': async ({ store }) => {
      const base = insertOf(newRecord());
      await store.commit(base);
      const v2 = nextOf(base.record, { status: 'stopped', state: 'stopped' });
      await store.commit(v2);
      const error = await store.commit(nextOf(base.record, { name: 'late' })).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'VERSION_CONFLICT' });
      expect(await store.get(base.record.id)).toEqual(v2.record);
      expect(await store.audit(base.record.id)).toHaveLength(2);
    },

    'quota race for the last slot: exactly one insert claims it': async (env) => {
      const owner = uid('owner');
      const limit = 3;
      for (let i = 0; i < limit - 1; i++) await env.store.commit(insertOf(newRecord({ owner })));
      expect(await env.store.countSlots(owner)).toBe(limit - 1);
      const results = await race(env, env.concurrency, (s) =>
        s.commit(insertOf(newRecord({ owner }), { quota: { owner, limit } })),
      );
      const codes = results.map(codeOf);
      expect(codes.filter((c) => c === 'ok')).toHaveLength(1);
      expect(codes.filter((c) => c === 'QUOTA_EXCEEDED')).toHaveLength(env.concurrency - 1);
      expect(await env.store.countSlots(owner)).toBe(limit);
      expect(await env.store.list({ owner })).toHaveLength(limit);
    },

    'slots: managed agents hold one until deleting; self-hosted hold none; an update at the limit passes':
      async ({ store }) => {
        const owner = uid('owner');
        const a = insertOf(newRecord({ owner }));
        await store.commit(a);
        await store.commit(insertOf(newRecord({ owner, kind: 'self_hosted', code: 'box-1' })));
        expect(await store.countSlots(owner)).toBe(1);
        expect(await store.countSlots(uid('nobody'))).toBe(0);
        const stopped = nextOf(
          a.record,
          { status: 'stopped', state: 'stopped' },
          { quota: { owner, limit: 1 } },
        );
        await store.commit(stopped);
        expect(await store.countSlots(owner)).toBe(1);
        await store.commit(nextOf(stopped.record, { status: 'deleting', state: 'deleting' }));
        expect(await store.countSlots(owner)).toBe(0);
        await store.commit(insertOf(newRecord({ owner }), { quota: { owner, limit: 1 } }));
        expect(await store.countSlots(owner)).toBe(1);
      },

    'revisions are inserted or replaced by id, oldest first': async ({ store }) => {
      const base = insertOf(newRecord());
      const rev = (n: number, outcome: 'pending' | 'succeeded') => ({
        id: `rev_${base.record.id}_${n}`,
        agentId: base.record.id,
        number: n,
        image: `img:${n}`,
        resolvedImage: null,
        config: { n },
        action: 'create' as const,
        sourceRevision: null,
        outcome,
        createdAt: T0 + n,
      });
      await store.commit({ ...base, revisions: [rev(1, 'pending')] });
      await store.commit(nextOf(base.record, {}, { revisions: [rev(1, 'succeeded'), rev(2, 'pending')] }));
      expect(await store.revisions(base.record.id)).toEqual([rev(1, 'succeeded'), rev(2, 'pending')]);
      expect(await store.revisions('agt_missing')).toEqual([]);
    },

    'list filters by owner and status, oldest first, with a limit; findByCode finds a registered code':
      async ({ store }) => {
        const owner = uid('owner');
        const made: AgentRecord[] = [];
        for (let i = 0; i < 5; i++) {
          const c = insertOf(newRecord({ owner, status: i % 2 ? 'stopped' : 'running', createdAt: T0 + i }));
          await store.commit(c);
          made.push(c.record);
        }
        const hosted = insertOf(newRecord({ owner, kind: 'self_hosted', code: 'edge-7' }));
        await store.commit(hosted);
        expect((await store.list({ owner })).map((r) => r.id)).toEqual(
          [...made, hosted.record].map((r) => r.id),
        );
        expect((await store.list({ owner, status: 'stopped' })).map((r) => r.id)).toEqual(
          [made[1]!, made[3]!].map((r) => r.id),
        );
        expect(await store.list({ owner, limit: 2 })).toEqual(made.slice(0, 2));
        expect(await store.findByCode(owner, 'edge-7')).toEqual(hosted.record);
        expect(await store.findByCode(uid('other'), 'edge-7')).toBeNull();
      },

    'agent tokens: issued with a commit; revokeTokens revokes the older ones, not those of the same commit':
      async ({ store }) => {
        const base = insertOf(newRecord());
        const id = base.record.id;
        const old = { hash: uid('tok'), agentId: id, createdAt: T0, revokedAt: null };
        await store.commit({ ...base, issueTokens: [old] });
        expect(await store.findAgentToken(old.hash)).toEqual(old);
        const fresh = { hash: uid('tok'), agentId: id, createdAt: T0 + 5, revokedAt: null };
        const next = nextOf(base.record, {}, { issueTokens: [fresh], revokeTokens: true });
        await store.commit(next);
        expect((await store.findAgentToken(old.hash))!.revokedAt).toBe(next.record.updatedAt);
        expect(await store.findAgentToken(fresh.hash)).toEqual(fresh);
        expect(await store.findAgentToken('missing')).toBeNull();
      },

    'purge deletes the record, its revisions, commands, tokens and code; the audit stays': async ({
      store,
    }) => {
      const owner = uid('owner');
      const base = insertOf(newRecord({ owner, code: 'purged-code' }));
      const id = base.record.id;
      const token = { hash: uid('tok'), agentId: id, createdAt: T0, revokedAt: null };
      await store.commit({ ...base, issueTokens: [token] });
      await store.putCommand({
        id: uid('cmd'),
        agentId: id,
        seq: 1,
        type: 't',
        payload: null,
        status: 'pending',
        createdAt: T0,
        claimedAt: null,
        finishedAt: null,
        output: null,
        error: null,
      });
      const deleted = nextOf(base.record, { status: 'deleted', state: 'deleted', deletedAt: T0 + 1 });
      await store.commit(deleted);
      const before = await store.audit(id);
      const purge = nextOf(
        deleted.record,
        {},
        { purge: true },
        { action: 'purge', from: 'deleted', to: 'deleted' },
      );
      await store.commit(purge);
      expect(await store.get(id)).toBeNull();
      expect(await store.revisions(id)).toEqual([]);
      expect(await store.listCommands(id)).toEqual([]);
      expect(await store.findAgentToken(token.hash)).toBeNull();
      expect(await store.findByCode(owner, 'purged-code')).toBeNull();
      expect(await store.countSlots(owner)).toBe(0);
      const after = await store.audit(id);
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after.map((e) => e.action)).toEqual(['create', 'stop', 'purge']);
    },
  },
};
