/**
 * What the agent resource shows of its spec and where it is served, and the spec fields an
 * action may change.
 *
 * @module
 */

/** Where a driver serves an agent (reported by drivers with the `endpoints` capability). */
export interface Endpoint {
  /** What the endpoint is for, e.g. `http`. */
  readonly name: string;
  /** Where to reach it, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
}

/** The spec fields of the agent resource (`null` when the agent was created without one). */
export interface AgentSpecView {
  /** Runtime family, e.g. `node`, `python`. */
  readonly runtime: string | null;
  /** Region or placement hint. */
  readonly region: string | null;
  /** Size or plan, e.g. `small`; `recreate` may change it. */
  readonly size: string | null;
  /** Where the driver serves the agent; empty until it does, released by destroy. */
  readonly endpoints: readonly Endpoint[];
}

/** Dispatch options that change the spec or name what to run (each taken only by its action). */
export interface SpecDispatchOptions {
  /** Recreate: the new size (the agent comes back on a fresh resource of that size). */
  readonly size?: string | undefined;
  /** Update: the release to run, resolved through the manager's `resolveRelease`. */
  readonly release?: string | undefined;
}
