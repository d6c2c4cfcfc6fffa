/**
 * What an embedder adds to the lifecycle about its own world: named preconditions per action
 * (e.g. "an active model price book") and a release catalog for `update {release}` and rollback.
 *
 * @module
 */
import type { AgentSpec } from './record.js';
import type { Action, AgentKind, Status } from './vocabulary.js';

/** What a precondition is asked about. */
export interface PreconditionInput {
  readonly agent: {
    readonly id: string;
    readonly name: string;
    readonly owner: string;
    readonly kind: AgentKind;
    readonly status: Status;
    readonly spec: AgentSpec;
  };
  readonly action: Action;
  /** Who asks (`user:ada`); `null` when only availability is asked (`availableActions`, views). */
  readonly actor: string | null;
  /** The action's own fields (`release`, `image`, `revision`, `size`), when it is dispatched. */
  readonly options: {
    readonly release?: string | undefined;
    readonly image?: string | undefined;
    readonly revision?: string | undefined;
    readonly size?: string | undefined;
  };
}

/**
 * `true` when the precondition holds; otherwise the refusal: `reason` is a stable UPPER_SNAKE
 * code of the embedder's (e.g. `MODEL_PRICE_BOOK_MISSING`), `detail` a sentence for a person.
 */
export type PreconditionVerdict = true | { readonly reason: string; readonly detail?: string | undefined };

/** A named precondition of an action, checked by the manager when the action is dispatched. */
export interface Precondition {
  /** Its name in audit verdicts (`precondition:<name>`) and denials. */
  readonly name: string;
  /** Whether it holds now. Keep it quick: views of agents ask it too. */
  check(input: PreconditionInput): PreconditionVerdict | Promise<PreconditionVerdict>;
}

/** Preconditions by action, in the order they are checked (the first refusal wins). */
export type Preconditions = Readonly<Partial<Record<Action, readonly Precondition[]>>>;

/** What a release resolves to. */
export interface ResolvedRelease {
  /** The image to run. */
  readonly image: string;
  /** The configuration the release brings (replaces the agent's); absent: keep the agent's. */
  readonly config?: Readonly<Record<string, unknown>> | undefined;
}

/** Resolve a release name through the embedder's catalog; `null` when it does not resolve. */
export type ReleaseResolver = (
  release: string,
  context: { readonly agentId: string; readonly owner: string },
) => ResolvedRelease | null | Promise<ResolvedRelease | null>;

/** Manager options about the embedder's world. */
export interface EmbedderOptions {
  /**
   * Named preconditions per action. A failing one refuses the action with `PRECONDITION_FAILED`
   * (409) and its own `reason`, shows as a denial in `actions`/`availableActions`, and is
   * audited like a guard verdict (`precondition:<name>`). Checked only after the statechart
   * allows the action, and only for operator actions (never for the system's own recovery).
   * @example
   * ```ts
   * preconditions: { update: [{ name: 'modelPriceBook', check: async ({ agent }) =>
   *   (await priceBooks.active(agent.owner)) ? true : { reason: 'MODEL_PRICE_BOOK_MISSING' } }] }
   * ```
   */
  readonly preconditions?: Preconditions;
  /**
   * The release catalog: `update {release}` runs what the release resolves to, and `rollback`
   * to a revision built from a release re-resolves it. A release that does not resolve is
   * refused with `RELEASE_NOT_FOUND` (422), changing nothing.
   */
  readonly resolveRelease?: ReleaseResolver;
}
