/**
 * Long-lived event streams that reconnect by themselves (with `Last-Event-ID`), over fetch so
 * they can carry the operator key.
 *
 * @module
 */
import { readEventStream, type ServerSentEvent } from '@berth/cli/client';

/** Options of {@link follow}. */
export interface FollowOptions {
  readonly url: string;
  readonly headers: () => Record<string, string>;
  readonly onEvent: (event: ServerSentEvent) => void;
  /** Called with `true` when the stream is open, `false` while it reconnects. */
  readonly onState?: (open: boolean) => void;
  /** Called once the server refuses the stream (401/403/404): it is not retried. */
  readonly onRefused?: (status: number) => void;
}

/** Follow an event stream until the returned function is called. */
export function follow(options: FollowOptions): () => void {
  const controller = new AbortController();
  let lastEventId: string | undefined;
  let failures = 0;
  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers() };
        if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
        const response = await fetch(options.url, { headers, signal: controller.signal });
        if ([401, 403, 404].includes(response.status)) {
          options.onRefused?.(response.status);
          return;
        }
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        failures = 0;
        options.onState?.(true);
        for await (const event of readEventStream(response.body, controller.signal)) {
          if (event.id !== undefined) lastEventId = event.id;
          options.onEvent(event);
        }
      } catch {
        if (controller.signal.aborted) return;
      }
      if (controller.signal.aborted) return;
      options.onState?.(false);
      failures++;
      await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** Math.min(failures, 4), 8000)));
    }
  };
  void run();
  return () => controller.abort();
}
