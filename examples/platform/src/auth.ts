/**
 * Who is calling: operator keys from `BERTH_OPERATOR_KEYS`, or single-owner dev mode.
 *
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import type { BerthIdentity } from '@berth/adapter-express';
import type { IncomingMessage } from 'node:http';

/** The owner of single-owner dev mode. */
export const DEV_OWNER = 'default';

/**
 * An `authenticate` function for the adapter: with operator keys, `Authorization: Bearer <key>`
 * acts as that key's owner and anything else is refused (401); without keys, everyone is the
 * `default` owner.
 *
 * @param keys - key → owner, or `null` for dev mode.
 */
export function createAuthenticator(
  keys: ReadonlyMap<string, string> | null,
): (req: Pick<IncomingMessage, 'headers'>) => BerthIdentity | null {
  if (keys === null) {
    const dev: BerthIdentity = Object.freeze({ actor: `operator:${DEV_OWNER}`, owner: DEV_OWNER });
    return () => dev;
  }
  const entries = [...keys].map(([key, owner]) => ({ key: Buffer.from(key), owner }));
  return (req) => {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) return null;
    const given = Buffer.from(match[1]!);
    // Compare with every key in constant time, so timing tells nothing about which one matched.
    let owner: string | null = null;
    for (const entry of entries) {
      const same = entry.key.length === given.length && timingSafeEqual(entry.key, given);
      if (same) owner = entry.owner;
    }
    return owner === null ? null : { actor: `operator:${owner}`, owner };
  };
}
