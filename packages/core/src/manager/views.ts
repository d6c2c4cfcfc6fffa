/**
 * Views: the agent as callers see it (with its available actions, cached per configuration),
 * loading a record for a caller, and turning a refusal into a typed error.
 *
 * @module
 */
import {
  type ActionAvailability,
  allowedActions,
  INITIAL_STATE,
  availableActions as chartAvailableActions,
  type explain,
} from '../chart.js';
import { AgentNotFoundError, TransitionDeniedError } from '../errors.js';
import type { ChartContext, GuardEnv } from '../guards.js';
import type { AgentView } from '../manager-types.js';
import type { AgentRecord } from '../record.js';
import type { Endpoint } from '../spec-types.js';
import type { Action } from '../vocabulary.js';
import { type ManagerContext, VIEW_CACHE_SIZE } from './context.js';
import { envFor } from './policies.js';
import { withPreconditions } from './preconditions.js';
import { contextOf, iso } from './records.js';
import { waitlistLine } from './waitlist.js';

const NO_ENDPOINTS: readonly Endpoint[] = Object.freeze([]);

/**
 * The agent as callers see it. A view that depends on its record alone (no preconditions to
 * ask, no waitlist position, no free-slot guard) is built once per record and then shared, for
 * the agents whose views were built last (up to twice `VIEW_CACHE_SIZE`): the record after a
 * dispatch is the one the next request loads. Views are frozen.
 */
export async function view(ctx: ManagerContext, r: AgentRecord): Promise<AgentView> {
  // The same awaits as an uncached view: callers racing each other interleave as before.
  const env = await envFor(ctx, r);
  const cached = ctx.views.recent.get(r.id) ?? ctx.views.older.get(r.id);
  if (cached !== undefined && cached.record === r) return cached.view;
  const context = contextOf(r);
  const chart = availabilityOf(ctx, r.state, context, env);
  const { actions, allowed } = ctx.preconditions ? await withPreconditions(ctx, r, chart) : chart;
  let waitlist: AgentView['waitlist'] = null;
  if (r.status === 'waitlisted' && r.waitlist) {
    const position = 1 + (await waitlistLine(ctx)).findIndex((x) => x.id === r.id);
    waitlist = { position, nextAttemptAt: iso(r.waitlist.nextAt)! };
  }
  const built: AgentView = Object.freeze({
    id: r.id,
    name: r.name,
    owner: r.owner,
    kind: r.kind,
    status: r.status,
    state: r.state,
    version: r.version,
    availableActions: allowed,
    actions,
    workspaceId: r.workspaceId,
    revision: r.revision,
    image: r.spec.image,
    runtime: r.spec.runtime ?? null,
    region: r.spec.region ?? null,
    size: r.spec.size ?? null,
    endpoints: r.endpoints ?? NO_ENDPOINTS,
    lastHeartbeatAt: iso(r.lastHeartbeatAt),
    operation: r.operation
      ? {
          id: r.operation.id,
          action: r.operation.action,
          op: r.operation.op,
          startedAt: iso(r.operation.startedAt)!,
        }
      : null,
    waitlist,
    ghost: r.ghost,
    createdAt: iso(r.createdAt)!,
    updatedAt: iso(r.updatedAt)!,
    deletedAt: iso(r.deletedAt),
    purgeAt: r.deletedAt === null ? null : iso(r.deletedAt + ctx.policies.deletedGraceMs),
  });
  if (recordAlone(ctx, r)) remember(ctx, r, built);
  return built;
}

/** Keep the view of an agent's latest record; a full generation makes room by aging. */
function remember(ctx: ManagerContext, r: AgentRecord, built: AgentView): void {
  const views = ctx.views;
  if (views.recent.size >= VIEW_CACHE_SIZE) {
    views.older = views.recent;
    views.recent = new Map();
  }
  views.recent.set(r.id, { record: r, view: built });
}

/** True when a record's view depends on nothing else (see `envFor` and the view's waitlist and preconditions). */
function recordAlone(ctx: ManagerContext, r: AgentRecord): boolean {
  return (
    ctx.preconditions === undefined &&
    r.status !== 'waitlisted' &&
    (!Number.isFinite(ctx.policies.slotsPerOwner) || r.kind !== 'managed' || r.state !== INITIAL_STATE)
  );
}

// Availability depends only on the configuration, the kind, whether an operation is in flight
// and the environment (the name is never part of a denial here: confirmation is supplied).
function availabilityOf(ctx: ManagerContext, state: string, context: ChartContext, env: GuardEnv) {
  const availability = ctx.availability;
  let byKey = availability.get(env);
  if (!byKey) {
    byKey = new Map();
    availability.set(env, byKey);
  }
  const key = `${state}|${context.kind}|${context.operationId === null ? 0 : 1}`;
  let hit = byKey.get(key);
  if (!hit) {
    const actions = Object.freeze(
      chartAvailableActions(state, context, env).map((a) => Object.freeze(a)),
    ) as ActionAvailability[];
    hit = {
      actions,
      allowed: Object.freeze(actions.filter((a) => a.allowed).map((a) => a.action)) as Action[],
    };
    byKey.set(key, hit);
  }
  return hit;
}

/** A record, or AGENT_NOT_FOUND (also for another owner's agent when `owner` is given). */
export async function load(ctx: ManagerContext, agentId: string, owner?: string): Promise<AgentRecord> {
  const r = await ctx.store.get(agentId);
  if (!r || (owner !== undefined && r.owner !== owner)) throw new AgentNotFoundError(agentId);
  return r;
}

/** Throw the chart's refusal as a typed error naming the actions allowed instead. */
export function deny(ctx: ManagerContext, r: AgentRecord, denial: ReturnType<typeof explain>): never {
  throw new TransitionDeniedError(
    denial.code === 'STALE_OPERATION' ? 'ILLEGAL_TRANSITION' : denial.code,
    denial.detail,
    {
      allowedActions: allowedActions(r.state, contextOf(r), ctx.envs.withSlot),
      meta: {
        status: r.status,
        guard: denial.guard,
        unblock: denial.unblock,
        ...(denial.reason === undefined ? {} : { reason: denial.reason }),
      },
    },
  );
}
