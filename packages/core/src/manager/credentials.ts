/**
 * Issuing credentials: fresh plaintext for the driver and the operator, and the only thing the
 * store keeps of them (the digest of the runtime token, as an agent token).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { AgentCredentials } from '../credentials.js';
import type { AgentTokenRecord } from '../record.js';
import { newToken, sha256 } from './records.js';

/** Fresh credentials for an agent, and the agent-token record of their runtime token. */
export function issueCredentials(
  agentId: string,
  now: number,
): { readonly credentials: AgentCredentials; readonly token: AgentTokenRecord } {
  const credentials: AgentCredentials = {
    username: `agent-${randomBytes(4).toString('hex')}`,
    password: randomBytes(18).toString('base64url'),
    runtimeToken: newToken('bat'),
  };
  return {
    credentials,
    token: { hash: sha256(credentials.runtimeToken), agentId, createdAt: now, revokedAt: null },
  };
}

/** The same answer without its `credentials` (what an idempotent replay of `create` or `recreate` gets). */
export function withoutCredentials<T>(value: T): T {
  if (typeof value !== 'object' || value === null || !('credentials' in value)) return value;
  const { credentials: _shownOnce, ...rest } = value as T & { credentials: unknown };
  return rest as T;
}
