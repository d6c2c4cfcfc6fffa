/**
 * The Docker events stream, filtered by Berth's labels: connected while the observer watches,
 * reconnected with a growing delay after a break, resumed with `since` so no event is lost, and
 * parsed line by line into (agent id, action) pairs for the observer to check.
 *
 * @module
 */
import type Dockerode from 'dockerode';

/** Raw event from `GET /events`. */
interface EngineEvent {
  readonly Type?: string;
  readonly Action?: string;
  readonly time?: number;
  readonly timeNano?: number;
  readonly Actor?: { readonly ID?: string; readonly Attributes?: Record<string, string> };
}

const MAX_RECONNECT_DELAY_MS = 30_000;

/** What the stream needs to reach the engine. */
export interface EventStreamSource {
  /** The client (created lazily). */
  client(): Dockerode;
  /** Label filters (`key=value`) every Berth container of this driver carries. */
  readonly labelFilters: readonly string[];
  readonly reconnectDelayMs: number;
}

/** What the stream reports. */
export interface EventStreamHandlers {
  /** A container event of `agentId` (`die`, `start`, `health_status: healthy`, …). */
  onEvent(agentId: string, action: string): void;
  /** The stream is back after a break: whatever happened meanwhile must be listed again. */
  onResumed(): void;
}

/** One events stream, kept connected between {@link EngineEventStream.start} and `stop`. */
export class EngineEventStream {
  readonly #source: EventStreamSource;
  readonly #agentLabel: string;
  readonly #handlers: EventStreamHandlers;
  #stream: NodeJS.ReadableStream | null = null;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #reconnectDelay: number;
  /** Seconds since the epoch of the last event seen (`since` on reconnect). */
  #lastEventAt: number | null = null;
  #running = false;
  #connects = 0;

  /**
   * @param source - How to reach the engine.
   * @param agentLabel - The label key holding the agent id.
   * @param handlers - Who hears the events.
   */
  constructor(source: EventStreamSource, agentLabel: string, handlers: EventStreamHandlers) {
    this.#source = source;
    this.#agentLabel = agentLabel;
    this.#handlers = handlers;
    this.#reconnectDelay = source.reconnectDelayMs;
  }

  /** How many times the stream has been (re)connected. */
  get connects(): number {
    return this.#connects;
  }

  /** Connect (and keep reconnecting until {@link EngineEventStream.stop}). */
  start(): void {
    this.#running = true;
    this.#connect();
  }

  /** Close the stream and cancel a pending reconnect. */
  stop(): void {
    this.#running = false;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#dropStream();
  }

  /** Drop the current stream and reconnect (a half-open stream would otherwise stay silent). */
  reconnect(): void {
    if (this.#stream) this.#dropStream();
  }

  #dropStream(): void {
    const stream = this.#stream;
    this.#stream = null;
    if (stream) {
      stream.removeAllListeners();
      stream.on('error', () => {});
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      if (this.#running) this.#scheduleReconnect();
    }
  }

  #scheduleReconnect(): void {
    if (!this.#running || this.#reconnectTimer) return;
    const delay = this.#reconnectDelay;
    this.#reconnectDelay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.#connect();
    }, delay);
    this.#reconnectTimer.unref?.();
  }

  #connect(): void {
    if (!this.#running) return;
    const resumed = this.#connects > 0;
    const options: Dockerode.GetEventsOptions = {
      filters: { type: ['container'], label: [...this.#source.labelFilters] },
      ...(this.#lastEventAt !== null ? { since: this.#lastEventAt } : {}),
    };
    let client: Dockerode;
    try {
      client = this.#source.client();
    } catch {
      this.#scheduleReconnect();
      return;
    }
    client.getEvents(options).then(
      (stream) => {
        if (!this.#running) {
          (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
          return;
        }
        this.#connects += 1;
        this.#reconnectDelay = this.#source.reconnectDelayMs;
        this.#stream = stream;
        let buffer = '';
        stream.on('data', (chunk: Buffer | string) => {
          buffer += chunk.toString();
          let newline = buffer.indexOf('\n');
          while (newline >= 0) {
            const line = buffer.slice(0, newline).trim();
            buffer = buffer.slice(newline + 1);
            if (line) this.#onLine(line);
            newline = buffer.indexOf('\n');
          }
        });
        const broken = () => {
          if (this.#stream === stream) this.#dropStream();
        };
        stream.on('end', broken);
        stream.on('close', broken);
        stream.on('error', broken);
        // Whatever happened while disconnected (an engine restart loses its event log): list again.
        if (resumed) this.#handlers.onResumed();
      },
      () => this.#scheduleReconnect(),
    );
  }

  #onLine(line: string): void {
    let event: EngineEvent;
    try {
      event = JSON.parse(line) as EngineEvent;
    } catch {
      return;
    }
    const at = typeof event.time === 'number' ? event.time : null;
    if (at !== null && (this.#lastEventAt === null || at > this.#lastEventAt)) this.#lastEventAt = at;
    if (event.Type !== 'container') return;
    const agentId = event.Actor?.Attributes?.[this.#agentLabel];
    if (!agentId) return;
    this.#handlers.onEvent(agentId, event.Action ?? '');
  }
}
