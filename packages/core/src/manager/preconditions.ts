/**
 * Preconditions and releases: the embedder's knowledge of its own world, asked by the manager
 * at dispatch. The compiled decision table stays the statechart's alone (pure, the same for every
 * embedder, proven equal to XState); preconditions are data about the world outside it, so they
 * are checked here, after the table allowed a transition and before it is committed, and their
 * verdicts join the guards' in the audit entry.
 *
 * @module
 */
import type { ActionAvailability, Denial } from '../chart.js';
import { BerthError, ValidationError } from '../errors.js';
import type { PreconditionInput, ResolvedRelease } from '../preconditions-types.js';
import type { AgentRecord, GuardVerdict } from '../record.js';
import type { Action } from '../vocabulary.js';
import type { ManagerContext } from './context.js';

/** What checking an action's preconditions found: the verdicts, and the first refusal if any. */
export interface PreconditionCheck {
  readonly verdicts: readonly GuardVerdict[];
  readonly denial: Denial | null;
}

const NONE: PreconditionCheck = Object.freeze({ verdicts: Object.freeze([]), denial: null });

/** True when the manager has preconditions for `action`. */
export function hasPreconditions(ctx: ManagerContext, action: Action): boolean {
  return (ctx.preconditions?.[action]?.length ?? 0) > 0;
}

/** Check `action`'s preconditions for `r` in order; the first refusal stops the check. */
export async function checkPreconditions(
  ctx: ManagerContext,
  r: AgentRecord,
  action: Action,
  actor: string | null,
  options: PreconditionInput['options'] = {},
): Promise<PreconditionCheck> {
  const list = ctx.preconditions?.[action];
  if (!list || list.length === 0) return NONE;
  const input: PreconditionInput = {
    agent: { id: r.id, name: r.name, owner: r.owner, kind: r.kind, status: r.status, spec: r.spec },
    action,
    actor,
    options: {
      release: options.release,
      image: options.image,
      revision: options.revision,
      size: options.size,
    },
  };
  const verdicts: GuardVerdict[] = [];
  for (const p of list) {
    const verdict = await p.check(input);
    const guard = `precondition:${p.name}` as const;
    if (verdict === true) {
      verdicts.push({ guard, passed: true });
      continue;
    }
    verdicts.push({ guard, passed: false });
    return {
      verdicts,
      denial: {
        code: 'PRECONDITION_FAILED',
        detail: verdict.detail ?? `cannot ${action}: precondition '${p.name}' failed (${verdict.reason})`,
        unblock: `Satisfy '${p.name}' (${verdict.reason}), then try again.`,
        guard,
        reason: verdict.reason,
      },
    };
  }
  return { verdicts, denial: null };
}

/**
 * Resolve `release` through the manager's catalog.
 * @throws `RELEASE_NOT_FOUND` when it does not resolve (or the manager has no catalog).
 */
export async function resolveRelease(
  ctx: ManagerContext,
  r: Pick<AgentRecord, 'id' | 'owner'>,
  release: string,
): Promise<ResolvedRelease> {
  if (!ctx.resolveRelease) {
    throw new BerthError(
      'RELEASE_NOT_FOUND',
      `release '${release}' does not resolve: this manager has no release catalog`,
    );
  }
  const resolved = await ctx.resolveRelease(release, { agentId: r.id, owner: r.owner });
  if (!resolved)
    throw new BerthError('RELEASE_NOT_FOUND', `release '${release}' does not resolve in the release catalog`);
  if (typeof resolved.image !== 'string' || resolved.image === '') {
    throw new BerthError('RELEASE_NOT_FOUND', `release '${release}' resolved to no image`);
  }
  return resolved;
}

/** `update` names what to run once: a release, or an image (and config). */
export function checkReleaseOptions(options: {
  release?: string | undefined;
  image?: string | undefined;
}): void {
  if (options.release !== undefined && options.image !== undefined) {
    throw new ValidationError('update takes a release or an image, not both', [
      { path: 'image', message: 'leave image out when naming a release (the release resolves to an image)' },
    ]);
  }
}

/**
 * The actions as a caller sees them, with the preconditions asked: an action the chart allows
 * whose precondition fails shows as denied (`PRECONDITION_FAILED`, its reason). Without
 * preconditions the chart's (cached) view is returned as it is.
 */
export async function withPreconditions(
  ctx: ManagerContext,
  r: AgentRecord,
  view: { readonly actions: readonly ActionAvailability[]; readonly allowed: readonly Action[] },
): Promise<{ readonly actions: readonly ActionAvailability[]; readonly allowed: readonly Action[] }> {
  if (!ctx.preconditions || !view.allowed.some((a) => hasPreconditions(ctx, a))) return view;
  const actions = await Promise.all(
    view.actions.map(async (a): Promise<ActionAvailability> => {
      if (!a.allowed || !hasPreconditions(ctx, a.action)) return a;
      const { denial } = await checkPreconditions(ctx, r, a.action, null);
      return denial ? { action: a.action, allowed: false, denial } : a;
    }),
  );
  return { actions, allowed: actions.filter((a) => a.allowed).map((a) => a.action) };
}
