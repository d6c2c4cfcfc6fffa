/**
 * The client the human output reads through: every string of every answer (and of every
 * problem it throws) is escaped for the terminal before a verb sees it, so no verb can print a
 * server's control character by forgetting to escape one field.
 *
 * @module
 */
import { safeCatalogClient } from './catalog-client.js';
import { BerthApiError, type BerthClient, type StatusEventMessage } from './client.js';
import { displaySafe } from './terminal-text.js';

/** A problem with its strings escaped; anything else as it was. */
function safeError(error: unknown): unknown {
  return error instanceof BerthApiError ? new BerthApiError(displaySafe(error.problem)) : error;
}

async function safely<T>(call: () => Promise<T>): Promise<T> {
  try {
    return displaySafe(await call());
  } catch (error) {
    throw safeError(error);
  }
}

async function* safeEvents(events: AsyncGenerator<StatusEventMessage>): AsyncGenerator<StatusEventMessage> {
  try {
    for await (const event of events) yield displaySafe(event);
  } finally {
    await events.return(undefined);
  }
}

/**
 * Wrap `client` so that what it returns holds no control character (see `displaySafe`; the
 * original of an answer stays reachable with `originalOf`). Requests are sent unchanged.
 */
export function displaySafeClient(client: BerthClient): BerthClient {
  return {
    url: client.url,
    ...safeCatalogClient(client, safely),
    listAgents: (filter, options) => safely(() => client.listAgents(filter, options)),
    getAgent: (id, options) => safely(() => client.getAgent(id, options)),
    createAgent: (body, options) => safely(() => client.createAgent(body, options)),
    act: (id, action, body, options) => safely(() => client.act(id, action, body, options)),
    destroy: (id, body, options) => safely(() => client.destroy(id, body, options)),
    waitFor: (id, status, seconds, options) => safely(() => client.waitFor(id, status, seconds, options)),
    audit: (id, after, options) => safely(() => client.audit(id, after, options)),
    verifyAudit: (id, options) => safely(() => client.verifyAudit(id, options)),
    revisions: (id, options) => safely(() => client.revisions(id, options)),
    explain: (id, options) => safely(() => client.explain(id, options)),
    createRegistrationToken: (body, options) => safely(() => client.createRegistrationToken(body, options)),
    async events(id, options) {
      try {
        return safeEvents(await client.events(id, options));
      } catch (error) {
        throw safeError(error);
      }
    },
  };
}
