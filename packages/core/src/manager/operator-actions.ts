/**
 * Operator actions: creating an agent, dispatching an action, billing suspension.
 *
 * @module
 */
import { decide, explain } from '../chart.js';
import { BerthError, ValidationError } from '../errors.js';
import type { ChartEvent } from '../guards.js';
import type { CreateAgentInput, DispatchResult, LifecycleManager } from '../manager-types.js';
import type { AgentRecord, Revision } from '../record.js';
import { isAction } from '../vocabulary.js';
import { restoreSource } from './backups.js';
import type { ManagerContext } from './context.js';
import { idempotent } from './idempotency.js';
import { plan } from './planning.js';
import { checkPreconditions, checkReleaseOptions, resolveRelease } from './preconditions.js';
import { envFor } from './policies.js';
import { blankRecord, contextOf, newAgent, newId } from './records.js';
import { commitNewAgent, transact } from './transaction.js';
import { validateCreate, validateDispatch } from './validation.js';
import { deny, load, view as viewOf } from './views.js';

/** The operator actions of a manager. */
export function operatorActions(
  ctx: ManagerContext,
): Pick<LifecycleManager, 'create' | 'dispatch' | 'setBilling'> {
  const { store, clock, policies, defaultOwner, defaultImage } = ctx;
  const view = (r: AgentRecord) => viewOf(ctx, r);
  return {
    async create(input: CreateAgentInput, opts = {}) {
      const spec = validateCreate(input);
      const owner = input.owner ?? defaultOwner;
      const actor = opts.actor ?? 'system';
      return idempotent(
        ctx,
        owner,
        'create',
        opts.idempotencyKey,
        JSON.stringify(['create', input]),
        async () => {
          const restoredFrom =
            spec.restoreFrom === undefined ? null : await restoreSource(ctx, owner, spec.restoreFrom);
          const now = clock.now();
          const id = newId('agt');
          const base = blankRecord({
            id,
            name: spec.name,
            owner,
            kind: 'managed',
            code: null,
            now,
            spec: {
              image: spec.image ?? defaultImage,
              runtime: spec.runtime,
              region: spec.region,
              size: spec.size,
              config: spec.config ?? {},
            },
          });
          const { record: born, entry: created } = newAgent(base, {
            actor,
            action: 'create',
            reason: null,
            metadata: restoredFrom
              ? { image: base.spec.image, restoreFrom: restoredFrom }
              : { image: base.spec.image },
            at: now,
          });
          const rev: Revision = {
            id: newId('rev'),
            agentId: id,
            number: 1,
            image: base.spec.image,
            resolvedImage: null,
            config: base.spec.config,
            action: 'create',
            sourceRevision: null,
            outcome: 'pending',
            createdAt: now,
          };
          const pending: AgentRecord = { ...born, revision: rev.id, ...(restoredFrom && { restoredFrom }) };
          const env = await envFor(ctx, pending);
          const event: ChartEvent = { type: 'deploy', env };
          const context = contextOf(pending);
          const t = decide(pending.state, event, context);
          if (!t) deny(ctx, pending, explain(pending.state, event, context));
          // deploy's preconditions hold for a new agent too (nothing exists yet to audit a refusal on).
          const checked = await checkPreconditions(ctx, pending, 'deploy', actor, {});
          if (checked.denial) deny(ctx, pending, checked.denial);
          const p = await plan(ctx, pending, t, { type: 'deploy', actor, verdicts: checked.verdicts });
          await commitNewAgent(ctx, pending, created, t, p, actor, {
            revisions: [rev, ...(p.commit.revisions ?? [])],
            quota: Number.isFinite(policies.slotsPerOwner)
              ? { owner, limit: policies.slotsPerOwner }
              : undefined,
          });
          const agent = await view(p.record);
          // The credentials are shown this once (an idempotent replay answers SECRET_ALREADY_SHOWN).
          return p.credentials ? { ...agent, credentials: p.credentials } : agent;
        },
      );
    },

    async dispatch(agentId, action, opts = {}) {
      if (!isAction(action)) {
        throw new ValidationError(`unknown action '${String(action)}'`, [
          { path: 'action', message: 'not an action' },
        ]);
      }
      validateDispatch(action, opts);
      const fingerprint =
        opts.idempotencyKey === undefined
          ? ''
          : JSON.stringify([
              action,
              opts.reason,
              opts.confirm,
              opts.revision,
              opts.image,
              opts.config,
              opts.release,
              opts.size,
            ]);
      // Keys are the owner's (capped per owner): find it first when a key is given.
      const keyOwner =
        opts.idempotencyKey === undefined ? '' : (opts.owner ?? (await load(ctx, agentId)).owner);
      return idempotent(
        ctx,
        keyOwner,
        `dispatch:${agentId}`,
        opts.idempotencyKey,
        fingerprint,
        async (): Promise<DispatchResult> => {
          let options = opts;
          if (action === 'rollback') {
            const r = await load(ctx, agentId, opts.owner);
            const revs = await store.revisions(r.id);
            const source = revs.find((x) => x.id === opts.revision);
            if (!source) {
              throw new BerthError(
                'REVISION_NOT_FOUND',
                `agent ${agentId} has no revision '${opts.revision}'`,
              );
            }
            // A revision built from a release goes back only while the catalog still resolves it.
            if (source.release && ctx.resolveRelease) await resolveRelease(ctx, r, source.release);
          } else if (action === 'update' && opts.release !== undefined) {
            checkReleaseOptions(opts);
            const resolved = await resolveRelease(ctx, await load(ctx, agentId, opts.owner), opts.release);
            options = { ...opts, image: resolved.image, config: resolved.config ?? opts.config };
          }
          const outcome = await transact(ctx, agentId, {
            type: action,
            actor: opts.actor ?? 'system',
            reason: opts.reason,
            confirm: opts.confirm,
            owner: opts.owner,
            expectedVersion: opts.expectedVersion,
            options,
            checkPreconditions: true,
            metadata:
              action === 'rollback'
                ? { revision: opts.revision }
                : opts.release !== undefined
                  ? { release: opts.release }
                  : undefined,
          });
          if (!outcome.accepted) deny(ctx, outcome.record, outcome.denial);
          const result: DispatchResult = {
            agent: await view(outcome.record),
            operation: outcome.operation ? { id: outcome.operation.id, action } : null,
          };
          // recreate's new credentials are shown this once.
          return outcome.credentials ? { ...result, credentials: outcome.credentials } : result;
        },
      );
    },

    async setBilling(agentId, suspended, opts = {}) {
      const outcome = await transact(ctx, agentId, {
        type: suspended ? 'billing_suspended' : 'billing_resolved',
        actor: opts.actor ?? 'billing',
        reason: opts.reason,
      });
      if (!outcome.accepted) deny(ctx, outcome.record, outcome.denial);
      return view(outcome.record);
    },
  };
}
