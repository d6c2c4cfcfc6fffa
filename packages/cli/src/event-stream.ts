/**
 * Reading a `text/event-stream` response with `fetch` (so requests can carry an
 * `Authorization` header, which `EventSource` cannot). Works in Node.js and in browsers.
 *
 * @module
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** One server-sent event. */
export interface ServerSentEvent {
  /** The `event:` field (`message` when the server sent none). */
  readonly event: string;
  readonly data: string;
  /** The `id:` field, used as `Last-Event-ID` when reconnecting. */
  readonly id: string | undefined;
}

/**
 * Yield the events of an event-stream response body until the server ends it or `signal`
 * aborts (then the generator returns quietly). Leaving the loop early cancels the body, which
 * closes the connection.
 *
 * @param body - `response.body` of a `text/event-stream` response.
 * @param signal - Stops reading when aborted.
 * @example
 * ```ts
 * const res = await fetch(url, { headers: { accept: 'text/event-stream' } });
 * for await (const e of readEventStream(res.body!)) console.log(e.event, e.data);
 * ```
 */
export async function* readEventStream(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<ServerSentEvent> {
  const queue: ServerSentEvent[] = [];
  const parser = createParser({
    onEvent: (message: EventSourceMessage) => {
      queue.push({ event: message.event ?? 'message', data: message.data, id: message.id });
    },
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const onAbort = () => {
    reader.cancel().catch(() => {});
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    while (!signal?.aborted) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (signal?.aborted) return;
        throw error;
      }
      if (chunk.done) break;
      parser.feed(decoder.decode(chunk.value, { stream: true }));
      while (queue.length > 0) yield queue.shift()!;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Stopping early (break, return, abort) closes the connection too.
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
