/**
 * Services: upserted by (owner, code) with a commit or on their own, moving between agents with
 * their identity, listed by code, outliving a purged agent; and active agent tokens counted.
 *
 * @module
 */
import { expect } from 'vitest';
import { service } from '../catalog-fixtures.js';
import type { StoreArea } from '../env.js';
import { race } from '../env.js';
import { insertOf, newRecord, nextOf, outcome, T0, uid } from '../fixtures.js';

export const servicesArea: StoreArea = {
  title: 'services',
  tests: {
    'upsert by (owner, code): a second report replaces the first; codes are per owner': async ({ store }) => {
      const owner = uid('owner');
      const other = uid('owner');
      const agent = uid('agt');
      await store.putServices([service(agent, 'db', { owner }), service(agent, 'api', { owner })]);
      const later = service(agent, 'db', { owner, status: 'degraded', reportedAt: T0 + 5, details: null });
      await store.putServices([later]);
      const foreign = service(uid('agt'), 'db', { owner: other });
      await store.putServices([foreign]);
      const listed = await store.listServices({ owner });
      expect(listed.map((s) => s.code)).toEqual(['api', 'db']);
      expect(listed[1]).toEqual(later);
      expect(await store.listServices({ owner: other })).toEqual([foreign]);
      expect(await store.listServices({ owner, codes: ['db', 'nope'] })).toEqual([later]);
      expect(await store.listServices({ owner: uid('nobody') })).toEqual([]);
    },

    'a service reported by another agent moves to it, keeping its code and createdAt': async ({ store }) => {
      const owner = uid('owner');
      const a = uid('agt');
      const b = uid('agt');
      await store.putServices([service(a, 'queue', { owner, createdAt: T0 })]);
      const moved = service(b, 'queue', { owner, createdAt: T0, reportedAt: T0 + 9 });
      await store.putServices([moved]);
      expect(await store.listServices({ owner, agentId: a })).toEqual([]);
      expect(await store.listServices({ owner, agentId: b })).toEqual([moved]);
      expect(await store.listServices({ owner })).toHaveLength(1);
    },

    'services written with a commit move with it; a conflicting commit moves nothing': async ({ store }) => {
      const owner = uid('owner');
      const base = insertOf(newRecord({ owner }));
      await store.commit(base);
      const other = uid('agt');
      const before = service(other, 'cache', { owner });
      await store.putServices([before]);
      const moved = service(base.record.id, 'cache', { owner, reportedAt: T0 + 3 });
      await store.commit(nextOf(base.record, {}, { services: [moved] }));
      expect(await store.listServices({ owner })).toEqual([moved]);
      const stale = service(other, 'cache', { owner, reportedAt: T0 + 4 });
      expect(await outcome(store.commit(nextOf(base.record, {}, { services: [stale] })))).toBe(
        'VERSION_CONFLICT',
      );
      expect(await store.listServices({ owner })).toEqual([moved]);
    },

    'concurrent reports of one code: one row, holding one of the reports whole': async (env) => {
      const owner = uid('owner');
      const reports = Array.from({ length: env.concurrency }, (_, i) =>
        service(uid('agt'), 'shared', { owner, name: `by-${i}`, reportedAt: T0 + i }),
      );
      const results = await race(env, env.concurrency, (s, i) => s.putServices([reports[i]!]));
      expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
      const listed = await env.store.listServices({ owner });
      expect(listed).toHaveLength(1);
      expect(reports).toContainEqual(listed[0]);
    },

    "a purged agent's services stay (the reader shows them stale)": async ({ store }) => {
      const owner = uid('owner');
      const base = insertOf(newRecord({ owner }));
      await store.commit(base);
      const s = service(base.record.id, 'web', { owner });
      const withService = nextOf(base.record, {}, { services: [s] });
      await store.commit(withService);
      await store.commit(
        nextOf(withService.record, { status: 'deleted', state: 'deleted' }, { purge: true }),
      );
      expect(await store.listServices({ owner, agentId: base.record.id })).toEqual([s]);
    },

    'countActiveAgentTokens counts what a revokeTokens commit would revoke': async ({ store }) => {
      const record = newRecord();
      const id = record.id;
      const token = (n: number) => ({ hash: uid('sha'), agentId: id, createdAt: T0 + n, revokedAt: null });
      const first = token(0);
      const base = insertOf(record, { issueTokens: [first, token(0)] });
      await store.commit(base);
      expect(await store.countActiveAgentTokens(id)).toBe(2);
      expect(await store.countActiveAgentTokens(uid('agt'))).toBe(0);
      await store.commit(nextOf(base.record, {}, { revokeTokens: true, issueTokens: [token(1)] }));
      expect(await store.countActiveAgentTokens(id)).toBe(1);
      expect(await store.findAgentToken(first.hash)).toMatchObject({ revokedAt: expect.any(Number) });
    },
  },
};
