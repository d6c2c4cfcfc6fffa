/**
 * Backups: the catalog written with a commit or on its own, per-owner listing, deleting (never a
 * pending one, never another owner's), and a catalog that outlives a purged agent.
 *
 * @module
 */
import { expect } from 'vitest';
import { backup, completed } from '../catalog-fixtures.js';
import type { StoreArea } from '../env.js';
import { race } from '../env.js';
import { insertOf, newRecord, nextOf, outcome, T0, uid } from '../fixtures.js';

export const backupsArea: StoreArea = {
  title: 'backups',
  tests: {
    'a backup written with a commit reads back equal; a conflicting commit writes no backup': async ({
      store,
    }) => {
      const owner = uid('owner');
      const base = insertOf(newRecord({ owner }));
      await store.commit(base);
      const b = backup(base.record.id, { owner, label: 'before upgrade' });
      await store.commit(nextOf(base.record, {}, { backups: [b] }));
      expect(await store.getBackup(b.id)).toEqual(b);
      const lost = backup(base.record.id, { owner });
      expect(await outcome(store.commit(nextOf(base.record, {}, { backups: [lost] })))).toBe(
        'VERSION_CONFLICT',
      );
      expect(await store.getBackup(lost.id)).toBeNull();
      expect(await store.getBackup('bkp_missing')).toBeNull();
    },

    'a later write replaces the backup by id (pending → completed)': async ({ store }) => {
      const owner = uid('owner');
      const b = backup(uid('agt'), { owner });
      await store.putBackup(b);
      const done = completed(b, 12_345);
      await store.putBackup(done);
      expect(await store.getBackup(b.id)).toEqual(done);
      expect(await store.listBackups({ owner })).toEqual([done]);
    },

    "list: an owner's backups oldest first, by agent when asked, never another owner's": async ({
      store,
    }) => {
      const owner = uid('owner');
      const a1 = uid('agt');
      const a2 = uid('agt');
      const late = backup(a1, { owner, createdAt: T0 + 20 });
      const early = backup(a2, { owner, createdAt: T0 + 10 });
      const middle = backup(a1, { owner, createdAt: T0 + 15, label: 'nightly' });
      await store.putBackup(late);
      await store.putBackup(backup(a1, { owner: uid('other') }));
      await store.putBackup(early);
      await store.putBackup(middle);
      expect(await store.listBackups({ owner })).toEqual([early, middle, late]);
      expect(await store.listBackups({ owner, agentId: a1 })).toEqual([middle, late]);
      expect(await store.listBackups({ owner, agentId: uid('agt') })).toEqual([]);
      expect(await store.listBackups({ owner: uid('nobody') })).toEqual([]);
    },

    'delete: a finished backup goes once; a pending or foreign one stays': async (env) => {
      const owner = uid('owner');
      const done = completed(backup(uid('agt'), { owner }));
      const pending = backup(uid('agt'), { owner });
      await env.store.putBackup(done);
      await env.store.putBackup(pending);
      expect(await env.store.deleteBackup(uid('other'), done.id)).toBe('not_found');
      expect(await env.store.deleteBackup(owner, pending.id)).toBe('pending');
      const results = await race(env, env.concurrency, (s) => s.deleteBackup(owner, done.id));
      const outcomes = results.map((r) => (r.status === 'fulfilled' ? r.value : 'error'));
      expect(outcomes.filter((o) => o === 'deleted')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'not_found')).toHaveLength(env.concurrency - 1);
      expect(await env.store.getBackup(done.id)).toBeNull();
      expect(await env.store.listBackups({ owner })).toEqual([pending]);
    },

    "a purged agent's backups stay in the catalog": async ({ store }) => {
      const owner = uid('owner');
      const base = insertOf(newRecord({ owner }));
      await store.commit(base);
      const b = completed(backup(base.record.id, { owner }));
      const withBackup = nextOf(base.record, {}, { backups: [b] });
      await store.commit(withBackup);
      await store.commit(nextOf(withBackup.record, { status: 'deleted', state: 'deleted' }, { purge: true }));
      expect(await store.get(base.record.id)).toBeNull();
      expect(await store.getBackup(b.id)).toEqual(b);
      expect(await store.listBackups({ owner, agentId: base.record.id })).toEqual([b]);
    },
  },
};
