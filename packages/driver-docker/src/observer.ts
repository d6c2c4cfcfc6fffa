/**
 * Observation: the Docker events stream (filtered by Berth's labels, resumed with `since` after a
 * reconnect) plus a periodic resync that lists labelled containers. Both feed one comparison
 * against what the driver last knew of each agent, so an out-of-band change (docker kill, an OOM,
 * docker rm -f, the engine restarting) becomes exactly one {@link DriverEvent}, while the driver's
 * own operations (the agent is "busy") never do. The stream itself is `event-stream.ts`.
 *
 * @module
 */
import type { DriverEvent, DriverInspection } from '@berth/core';
import { EngineEventStream, type EventStreamSource } from './event-stream.js';
import { missing } from './inspection.js';

/** What the driver last knew about an agent's container. */
interface Known {
  readonly resourceId: string;
  readonly state: DriverInspection['state'];
  readonly health: DriverInspection['health'];
}

/** An inspection plus whether the last exit was an OOM kill. */
export interface Probe {
  readonly inspection: DriverInspection;
  readonly oom: boolean;
}

/** What the observer needs from the driver (the stream's needs, plus looking at agents). */
export interface ObserverSource extends EventStreamSource {
  /** Look at one agent now. */
  probe(agentId: string): Promise<Probe>;
  /** Every labelled container now. */
  scan(): Promise<DriverInspection[]>;
  readonly resyncIntervalMs: number;
}

/** Watches the engine for out-of-band changes and reports them to listeners. */
export class Observer {
  readonly #source: ObserverSource;
  readonly #known = new Map<string, Known>();
  /** Agents the driver is operating on right now (count of operations in flight). */
  readonly #busy = new Map<string, number>();
  /** Increases whenever an operation begins or ends, so a probe started before is discarded. */
  readonly #generation = new Map<string, number>();
  readonly #listeners = new Set<(event: DriverEvent) => void>();
  readonly #events: EngineEventStream;
  #resyncTimer: NodeJS.Timeout | null = null;
  #baselined = false;
  #running = false;
  #resyncing: Promise<void> | null = null;
  #disposed = false;

  /**
   * @param source - How to reach the engine and look at agents.
   * @param agentLabel - The label key holding the agent id.
   */
  constructor(source: ObserverSource, agentLabel: string) {
    this.#source = source;
    this.#events = new EngineEventStream(source, agentLabel, {
      onEvent: (agentId, action) => this.#onEvent(agentId, action),
      onResumed: () => void this.resync(),
    });
  }

  /** How many times the events stream has been (re)connected (for tests and diagnostics). */
  get connects(): number {
    return this.#events.connects;
  }

  /** Subscribe; the stream and the resync timer run while anyone listens. */
  subscribe(listener: (event: DriverEvent) => void): () => void {
    if (this.#disposed) return () => {};
    this.#listeners.add(listener);
    if (!this.#running) this.#startWatching();
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stopWatching();
    };
  }

  /** An operation of the driver begins on `agentId`: its changes are not out of band. */
  begin(agentId: string): void {
    this.#busy.set(agentId, (this.#busy.get(agentId) ?? 0) + 1);
    this.#bump(agentId);
  }

  /**
   * The operation ended; remember what it left behind (without reporting it).
   * @param inspection - The agent's state after the operation, or null when unknown (the operation failed).
   */
  end(agentId: string, inspection: DriverInspection | null): void {
    const n = (this.#busy.get(agentId) ?? 1) - 1;
    if (n <= 0) this.#busy.delete(agentId);
    else this.#busy.set(agentId, n);
    this.#bump(agentId);
    if (inspection) this.#remember(agentId, inspection);
    else if (n <= 0) {
      // Find out quietly what a failed operation left, so the next real change is compared with it.
      const gen = this.#generation.get(agentId);
      this.#source
        .probe(agentId)
        .then((p) => {
          if (this.#generation.get(agentId) === gen && !this.#busy.has(agentId)) {
            this.#remember(agentId, p.inspection);
          }
        })
        .catch(() => {});
    }
  }

  /** Resync now (lists labelled containers and reports differences). Resolves when done. */
  resync(): Promise<void> {
    if (this.#resyncing) return this.#resyncing;
    this.#resyncing = this.#doResync().finally(() => {
      this.#resyncing = null;
    });
    return this.#resyncing;
  }

  /** Close the stream and the timers. */
  dispose(): void {
    this.#disposed = true;
    this.#listeners.clear();
    this.#stopWatching();
  }

  #bump(agentId: string): void {
    this.#generation.set(agentId, (this.#generation.get(agentId) ?? 0) + 1);
  }

  #remember(agentId: string, inspection: DriverInspection): void {
    if (inspection.state === 'missing' || inspection.resourceId === null) {
      this.#known.delete(agentId);
      if (!this.#busy.has(agentId)) this.#generation.delete(agentId); // nothing kept for gone agents
    } else {
      this.#known.set(agentId, {
        resourceId: inspection.resourceId,
        state: inspection.state,
        health: inspection.health,
      });
    }
  }

  #emit(event: DriverEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own; the others still hear about the change.
      }
    }
  }

  /** Compare what is with what was known; report the difference when `report`. */
  #apply(agentId: string, now: DriverInspection, oom: boolean, report: boolean): void {
    const before = this.#known.get(agentId);
    this.#remember(agentId, now);
    if (!report || !before) return;
    if (now.state === 'missing') {
      this.#emit({ type: 'removed', agentId });
      return;
    }
    const wasRunning = before.state === 'running';
    const isRunning = now.state === 'running';
    if (wasRunning && (now.state === 'exited' || now.state === 'stopped')) {
      this.#emit({ type: 'exited', agentId, exitCode: now.exitCode, ...(oom ? { oom: true } : {}) });
    } else if (!wasRunning && isRunning) {
      this.#emit({ type: 'started', agentId });
    }
    if (
      isRunning &&
      now.health !== before.health &&
      (now.health === 'healthy' || now.health === 'unhealthy')
    ) {
      this.#emit({ type: 'health', agentId, health: now.health });
    }
  }

  /** Look at one agent and report what changed, unless an operation of the driver is on it. */
  async #check(agentId: string, report: boolean): Promise<void> {
    if (this.#busy.has(agentId)) return;
    const gen = this.#generation.get(agentId);
    let probe: Probe;
    try {
      probe = await this.#source.probe(agentId);
    } catch {
      return; // engine unreachable: the resync after reconnecting will catch up
    }
    if (this.#busy.has(agentId) || this.#generation.get(agentId) !== gen || !this.#running) return;
    this.#apply(agentId, probe.inspection, probe.oom, report);
  }

  async #doResync(): Promise<void> {
    let all: DriverInspection[];
    try {
      all = await this.#source.scan();
    } catch {
      // Never read "the engine did not answer" as "every container is gone". Force a reconnect:
      // a half-open events stream would otherwise stay silent.
      this.#events.reconnect();
      return;
    }
    const report = this.#baselined;
    this.#baselined = true;
    const seen = new Set<string>();
    const checks: Promise<void>[] = [];
    for (const item of all) {
      if (!item.agentId || seen.has(item.agentId)) continue;
      seen.add(item.agentId);
      if (this.#busy.has(item.agentId)) continue;
      const before = this.#known.get(item.agentId);
      const exitedNow = before?.state === 'running' && (item.state === 'exited' || item.state === 'stopped');
      // An exit found by listing: ask the engine whether it was an OOM kill.
      if (report && exitedNow) checks.push(this.#check(item.agentId, true));
      else this.#apply(item.agentId, item, false, report);
    }
    for (const agentId of [...this.#known.keys()]) {
      if (!seen.has(agentId) && !this.#busy.has(agentId)) {
        this.#apply(agentId, missing(agentId), false, report);
      }
    }
    await Promise.all(checks);
  }

  #startWatching(): void {
    this.#running = true;
    this.#baselined = false;
    this.#events.start();
    void this.resync();
    this.#resyncTimer = setInterval(() => void this.resync(), this.#source.resyncIntervalMs);
    this.#resyncTimer.unref?.();
  }

  #stopWatching(): void {
    this.#running = false;
    if (this.#resyncTimer) clearInterval(this.#resyncTimer);
    this.#resyncTimer = null;
    this.#events.stop();
  }

  /** A container event: the engine's current state decides what changed. */
  #onEvent(agentId: string, action: string): void {
    // die, oom, destroy, start, health_status: …: the engine's current state decides what changed.
    // (`kill` only says a signal was sent: a trapped signal changes nothing, the `die` that
    // follows a fatal one is what reports the exit.)
    if (
      action === 'die' ||
      action === 'oom' ||
      action === 'destroy' ||
      action === 'start' ||
      action === 'stop' ||
      action.startsWith('health_status')
    ) {
      void this.#check(agentId, this.#baselined);
    }
  }
}
