/**
 * Time sources. The manager reads time only through a {@link Clock}, so tests drive heartbeat
 * staleness, backoff, deadlines and grace periods with a {@link ManualClock} and never sleep.
 *
 * @module
 */

/** A source of time. Inject a {@link ManualClock} in tests so nothing ever sleeps. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Call `fn` after `ms` (by this clock); returns a cancel function. */
  setTimeout(fn: () => void, ms: number): () => void;
}

/**
 * The real clock (`Date.now`, `setTimeout`). Its timers keep the process alive like any other
 * pending work: a `waitFor` with a timeout, a simulated latency, or the sweeper started by
 * `manager.start()` (stop it with `manager.close()`).
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(handle);
  },
};

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * A clock that moves only when told to. Timers fire in time order during {@link advance}.
 *
 * @example
 * ```ts
 * const clock = new ManualClock();
 * const manager = createLifecycleManager({ clock, driver: createMemoryDriver({ clock }) });
 * await clock.advance(90_000); // heartbeats are now stale
 * await manager.tick();
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers = new Set<Timer>();

  /** @param start - the initial time in ms since the epoch. @default 1_700_000_000_000 */
  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): () => void {
    const timer: Timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.add(timer);
    return () => {
      this.#timers.delete(timer);
    };
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#timers.size;
  }

  /**
   * Move time forward by `ms`, firing due timers in order and letting promise callbacks run
   * between them (so async work a timer starts can schedule further timers).
   */
  async advance(ms: number): Promise<void> {
    const target = this.#now + Math.max(0, ms);
    for (;;) {
      await flushMicrotasks();
      let next: Timer | undefined;
      for (const t of this.#timers) {
        if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      }
      if (!next) break;
      this.#timers.delete(next);
      this.#now = Math.max(this.#now, next.at);
      next.fn();
    }
    this.#now = target;
    await flushMicrotasks();
  }
}

/** Let queued promise callbacks (and the I/O they await on in-memory stores) run. */
export async function flushMicrotasks(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
