/**
 * Following an agent until its operation settles, over the API's status event stream.
 *
 * @module
 */
import { STATUS_KINDS, type Status } from '@berth/core';
import type { BerthClient } from './client.js';
import { CliError, EXIT } from './exit-codes.js';
import type { AgentResource } from './types.js';

/** True when no operation is in flight and the status is not one that an operation moves on. */
export function isSettled(agent: AgentResource): boolean {
  if (agent.operation) return false;
  return STATUS_KINDS[agent.status] !== 'transient' && agent.status !== 'pending';
}

/** Options of {@link followUntilSettled}. */
export interface FollowOptions {
  /** Give up (exit 5) after this many milliseconds. */
  readonly timeoutMs: number;
  /** Aborted on Ctrl-C. */
  readonly signal: AbortSignal;
  /** Called with each status seen on the way. */
  readonly onStatus?: (status: Status) => void;
}

/**
 * Subscribe to the agent's events, then read it, then read it again on every transition until
 * it settles. Subscribing first means no transition can slip between the read and the stream.
 */
export async function followUntilSettled(
  client: BerthClient,
  id: string,
  options: FollowOptions,
): Promise<AgentResource> {
  return withTimeout(options, async (signal) => {
    const events = await client.events(id, { signal });
    try {
      let agent = await client.getAgent(id, { signal });
      options.onStatus?.(agent.status);
      if (isSettled(agent)) return agent;
      for await (const event of events) {
        options.onStatus?.(event.status);
        if (STATUS_KINDS[event.status] === 'transient') continue;
        agent = await client.getAgent(id, { signal });
        if (isSettled(agent)) return agent;
      }
      // The server ended the stream (e.g. the agent was purged): report what it is now.
      return await client.getAgent(id, { signal });
    } finally {
      await events.return(undefined);
    }
  });
}

/** Run `fn` with a signal that aborts on the caller's signal or after `timeoutMs` (then exit 5). */
export async function withTimeout<T>(
  options: { timeoutMs: number; signal: AbortSignal },
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const timeout = AbortSignal.timeout(Math.max(1, options.timeoutMs));
  const signal = AbortSignal.any([options.signal, timeout]);
  try {
    return await fn(signal);
  } catch (error) {
    if (timeout.aborted && !options.signal.aborted) {
      throw new CliError(
        EXIT.TIMEOUT,
        'TIMEOUT',
        `timed out after ${Math.round(options.timeoutMs / 1000)} s`,
      );
    }
    if (options.signal.aborted) throw new CliError(EXIT.INTERRUPTED, 'INTERRUPTED', 'interrupted');
    throw error;
  }
}
