/**
 * Managing registration tokens: listing an owner's tokens with their status (never the token
 * itself) and revoking an unused one.
 *
 * @module
 */
import type { CatalogMethods, RegistrationTokenStatus, RegistrationTokenView } from '../catalog-types.js';
import { BerthError } from '../errors.js';
import type { RegistrationTokenRecord } from '../record.js';
import type { ManagerContext } from './context.js';
import { iso } from './records.js';

/** Where a token is in its life at `now`. */
export function tokenStatusOf(t: RegistrationTokenRecord, now: number): RegistrationTokenStatus {
  if (t.usedAt !== null) return 'used';
  if (t.revokedAt !== null) return 'revoked';
  return t.expiresAt <= now ? 'expired' : 'active';
}

/** The registration-token methods of a manager. */
export function registrationTokens(
  ctx: ManagerContext,
): Pick<CatalogMethods, 'listRegistrationTokens' | 'revokeRegistrationToken'> {
  const { store, clock, defaultOwner } = ctx;
  return {
    async listRegistrationTokens(opts = {}) {
      const now = clock.now();
      const out: RegistrationTokenView[] = [];
      // Tokens minted before tokens had ids cannot be named, so they are not listed.
      for (const t of await store.listRegistrationTokens(opts.owner ?? defaultOwner)) {
        if (t.id === undefined) continue;
        out.push({
          id: t.id,
          status: tokenStatusOf(t, now),
          code: t.code ?? null,
          createdAt: iso(t.createdAt)!,
          expiresAt: iso(t.expiresAt)!,
          usedAt: iso(t.usedAt),
        });
      }
      return out;
    },

    async revokeRegistrationToken(tokenId, opts = {}) {
      const outcome = await store.revokeRegistrationToken(opts.owner ?? defaultOwner, tokenId, clock.now());
      if (outcome === 'not_found') {
        throw new BerthError('REGISTRATION_TOKEN_NOT_FOUND', `no registration token '${tokenId}'`);
      }
      if (outcome === 'used') {
        throw new BerthError(
          'REGISTRATION_TOKEN_USED',
          `registration token '${tokenId}' already registered an agent; revoke that agent's access instead (disable or destroy it)`,
        );
      }
    },
  };
}
