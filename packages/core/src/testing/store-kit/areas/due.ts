/**
 * The sweeper's index: due() order and limit, and nextDueAt().
 *
 * @module
 */
import { expect } from 'vitest';
import type { StoreArea } from '../env.js';
import { insertOf, newRecord, nextOf, T0, uid } from '../fixtures.js';

export const dueArea: StoreArea = {
  title: 'due',
  tests: {
    'due() returns records due at or before now, earliest first, up to the limit; they stay due until moved':
      async ({ store }) => {
        const owner = uid('owner');
        const times = [T0 + 50, T0 + 10, T0 + 30, T0 + 90, T0 + 20];
        const made = [];
        for (const dueAt of times) {
          const c = insertOf(newRecord({ owner, dueAt }));
          await store.commit(c);
          made.push(c.record);
        }
        await store.commit(insertOf(newRecord({ owner, dueAt: null })));
        expect((await store.due(T0 + 50, 100)).map((r) => r.dueAt)).toEqual([
          T0 + 10,
          T0 + 20,
          T0 + 30,
          T0 + 50,
        ]);
        expect((await store.due(T0 + 50, 2)).map((r) => r.dueAt)).toEqual([T0 + 10, T0 + 20]);
        expect(await store.due(T0 + 9, 10)).toEqual([]);
        // Moving one later and clearing another: due() follows the stored records.
        const first = made[1]!;
        await store.commit(nextOf(first, { dueAt: T0 + 60 }));
        await store.commit(nextOf(made[4]!, { dueAt: null }));
        const due = await store.due(T0 + 60, 100);
        expect(due.map((r) => r.dueAt)).toEqual([T0 + 30, T0 + 50, T0 + 60]);
        expect(due[2]!.version).toBe(2);
      },

    'nextDueAt() is the earliest due time, follows commits, and is null when nothing is due': async ({
      store,
    }) => {
      expect(await store.nextDueAt()).toBeNull();
      const a = insertOf(newRecord({ dueAt: T0 + 500 }));
      const b = insertOf(newRecord({ dueAt: T0 + 200 }));
      await store.commit(a);
      await store.commit(b);
      expect(await store.nextDueAt()).toBe(T0 + 200);
      await store.commit(nextOf(b.record, { dueAt: null }));
      expect(await store.nextDueAt()).toBe(T0 + 500);
      const earlier = nextOf(a.record, { dueAt: T0 + 100 });
      await store.commit(earlier);
      expect(await store.nextDueAt()).toBe(T0 + 100);
      await store.commit(nextOf(earlier.record, { dueAt: null }));
      expect(await store.nextDueAt()).toBeNull();
    },
  },
};
