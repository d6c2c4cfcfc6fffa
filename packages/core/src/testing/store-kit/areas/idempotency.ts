/**
 * Idempotency records: begin/finish races, expiry, per-scope caps.
 *
 * @module
 */
import { expect } from 'vitest';
import type { IdempotencyRecord } from '../../../record.js';
import type { StoreArea } from '../env.js';
import { race } from '../env.js';
import { idempotency, T0, uid } from '../fixtures.js';

const values = (results: PromiseSettledResult<IdempotencyRecord | null>[]) =>
  results.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });

export const idempotencyArea: StoreArea = {
  title: 'idempotency',
  tests: {
    'concurrent begins of one key: exactly one starts, the others see it in progress': async (env) => {
      const scope = uid('scope');
      const got = values(await race(env, env.concurrency, (s) => s.beginIdempotent(idempotency(scope, 'k'))));
      expect(got.filter((v) => v === null)).toHaveLength(1);
      for (const v of got) if (v) expect(v).toMatchObject({ scope, key: 'k', state: 'in_progress' });
    },

    'finish stores the response; begins racing a finish see it running or done, never absent': async (
      env,
    ) => {
      const scope = uid('scope');
      expect(await env.store.beginIdempotent(idempotency(scope, 'k'))).toBeNull();
      const response = { status: 201, body: { id: 'agt_1', list: [1, 'x'] } };
      const [, ...got] = await Promise.all([
        env.at(0).finishIdempotent(scope, 'k', response),
        ...Array.from({ length: env.concurrency }, (_, i) =>
          env.at(i + 1).beginIdempotent(idempotency(scope, 'k')),
        ),
      ]);
      for (const v of got) {
        expect(v).not.toBeNull();
        if (v!.state === 'done') expect(v!.response).toEqual(response);
      }
      expect(await env.store.beginIdempotent(idempotency(scope, 'k'))).toMatchObject({
        state: 'done',
        response,
      });
    },

    'abandon forgets the key; an expired record counts as absent; scopes are separate': async ({ store }) => {
      const scope = uid('scope');
      expect(await store.beginIdempotent(idempotency(scope, 'a'))).toBeNull();
      await store.abandonIdempotent(scope, 'a');
      expect(await store.beginIdempotent(idempotency(scope, 'a'))).toBeNull();
      expect(await store.beginIdempotent(idempotency(uid('scope'), 'a'))).toBeNull();
      expect(await store.beginIdempotent(idempotency(scope, 'e', { expiresAt: T0 + 10 }))).toBeNull();
      const again = idempotency(scope, 'e', { createdAt: T0 + 10, fingerprint: 'fp-2' });
      expect(await store.beginIdempotent(again)).toBeNull();
      expect(await store.beginIdempotent(idempotency(scope, 'e', { createdAt: T0 + 11 }))).toMatchObject({
        fingerprint: 'fp-2',
      });
    },

    "maxPerScope drops the scope's oldest records, never another scope's": async ({ store }) => {
      const flood = uid('flood');
      const quiet = uid('quiet');
      for (let i = 0; i < 3; i++)
        await store.beginIdempotent(idempotency(quiet, `q${i}`), { maxPerScope: 10 });
      for (let i = 0; i < 25; i++)
        await store.beginIdempotent(idempotency(flood, `f${i}`, { createdAt: T0 + i }), { maxPerScope: 10 });
      for (let i = 0; i < 3; i++)
        expect(await store.beginIdempotent(idempotency(quiet, `q${i}`))).not.toBeNull();
      for (let i = 15; i < 25; i++)
        expect(
          await store.beginIdempotent(idempotency(flood, `f${i}`, { createdAt: T0 + 30 })),
        ).not.toBeNull();
      expect(await store.beginIdempotent(idempotency(flood, 'f0', { createdAt: T0 + 30 }))).toBeNull();
    },
  },
};
