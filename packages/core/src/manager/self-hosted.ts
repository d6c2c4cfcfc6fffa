/**
 * Self-hosted agents: registration tokens, registering (and re-registering) by code, agent
 * token checks and heartbeats.
 *
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import { configurationOf, decide, statusOfState } from '../chart.js';
import { BerthError, ValidationError } from '../errors.js';
import type { ChartEvent } from '../guards.js';
import type { LifecycleManager } from '../manager-types.js';
import type { AgentRecord, AgentTokenRecord } from '../record.js';
import type { ManagerContext } from './context.js';
import { passedVerdicts } from './kinds.js';
import { plan } from './planning.js';
import { auditEntry, blankRecord, contextOf, iso, newAgent, newId, newToken, sha256 } from './records.js';
import { dueAtOf } from './scheduling.js';
import { afterCommit, commitNewAgent, RETRY, transact, tryCommit, withCas } from './transaction.js';
import { validateRegister, validateTokenCode } from './validation.js';
import { deny, view as viewOf } from './views.js';

/** A disabled agent cannot come back by registering its code again. */
function refuseDisabled(r: AgentRecord | null): void {
  if (!r || r.status === 'deleted' || r.status === 'deleting') return;
  const config = configurationOf(r.state);
  if (typeof config !== 'string' && config.access === 'disabled') {
    throw new BerthError(
      'AGENT_DISABLED',
      `the agent registered under '${r.code}' is disabled; an operator must enable it before it can register again`,
    );
  }
}

/** The self-hosted agent API of a manager. */
export function selfHosted(
  ctx: ManagerContext,
): Pick<LifecycleManager, 'createRegistrationToken' | 'register' | 'authenticateAgent' | 'heartbeat'> {
  const { store, clock, policies, defaultOwner, events } = ctx;
  const view = (r: AgentRecord) => viewOf(ctx, r);
  return {
    async createRegistrationToken(opts = {}) {
      const now = clock.now();
      const ttl =
        opts.expiresInSeconds !== undefined ? opts.expiresInSeconds * 1000 : policies.registrationTokenTtlMs;
      if (!Number.isFinite(ttl) || ttl <= 0) {
        throw new ValidationError('expiresInSeconds must be a positive number', [
          { path: 'expiresInSeconds', message: 'must be positive' },
        ]);
      }
      const code = opts.code === undefined ? null : validateTokenCode(opts.code);
      const token = newToken('brg');
      const id = newId('rtk');
      await store.putRegistrationToken({
        hash: sha256(token),
        id,
        code,
        owner: opts.owner ?? defaultOwner,
        createdAt: now,
        expiresAt: now + ttl,
        usedAt: null,
        revokedAt: null,
      });
      return { id, token, expiresAt: iso(now + ttl)!, code };
    },

    async register(input) {
      validateRegister(input);
      const now = clock.now();
      const invalid = (why: string) => new BerthError('REGISTRATION_TOKEN_INVALID', why);
      const digest = sha256(input.registrationToken);
      // Checked before the token is spent: a refused registration changes nothing.
      const found = await store.findRegistrationToken(digest);
      if (found?.code != null && found.code !== input.code) {
        throw invalid(`the registration token can only register the code '${found.code}'`);
      }
      if (found) refuseDisabled(await store.findByCode(found.owner, input.code));
      const consumed = found ? await store.consumeRegistrationToken(digest, now) : null;
      if (!consumed) throw invalid('the registration token is unknown, expired, revoked or used');
      const owner = consumed.owner;
      const token = newToken('bat');
      const issue: AgentTokenRecord = { hash: sha256(token), agentId: '', createdAt: now, revokedAt: null };
      const existing = await store.findByCode(owner, input.code);
      if (existing && existing.status !== 'deleted' && existing.status !== 'deleting') {
        // Re-registration: same agent, fresh token, older tokens revoked; counts as a heartbeat.
        return withCas(
          async () => {
            const r = (await store.get(existing.id))!;
            refuseDisabled(r);
            const revokedTokens = await store.countActiveAgentTokens(r.id);
            const event: ChartEvent = { type: 'heartbeat', env: ctx.envs.withSlot };
            const t = decide(r.state, event, contextOf(r));
            const at = clock.now();
            const entry = auditEntry(r, {
              actor: `agent:${r.id}`,
              action: 'register',
              from: r.status,
              to: t ? statusOfState(t.to) : r.status,
              reason: null,
              operationId: null,
              guards: t ? passedVerdicts(t) : [],
              metadata: {
                code: input.code,
                tokenRotated: true,
                revokedTokens,
                registrationTokenId: consumed.id ?? null,
              },
              at,
              seq: r.auditSeq + 1,
              prevHash: r.auditHead,
            });
            const draft: Omit<AgentRecord, 'dueAt'> = {
              ...r,
              state: t ? t.to : r.state,
              status: t ? statusOfState(t.to) : r.status,
              version: r.version + 1,
              lastHeartbeatAt: at,
              heartbeatAuditedAt: at,
              updatedAt: at,
              auditSeq: entry.seq,
              auditHead: entry.hash,
            };
            const next: AgentRecord = { ...draft, dueAt: dueAtOf(ctx, draft) };
            const committed = await tryCommit(ctx, {
              record: next,
              expectedVersion: r.version,
              audit: [entry],
              revokeTokens: true,
              issueTokens: [{ ...issue, agentId: r.id }],
            });
            if (!committed) return RETRY;
            if (t) afterCommit(ctx, r, next, t, [entry], `agent:${r.id}`);
            else events.emit('audit', entry);
            return { agentId: r.id, agentToken: token };
          },
          () => new BerthError('VERSION_CONFLICT', 'the agent kept changing during registration'),
        );
      }
      const id = newId('agt');
      const name = input.name?.trim() || input.code;
      const base = blankRecord({
        id,
        name,
        owner,
        kind: 'self_hosted',
        code: input.code,
        now,
        spec: { image: 'self-hosted', runtime: input.runtime, config: {} },
      });
      const { record: pending, entry: registered } = newAgent(base, {
        actor: `agent:${id}`,
        action: 'register',
        reason: null,
        metadata: {
          code: input.code,
          runtime: input.runtime ?? null,
          registrationTokenId: consumed.id ?? null,
        },
        at: now,
      });
      const t = decide(pending.state, { type: 'heartbeat', env: ctx.envs.withSlot }, contextOf(pending))!;
      const p = await plan(ctx, pending, t, { type: 'heartbeat', actor: `agent:${id}` });
      await commitNewAgent(ctx, pending, registered, t, p, `agent:${id}`, {
        issueTokens: [{ ...issue, agentId: id }],
      });
      return { agentId: id, agentToken: token };
    },

    async authenticateAgent(agentId, agentToken) {
      const unauthorized = () => new BerthError('UNAUTHORIZED', 'missing or invalid agent token');
      if (typeof agentToken !== 'string' || agentToken === '') throw unauthorized();
      const digest = sha256(agentToken);
      const stored = await store.findAgentToken(digest);
      if (
        !stored ||
        stored.agentId !== agentId ||
        !timingSafeEqual(Buffer.from(stored.hash, 'hex'), Buffer.from(digest, 'hex'))
      ) {
        throw unauthorized();
      }
      const r = await store.get(agentId);
      if (!r || r.status === 'deleted' || r.status === 'deleting') {
        throw new BerthError(
          'AGENT_REVOKED',
          'the agent was destroyed; register again with a fresh registration token',
        );
      }
      if (stored.revokedAt !== null) throw unauthorized();
      if (configurationOf(r.state) !== 'deleted' && r.status === 'disabled') {
        throw new BerthError('AGENT_DISABLED', 'the agent is disabled; an operator can enable it');
      }
      const config = configurationOf(r.state);
      if (typeof config !== 'string' && config.access === 'disabled') {
        throw new BerthError('AGENT_DISABLED', 'the agent is disabled; an operator can enable it');
      }
      return view(r);
    },

    async heartbeat(agentId) {
      const outcome = await transact(ctx, agentId, {
        type: 'heartbeat',
        actor: `agent:${agentId}`,
        recordDenial: false,
      });
      if (!outcome.accepted) deny(ctx, outcome.record, outcome.denial);
      return view(outcome.record);
    },
  };
}
