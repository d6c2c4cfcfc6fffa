/**
 * What lives beside the records: registration tokens and agent tokens (digests only), command
 * queues and idempotency records. Every read-modify-write is one `BEGIN IMMEDIATE` transaction,
 * so a token or a command is handed out once.
 *
 * @module
 */
import {
  BerthError,
  type CommandRecord,
  type IdempotencyRecord,
  type LifecycleStore,
  type RegistrationTokenRecord,
  type AgentTokenRecord,
} from '@berth/core';
import { type DocRow, doc, limitOf, parse, parseAll, type StoreContext } from './context.js';

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

type RowidDoc = DocRow & { readonly rowid: number };

/** The token, command and idempotency methods over `ctx`. */
export function sideMethods(ctx: StoreContext): SideMethods {
  const { db } = ctx;
  const q = {
    putToken: db.prepare<[string, string | null, string, number, string]>(
      'INSERT INTO registration_tokens (hash, id, owner, expires_at, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT (hash) DO UPDATE SET id = excluded.id, owner = excluded.owner, expires_at = excluded.expires_at, doc = excluded.doc',
    ),
    tokenByHash: db.prepare<[string], DocRow>('SELECT doc FROM registration_tokens WHERE hash = ?'),
    tokenById: db.prepare<[string], DocRow>(
      'SELECT doc FROM registration_tokens WHERE id = ? ORDER BY rowid DESC LIMIT 1',
    ),
    setTokenDoc: db.prepare<[string, string]>('UPDATE registration_tokens SET doc = ? WHERE hash = ?'),
    tokensOf: db.prepare<[string], DocRow>(
      'SELECT doc FROM registration_tokens WHERE owner = ? ORDER BY rowid',
    ),
    purgeTokens: db.prepare<[number]>('DELETE FROM registration_tokens WHERE expires_at <= ?'),
    purgeIdempotency: db.prepare<[number]>('DELETE FROM idempotency WHERE expires_at <= ?'),
    agentToken: db.prepare<[string], DocRow>('SELECT doc FROM agent_tokens WHERE hash = ?'),
    activeAgentTokens: db.prepare<[string], { n: number }>(
      'SELECT count(*) AS n FROM agent_tokens WHERE agent_id = ? AND revoked_at IS NULL',
    ),
    pending: db.prepare<[string], { n: number }>(
      "SELECT count(*) AS n FROM commands WHERE agent_id = ? AND status = 'pending'",
    ),
    putCommand: db.prepare<[string, string, string, string]>(
      'INSERT INTO commands (agent_id, id, status, doc) VALUES (?, ?, ?, ?)',
    ),
    claimable: db.prepare<[string, number], RowidDoc>(
      "SELECT rowid, doc FROM commands WHERE agent_id = ? AND status = 'pending' ORDER BY rowid LIMIT ?",
    ),
    setCommand: db.prepare<[string, string, number]>(
      'UPDATE commands SET status = ?, doc = ? WHERE rowid = ?',
    ),
    command: db.prepare<[string, string], RowidDoc>(
      'SELECT rowid, doc FROM commands WHERE agent_id = ? AND id = ?',
    ),
    commands: db.prepare<[string], DocRow>('SELECT doc FROM commands WHERE agent_id = ? ORDER BY rowid'),
    idem: db.prepare<[string, string], DocRow>('SELECT doc FROM idempotency WHERE scope = ? AND key = ?'),
    dropIdem: db.prepare<[string, string]>('DELETE FROM idempotency WHERE scope = ? AND key = ?'),
    countIdem: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM idempotency WHERE scope = ?'),
    evictIdem: db.prepare<[string, number]>(
      'DELETE FROM idempotency WHERE rowid IN (SELECT rowid FROM idempotency WHERE scope = ? ORDER BY rowid LIMIT ?)',
    ),
    putIdem: db.prepare<[string, string, number, string]>(
      'INSERT INTO idempotency (scope, key, expires_at, doc) VALUES (?, ?, ?, ?)',
    ),
    setIdem: db.prepare<[string, string, string]>(
      'UPDATE idempotency SET doc = ? WHERE scope = ? AND key = ?',
    ),
  };

  const consume = db.transaction((hash: string, now: number): RegistrationTokenRecord | null => {
    const t = parse<RegistrationTokenRecord>(q.tokenByHash.get(hash));
    if (!t || t.usedAt !== null || t.revokedAt !== null || t.expiresAt <= now) return null;
    const used = { ...t, usedAt: now };
    q.setTokenDoc.run(doc(used), hash);
    return used;
  });

  const revoke = db.transaction((owner: string, id: string, now: number) => {
    const t = parse<RegistrationTokenRecord>(q.tokenById.get(id));
    if (!t || t.owner !== owner) return 'not_found' as const;
    if (t.usedAt !== null) return 'used' as const;
    if (t.revokedAt !== null) return 'already_revoked' as const;
    q.setTokenDoc.run(doc({ ...t, revokedAt: now }), t.hash);
    return 'revoked' as const;
  });

  const purge = db.transaction((now: number) => ({
    registrationTokens: q.purgeTokens.run(now).changes,
    idempotency: q.purgeIdempotency.run(now).changes,
  }));

  const put = db.transaction((command: CommandRecord, maxPending: number | undefined) => {
    if (maxPending !== undefined) {
      const pending = q.pending.get(command.agentId)?.n ?? 0;
      if (pending >= maxPending) {
        throw new BerthError(
          'COMMAND_QUEUE_FULL',
          `agent '${command.agentId}' already has ${pending} pending commands (the most allowed)`,
        );
      }
    }
    q.putCommand.run(command.agentId, command.id, command.status, doc(command));
  });

  const claim = db.transaction((agentId: string, limit: number, now: number): CommandRecord[] => {
    const out: CommandRecord[] = [];
    for (const row of q.claimable.all(agentId, limitOf(limit))) {
      const claimed: CommandRecord = {
        ...(JSON.parse(row.doc) as CommandRecord),
        status: 'running',
        claimedAt: now,
      };
      q.setCommand.run('running', doc(claimed), row.rowid);
      out.push(claimed);
    }
    return out;
  });

  const finish = db.transaction(
    (
      agentId: string,
      id: string,
      result: Pick<CommandRecord, 'status' | 'output' | 'error' | 'finishedAt'>,
    ) => {
      const row = q.command.get(agentId, id);
      const c = parse<CommandRecord>(row);
      if (!row || !c || c.status !== 'running') return false;
      const done = { ...c, ...result };
      q.setCommand.run(done.status, doc(done), row.rowid);
      return true;
    },
  );

  const begin = db.transaction((record: IdempotencyRecord, maxPerScope: number | undefined) => {
    const existing = parse<IdempotencyRecord>(q.idem.get(record.scope, record.key));
    if (existing && existing.expiresAt > record.createdAt) return existing;
    if (existing) q.dropIdem.run(record.scope, record.key);
    if (maxPerScope !== undefined && Number.isFinite(maxPerScope)) {
      const n = q.countIdem.get(record.scope)?.n ?? 0;
      if (n >= maxPerScope) q.evictIdem.run(record.scope, n - Math.max(0, Math.floor(maxPerScope)) + 1);
    }
    q.putIdem.run(record.scope, record.key, record.expiresAt, doc(record));
    return null;
  });

  const finishIdem = db.transaction(
    (scope: string, key: string, response: { status: number; body: unknown }) => {
      const existing = parse<IdempotencyRecord>(q.idem.get(scope, key));
      if (existing) q.setIdem.run(doc({ ...existing, state: 'done', response }), scope, key);
    },
  );

  return {
    async putRegistrationToken(token) {
      ctx.check();
      q.putToken.run(token.hash, token.id ?? null, token.owner, token.expiresAt, doc(token));
    },

    async consumeRegistrationToken(hash, now) {
      ctx.check();
      return consume.immediate(hash, now);
    },

    async findRegistrationToken(hash) {
      ctx.check();
      return parse<RegistrationTokenRecord>(q.tokenByHash.get(hash));
    },

    async listRegistrationTokens(owner) {
      ctx.check();
      return parseAll<RegistrationTokenRecord>(q.tokensOf.all(owner));
    },

    async revokeRegistrationToken(owner, id, now) {
      ctx.check();
      return revoke.immediate(owner, id, now);
    },

    async purgeExpired(now) {
      ctx.check();
      return purge.immediate(now);
    },

    async findAgentToken(hash) {
      ctx.check();
      return parse<AgentTokenRecord>(q.agentToken.get(hash));
    },

    async countActiveAgentTokens(agentId) {
      ctx.check();
      return q.activeAgentTokens.get(agentId)?.n ?? 0;
    },

    async putCommand(command, options = {}) {
      ctx.check();
      put.immediate(command, options.maxPending);
    },

    async claimCommands(agentId, limit, now) {
      ctx.check();
      return claim.immediate(agentId, limit, now);
    },

    async getCommand(agentId, commandId) {
      ctx.check();
      return parse<CommandRecord>(q.command.get(agentId, commandId));
    },

    async finishCommand(agentId, commandId, result) {
      ctx.check();
      return finish.immediate(agentId, commandId, result);
    },

    async listCommands(agentId) {
      ctx.check();
      return parseAll<CommandRecord>(q.commands.all(agentId));
    },

    async beginIdempotent(record, options = {}) {
      ctx.check();
      return begin.immediate(record, options.maxPerScope);
    },

    async finishIdempotent(scope, key, response) {
      ctx.check();
      finishIdem.immediate(scope, key, response);
    },

    async abandonIdempotent(scope, key) {
      ctx.check();
      q.dropIdem.run(scope, key);
    },
  };
}
