/**
 * `@berth/cli/client`: only the typed HTTP client, for browsers and for programs that do not
 * want the command line (no Node.js built-ins are imported from here).
 *
 * @module
 */
export {
  type BerthClient,
  type BerthClientOptions,
  BerthApiError,
  BerthConnectionError,
  createBerthClient,
  type RequestOptions,
  type StatusEventMessage,
} from './client.js';
export { readEventStream, type ServerSentEvent } from './event-stream.js';
export type * from './types.js';
export type * from './catalog-client.js';
