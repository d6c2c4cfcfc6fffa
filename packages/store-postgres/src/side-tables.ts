/**
 * What lives beside the records: registration tokens and agent tokens (digests only), command
 * queues and idempotency records. Each hand-out is one statement or one transaction that locks
 * what it reads, so a token or a command is handed out once, whichever instance asks.
 *
 * @module
 */
import { BerthError, type LifecycleStore } from '@berth/core';
import { doc, limitOf, lockKey, type StoreContext } from './context.js';
import {
  type AgentTokenRow,
  agentTokenOf,
  type CommandRow,
  commandOf,
  type IdempotencyRow,
  idempotencyOf,
  jsonText,
  type RegistrationTokenRow,
  registrationTokenOf,
} from './side-rows.js';

type SideMethods = Pick<
  LifecycleStore,
  | 'putRegistrationToken'
  | 'consumeRegistrationToken'
  | 'findRegistrationToken'
  | 'listRegistrationTokens'
  | 'revokeRegistrationToken'
  | 'purgeExpired'
  | 'findAgentToken'
  | 'countActiveAgentTokens'
  | 'putCommand'
  | 'claimCommands'
  | 'getCommand'
  | 'finishCommand'
  | 'listCommands'
  | 'beginIdempotent'
  | 'finishIdempotent'
  | 'abandonIdempotent'
>;

const TOKEN = 'doc, used_at, revoked_at';
const COMMAND = 'doc, status, claimed_at, finished_at, output, error';

/** The SQL of the side tables, for the quoted schema `s`. */
function statements(s: string) {
  return {
    putToken: `INSERT INTO ${s}.registration_tokens (hash, id, owner, expires_at, used_at, revoked_at, doc)
      VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (hash) DO UPDATE SET id = excluded.id, owner = excluded.owner,
      expires_at = excluded.expires_at, used_at = excluded.used_at, revoked_at = excluded.revoked_at, doc = excluded.doc`,
    /** The single hand-out: one statement, the row lock decides. */
    consume: `UPDATE ${s}.registration_tokens SET used_at = $2
      WHERE hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2 RETURNING ${TOKEN}`,
    tokenById: `SELECT hash, owner, ${TOKEN} FROM ${s}.registration_tokens WHERE id = $1 ORDER BY pos DESC LIMIT 1 FOR UPDATE`,
    revoke: `UPDATE ${s}.registration_tokens SET revoked_at = $2 WHERE hash = $1`,
    tokensOf: `SELECT ${TOKEN} FROM ${s}.registration_tokens WHERE owner = $1 ORDER BY pos`,
    tokenByHash: `SELECT ${TOKEN} FROM ${s}.registration_tokens WHERE hash = $1`,
    purge: `WITH t AS (DELETE FROM ${s}.registration_tokens WHERE expires_at <= $1 RETURNING 1),
      i AS (DELETE FROM ${s}.idempotency WHERE expires_at <= $1 RETURNING 1)
      SELECT (SELECT count(*) FROM t) AS tokens, (SELECT count(*) FROM i) AS idem`,
    agentToken: `SELECT doc, revoked_at FROM ${s}.agent_tokens WHERE hash = $1`,
    activeAgentTokens: `SELECT count(*) AS n FROM ${s}.agent_tokens WHERE agent_id = $1 AND revoked_at IS NULL`,
    lockQueue: `SELECT pg_advisory_xact_lock(${lockKey("'berth:commands:' || $1")})`,
    pending: `SELECT count(*) AS n FROM ${s}.commands WHERE agent_id = $1 AND status = 'pending'`,
    putCommand: `INSERT INTO ${s}.commands (agent_id, id, status, claimed_at, finished_at, output, error, doc)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    /** Hand out the oldest pending commands; rows another claim holds are skipped, not waited for. */
    claim: `UPDATE ${s}.commands c SET status = 'running', claimed_at = $3
      FROM (SELECT agent_id, id FROM ${s}.commands WHERE agent_id = $1 AND status = 'pending'
            ORDER BY pos LIMIT $2 FOR UPDATE SKIP LOCKED) p
      WHERE c.agent_id = p.agent_id AND c.id = p.id RETURNING c.pos, ${COMMAND.replaceAll(/(\w+)/g, 'c.$1')}`,
    finish: `UPDATE ${s}.commands SET status = $3, output = $4, error = $5, finished_at = $6
      WHERE agent_id = $1 AND id = $2 AND status = 'running'`,
    command: `SELECT ${COMMAND} FROM ${s}.commands WHERE agent_id = $1 AND id = $2`,
    commands: `SELECT ${COMMAND} FROM ${s}.commands WHERE agent_id = $1 ORDER BY pos`,
    lockScope: `SELECT pg_advisory_xact_lock(${lockKey("'berth:idempotency:' || $1")})`,
    idem: `SELECT doc, state, response FROM ${s}.idempotency WHERE scope = $1 AND key = $2`,
    dropIdem: `DELETE FROM ${s}.idempotency WHERE scope = $1 AND key = $2`,
    evictIdem: `DELETE FROM ${s}.idempotency WHERE (scope, key) IN (
      SELECT scope, key FROM ${s}.idempotency WHERE scope = $1 ORDER BY pos
      LIMIT greatest(0, (SELECT count(*) FROM ${s}.idempotency WHERE scope = $1) - $2 + 1))`,
    putIdem: `INSERT INTO ${s}.idempotency (scope, key, expires_at, state, response, doc) VALUES ($1, $2, $3, $4, $5, $6)`,
    finishIdem: `UPDATE ${s}.idempotency SET state = 'done', response = $3 WHERE scope = $1 AND key = $2`,
  };
}

/** The token, command and idempotency methods over `ctx`. */
export function sideMethods(ctx: StoreContext): SideMethods {
  const { pool } = ctx;
  const q = statements(ctx.schema);
  const rows = async <R>(sql: string, values: unknown[]): Promise<R[]> => {
    ctx.check();
    return (await pool.query(sql, values)).rows as R[];
  };

  return {
    async putRegistrationToken(t) {
      await rows(q.putToken, [t.hash, t.id ?? null, t.owner, t.expiresAt, t.usedAt, t.revokedAt, doc(t)]);
    },

    async consumeRegistrationToken(hash, now) {
      const [row] = await rows<RegistrationTokenRow>(q.consume, [hash, now]);
      return row ? registrationTokenOf(row) : null;
    },

    async findRegistrationToken(hash) {
      const [row] = await rows<RegistrationTokenRow>(q.tokenByHash, [hash]);
      return row ? registrationTokenOf(row) : null;
    },

    async listRegistrationTokens(owner) {
      return (await rows<RegistrationTokenRow>(q.tokensOf, [owner])).map(registrationTokenOf);
    },

    async revokeRegistrationToken(owner, id, now) {
      return ctx.tx(async (c) => {
        const row = (await c.query<RegistrationTokenRow & { hash: string; owner: string }>(q.tokenById, [id]))
          .rows[0];
        if (!row || row.owner !== owner) return 'not_found' as const;
        if (row.used_at !== null) return 'used' as const;
        if (row.revoked_at !== null) return 'already_revoked' as const;
        await c.query(q.revoke, [row.hash, now]);
        return 'revoked' as const;
      });
    },

    async purgeExpired(now) {
      const [row] = await rows<{ tokens: string; idem: string }>(q.purge, [now]);
      return { registrationTokens: Number(row?.tokens ?? 0), idempotency: Number(row?.idem ?? 0) };
    },

    async findAgentToken(hash) {
      const [row] = await rows<AgentTokenRow>(q.agentToken, [hash]);
      return row ? agentTokenOf(row) : null;
    },

    async countActiveAgentTokens(agentId) {
      const [row] = await rows<{ n: string }>(q.activeAgentTokens, [agentId]);
      return Number(row?.n ?? 0);
    },

    async putCommand(command, options = {}) {
      const values = [
        command.agentId,
        command.id,
        command.status,
        command.claimedAt,
        command.finishedAt,
        jsonText(command.output),
        jsonText(command.error),
        doc(command),
      ];
      const max = options.maxPending;
      if (max === undefined) return void (await rows(q.putCommand, values));
      await ctx.tx(async (c) => {
        // The pending count and the insert under one per-agent lock: the cap holds under races.
        await c.query(q.lockQueue, [command.agentId]);
        const pending = Number((await c.query<{ n: string }>(q.pending, [command.agentId])).rows[0]?.n ?? 0);
        if (pending >= max) {
          throw new BerthError(
            'COMMAND_QUEUE_FULL',
            `agent '${command.agentId}' already has ${pending} pending commands (the most allowed)`,
          );
        }
        await c.query(q.putCommand, values);
      });
    },

    async claimCommands(agentId, limit, now) {
      const claimed = await rows<CommandRow & { pos: string }>(q.claim, [agentId, limitOf(limit), now]);
      claimed.sort((a, b) => Number(a.pos) - Number(b.pos));
      return claimed.map(commandOf);
    },

    async getCommand(agentId, commandId) {
      const [row] = await rows<CommandRow>(q.command, [agentId, commandId]);
      return row ? commandOf(row) : null;
    },

    async finishCommand(agentId, commandId, result) {
      ctx.check();
      const r = await pool.query(q.finish, [
        agentId,
        commandId,
        result.status,
        jsonText(result.output),
        jsonText(result.error),
        result.finishedAt,
      ]);
      return r.rowCount === 1;
    },

    async listCommands(agentId) {
      return (await rows<CommandRow>(q.commands, [agentId])).map(commandOf);
    },

    async beginIdempotent(record, options = {}) {
      return ctx.tx(async (c) => {
        // One lock per scope: the read, the replacement of an expired record and the cap agree.
        await c.query(q.lockScope, [record.scope]);
        const row = (await c.query<IdempotencyRow>(q.idem, [record.scope, record.key])).rows[0];
        const existing = row ? idempotencyOf(row) : null;
        if (existing && existing.expiresAt > record.createdAt) return existing;
        if (existing) await c.query(q.dropIdem, [record.scope, record.key]);
        const max = options.maxPerScope;
        if (max !== undefined && Number.isFinite(max)) {
          await c.query(q.evictIdem, [record.scope, Math.max(0, Math.floor(max))]);
        }
        await c.query(q.putIdem, [
          record.scope,
          record.key,
          record.expiresAt,
          record.state,
          jsonText(record.response),
          doc(record),
        ]);
        return null;
      });
    },

    async finishIdempotent(scope, key, response) {
      await rows(q.finishIdem, [scope, key, JSON.stringify(response)]);
    },

    async abandonIdempotent(scope, key) {
      await rows(q.dropIdem, [scope, key]);
    },
  };
}
