/**
 * Leases on operations ({@link OperationLeases}) in the `operation_leases` table. Every time is
 * the database's clock (`clock_timestamp()`, in ms) — or the injected clock in tests — so the
 * instances' own clocks never decide who holds what.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { AgentRecord, LeaseClaim, OperationLeases } from '@berth/core';
import type { StoreContext } from './context.js';

/** Options of the leases. */
export interface LeaseOptions {
  /** How long a lease lasts unless renewed (ms). @default 15000 */
  readonly leaseMs?: number;
  /** This instance's id (the holder of its leases). @default a random UUID per store */
  readonly instanceId?: string;
  /** The clock lease times are read from (ms). @default the database's clock */
  readonly clock?: () => number;
}

/** The database's time in ms, unless a time is given in `$param`. */
const nowExpr = (param: string) =>
  `coalesce(${param}::bigint, (extract(epoch from clock_timestamp()) * 1000)::bigint)`;

function statements(s: string) {
  return {
    insert: `INSERT INTO ${s}.operation_leases (operation_id, agent_id, holder, expires_at)
      VALUES ($1, $2, $3, ${nowExpr('$5')} + $4) ON CONFLICT (operation_id) DO NOTHING`,
    current: `SELECT holder, expires_at <= ${nowExpr('$2')} AS expired
      FROM ${s}.operation_leases WHERE operation_id = $1 FOR UPDATE`,
    take: `UPDATE ${s}.operation_leases SET holder = $2, expires_at = ${nowExpr('$4')} + $3,
      takeovers = takeovers + $5 WHERE operation_id = $1`,
    renew: `UPDATE ${s}.operation_leases SET expires_at = ${nowExpr('$4')} + $3
      WHERE operation_id = $1 AND holder = $2`,
    release: `DELETE FROM ${s}.operation_leases WHERE operation_id = $1 AND holder = $2`,
    // Operations in flight that nobody has taken get a placeholder lease: if no instance takes
    // it before it runs out, the operation is orphaned (its instance died before leasing it).
    placeholders: `INSERT INTO ${s}.operation_leases (operation_id, agent_id, holder, expires_at)
      SELECT a.operation_id, a.id, NULL, ${nowExpr('$2')} + $1 FROM ${s}.agents a
      WHERE a.operation_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM ${s}.operation_leases l WHERE l.operation_id = a.operation_id)
      ON CONFLICT (operation_id) DO NOTHING`,
    // Leases of operations no record names any more, run out: nothing to take over.
    garbage: `DELETE FROM ${s}.operation_leases l WHERE l.expires_at <= ${nowExpr('$1')}
      AND NOT EXISTS (SELECT 1 FROM ${s}.agents a WHERE a.operation_id = l.operation_id)`,
    claimDue: `UPDATE ${s}.agents a SET swept_until = ${nowExpr('$4')} + $3
      FROM (SELECT id FROM ${s}.agents
            WHERE due_at <= $1 AND (swept_until IS NULL OR swept_until <= ${nowExpr('$4')})
            ORDER BY due_at, pos LIMIT $2 FOR UPDATE SKIP LOCKED) d
      WHERE a.id = d.id RETURNING a.doc, a.due_at, a.pos`,
    holdJob: `INSERT INTO ${s}.process_jobs (job, holder, generation, expires_at)
      VALUES ($1, $2, 1, ${nowExpr('$4')} + $3)
      ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
        generation = ${s}.process_jobs.generation + (CASE WHEN ${s}.process_jobs.holder = excluded.holder THEN 0 ELSE 1 END)
      WHERE ${s}.process_jobs.holder = excluded.holder OR ${s}.process_jobs.expires_at <= ${nowExpr('$4')}
      RETURNING generation`,
    orphaned: `SELECT l.agent_id FROM ${s}.operation_leases l
      JOIN ${s}.agents a ON a.operation_id = l.operation_id
      WHERE l.expires_at <= ${nowExpr('$2')} ORDER BY l.expires_at LIMIT $1`,
  };
}

/** The leases of a store over `ctx`. */
export function createLeases(ctx: StoreContext, options: LeaseOptions = {}): OperationLeases {
  const leaseMs = options.leaseMs ?? 15_000;
  const holder = options.instanceId ?? randomUUID();
  const clock = options.clock;
  const now = () => (clock ? clock() : null);
  const q = statements(ctx.schema);

  return {
    holder,
    leaseMs,

    async acquire(agentId, operationId): Promise<LeaseClaim | null> {
      return ctx.tx(async (c) => {
        const inserted = await c.query(q.insert, [operationId, agentId, holder, leaseMs, now()]);
        if (inserted.rowCount === 1) return { takeover: false };
        const row = (
          await c.query<{ holder: string | null; expired: boolean }>(q.current, [operationId, now()])
        ).rows[0];
        if (!row) return null;
        const mine = row.holder === null || row.holder === holder;
        if (!mine && !row.expired) return null;
        await c.query(q.take, [operationId, holder, leaseMs, now(), mine ? 0 : 1]);
        return { takeover: !mine };
      });
    },

    async renew(operationId) {
      ctx.check();
      const r = await ctx.pool.query(q.renew, [operationId, holder, leaseMs, now()]);
      return r.rowCount === 1;
    },

    async release(operationId) {
      ctx.check();
      await ctx.pool.query(q.release, [operationId, holder]);
    },

    async orphaned(limit) {
      ctx.check();
      await ctx.pool.query(q.placeholders, [leaseMs, now()]);
      await ctx.pool.query(q.garbage, [now()]);
      const rows = (await ctx.pool.query<{ agent_id: string }>(q.orphaned, [limit, now()])).rows;
      return rows.map((r) => r.agent_id);
    },

    async claimDue(dueBy, limit) {
      ctx.check();
      const rows = (
        await ctx.pool.query<{ doc: string; due_at: string; pos: string }>(q.claimDue, [
          dueBy,
          Math.max(0, Math.floor(limit)),
          leaseMs,
          now(),
        ])
      ).rows;
      rows.sort((x, y) => Number(x.due_at) - Number(y.due_at) || Number(x.pos) - Number(y.pos));
      return rows.map((r) => JSON.parse(r.doc) as AgentRecord);
    },

    async holdJob(job) {
      ctx.check();
      const row = (await ctx.pool.query<{ generation: number }>(q.holdJob, [job, holder, leaseMs, now()]))
        .rows[0];
      return row ? row.generation : null;
    },
  };
}
