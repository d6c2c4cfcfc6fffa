/**
 * Registration tokens: single hand-out under concurrent claims, list, revoke, expiry purge.
 *
 * @module
 */
import { expect } from 'vitest';
import type { StoreArea } from '../env.js';
import { race } from '../env.js';
import { idempotency, registrationToken, T0, uid } from '../fixtures.js';

export const tokensArea: StoreArea = {
  title: 'registration tokens',
  tests: {
    'concurrent claims of one token: exactly one gets it, marked used': async (env) => {
      const t = registrationToken();
      await env.store.putRegistrationToken(t);
      const results = await race(env, env.concurrency, (s) => s.consumeRegistrationToken(t.hash, T0 + 10));
      const got = results.filter((r) => r.status === 'fulfilled' && r.value !== null);
      expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
      expect(got).toHaveLength(1);
      expect((got[0] as PromiseFulfilledResult<unknown>).value).toMatchObject({
        hash: t.hash,
        usedAt: T0 + 10,
      });
      expect(await env.store.consumeRegistrationToken(t.hash, T0 + 11)).toBeNull();
    },

    'find reads a token by digest in any status, and consuming marks what find sees': async ({ store }) => {
      const t = registrationToken({ code: 'edge-7' });
      await store.putRegistrationToken(t);
      expect(await store.findRegistrationToken(t.hash)).toEqual(t);
      expect(await store.findRegistrationToken('unknown')).toBeNull();
      await store.consumeRegistrationToken(t.hash, T0 + 3);
      expect(await store.findRegistrationToken(t.hash)).toEqual({ ...t, usedAt: T0 + 3 });
    },

    'an expired, revoked or unknown token is worth nothing': async ({ store }) => {
      const expired = registrationToken({ expiresAt: T0 + 5 });
      const revoked = registrationToken({ revokedAt: T0 + 1 });
      await store.putRegistrationToken(expired);
      await store.putRegistrationToken(revoked);
      expect(await store.consumeRegistrationToken(expired.hash, T0 + 5)).toBeNull();
      expect(await store.consumeRegistrationToken(revoked.hash, T0 + 2)).toBeNull();
      expect(await store.consumeRegistrationToken('unknown', T0)).toBeNull();
    },

    "list shows an owner's tokens oldest first, never another owner's": async ({ store }) => {
      const owner = uid('owner');
      const a = registrationToken({ owner, createdAt: T0, code: 'edge-1' });
      const b = registrationToken({ owner, createdAt: T0 + 1 });
      await store.putRegistrationToken(a);
      await store.putRegistrationToken(registrationToken({ owner: uid('other') }));
      await store.putRegistrationToken(b);
      expect(await store.listRegistrationTokens(owner)).toEqual([a, b]);
      expect(await store.listRegistrationTokens(uid('nobody'))).toEqual([]);
    },

    'revoke: an active token is revoked and cannot register; used, repeated and foreign ones say so': async (
      env,
    ) => {
      const owner = uid('owner');
      const active = registrationToken({ owner });
      const used = registrationToken({ owner });
      await env.store.putRegistrationToken(active);
      await env.store.putRegistrationToken(used);
      expect(await env.store.consumeRegistrationToken(used.hash, T0 + 1)).not.toBeNull();
      expect(await env.store.revokeRegistrationToken(uid('other'), active.id!, T0 + 2)).toBe('not_found');
      const results = await race(env, env.concurrency, (s) =>
        s.revokeRegistrationToken(owner, active.id!, T0 + 2),
      );
      const outcomes = results.map((r) => (r.status === 'fulfilled' ? r.value : 'error'));
      expect(outcomes.filter((o) => o === 'revoked')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'already_revoked')).toHaveLength(env.concurrency - 1);
      expect(await env.store.consumeRegistrationToken(active.hash, T0 + 3)).toBeNull();
      expect(await env.store.revokeRegistrationToken(owner, used.id!, T0 + 3)).toBe('used');
      expect(await env.store.revokeRegistrationToken(owner, 'rtk_missing', T0 + 3)).toBe('not_found');
      const listed = await env.store.listRegistrationTokens(owner);
      expect(listed.find((t) => t.id === active.id)).toMatchObject({ revokedAt: T0 + 2, usedAt: null });
    },

    'consume and revoke race: exactly one of them happens': async (env) => {
      const t = registrationToken();
      await env.store.putRegistrationToken(t);
      const [consumed, revoked] = await Promise.all([
        env.at(0).consumeRegistrationToken(t.hash, T0 + 1),
        env.at(1).revokeRegistrationToken(t.owner, t.id!, T0 + 1),
      ]);
      expect([consumed !== null, revoked === 'revoked'].filter(Boolean)).toHaveLength(1);
      if (consumed) expect(revoked).toBe('used');
    },

    'purgeExpired removes expired tokens and idempotency records, keeps live ones': async ({ store }) => {
      const owner = uid('owner');
      const live = registrationToken({ owner, expiresAt: T0 + 1000 });
      await store.putRegistrationToken(registrationToken({ owner, expiresAt: T0 + 10 }));
      await store.putRegistrationToken(registrationToken({ owner, expiresAt: T0 + 20, usedAt: T0 + 1 }));
      await store.putRegistrationToken(live);
      const scope = uid('scope');
      await store.beginIdempotent(idempotency(scope, 'old', { expiresAt: T0 + 20 }));
      await store.beginIdempotent(idempotency(scope, 'new', { expiresAt: T0 + 1000 }));
      expect(await store.purgeExpired(T0 + 20)).toEqual({ registrationTokens: 2, idempotency: 1 });
      expect(await store.listRegistrationTokens(owner)).toEqual([live]);
      expect(await store.beginIdempotent(idempotency(scope, 'new', { createdAt: T0 + 21 }))).not.toBeNull();
      expect(await store.beginIdempotent(idempotency(scope, 'old', { createdAt: T0 + 21 }))).toBeNull();
      expect(await store.purgeExpired(T0 + 20)).toEqual({ registrationTokens: 0, idempotency: 0 });
    },
  },
};
