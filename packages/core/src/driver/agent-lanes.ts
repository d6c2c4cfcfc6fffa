/**
 * One operation at a time per agent: a lane per agent id, in arrival order. A lane exists only
 * while operations on its agent are queued or running.
 *
 * @module
 */

/** The per-agent lanes of one driver. */
export interface AgentLanes {
  /**
   * Run `work` once every earlier operation on `agentId` has settled. With an empty lane `work`
   * runs at once (synchronously, before this returns). A caller whose `signal` aborts while it
   * waits is rejected with `abortError()` at once and its `work` never runs.
   */
  run<T>(agentId: string, signal: AbortSignal, abortError: () => Error, work: () => Promise<T>): Promise<T>;
  /** How many operations are queued or running on `agentId`. */
  depth(agentId: string): number;
}

interface Lane {
  tail: Promise<void>;
  pending: number;
}

const noop = () => {};

/** Create the lanes of one driver. */
export function createAgentLanes(): AgentLanes {
  const lanes = new Map<string, Lane>();

  function release(agentId: string, lane: Lane): void {
    lane.pending -= 1;
    if (lane.pending === 0 && lanes.get(agentId) === lane) lanes.delete(agentId);
  }

  return {
    run<T>(
      agentId: string,
      signal: AbortSignal,
      abortError: () => Error,
      work: () => Promise<T>,
    ): Promise<T> {
      const existing = lanes.get(agentId);
      if (existing === undefined) {
        const lane: Lane = { tail: Promise.resolve(), pending: 1 };
        lanes.set(agentId, lane);
        let running: Promise<T>;
        try {
          running = work();
        } catch (error) {
          running = Promise.reject(error);
        }
        lane.tail = running.then(noop, noop);
        lane.tail.then(() => release(agentId, lane));
        return running;
      }
      const lane = existing;
      lane.pending += 1;
      const turn = lane.tail;
      const started = new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(abortError());
        signal.addEventListener('abort', onAbort, { once: true });
        turn.then(() => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) reject(abortError());
          else resolve();
        });
      });
      const running = started.then(work);
      // The next one waits for the previous (even when this one gave up early) and for this one.
      lane.tail = turn.then(() => running).then(noop, noop);
      lane.tail.then(() => release(agentId, lane));
      return running;
    },
    depth(agentId) {
      return lanes.get(agentId)?.pending ?? 0;
    },
  };
}
