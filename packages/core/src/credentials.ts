/**
 * Access credentials of a managed agent: issued at provision and recreate, handed to the
 * driver, shown to the operator once (the answer of `create` and of `recreate`), never stored
 * in plaintext.
 *
 * @module
 */
import type { AgentView } from './manager-types.js';

/**
 * What an operator gets to reach a managed agent, once. Berth keeps only the SHA-256 digest of
 * `runtimeToken` (it is the agent's bearer token for the agent API) and nothing of `password`:
 * the driver gives both to the agent's runtime, which keeps them across restart, stop, start
 * and redeploy; recreate replaces them; destroy removes them.
 */
export interface AgentCredentials {
  /** The login name of the agent's runtime (new with every issue). */
  readonly username: string;
  /** The password that goes with `username`. */
  readonly password: string;
  /** The agent's bearer token for the agent API (`Authorization: Bearer …`). */
  readonly runtimeToken: string;
}

/**
 * What `create` answers: the agent, with its credentials when the driver provisions it (shown
 * this once; a replay under the same idempotency key answers `SECRET_ALREADY_SHOWN`).
 */
export type CreatedAgent = AgentView & {
  readonly credentials?: AgentCredentials;
};
