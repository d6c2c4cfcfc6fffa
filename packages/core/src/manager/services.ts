/**
 * Services agents report: upserted by (owner, code), moving to the reporting agent with their
 * identity (the move audited on that agent's trail, in the same commit), and served with an
 * effective status that folds in the reporter's freshness.
 *
 * @module
 */
import type { CatalogMethods, EffectiveServiceStatus, ServiceView } from '../catalog-types.js';
import { AgentNotFoundError } from '../errors.js';
import type { AgentRecord } from '../record.js';
import { ServiceReportBodySchema } from '../schemas/catalog.js';
import { parseInput } from '../schemas/parse.js';
import type { ServiceRecord } from '../service-record.js';
import type { Status } from '../vocabulary.js';
import type { ManagerContext } from './context.js';
import { commitNote } from './note.js';
import { iso } from './records.js';

/** Statuses in which an agent's reports count as fresh (it runs, and heartbeats if self-hosted). */
const FRESH: ReadonlySet<Status> = new Set(['running', 'paused']);

/** A service's status, or `stale` when its reporter is degraded, not running or gone. */
export function effectiveStatusOf(s: ServiceRecord, reporter: AgentRecord | null): EffectiveServiceStatus {
  return reporter && FRESH.has(reporter.status) ? s.status : 'stale';
}

/** A service as callers see it. */
export function serviceView(s: ServiceRecord, reporter: AgentRecord | null): ServiceView {
  return {
    code: s.code,
    name: s.name,
    agentId: s.agentId,
    status: s.status,
    effectiveStatus: effectiveStatusOf(s, reporter),
    details: s.details,
    reportedAt: iso(s.reportedAt)!,
  };
}

/** The service methods of a manager. */
export function services(ctx: ManagerContext): Pick<CatalogMethods, 'reportServices' | 'listServices'> {
  const { store, clock, defaultOwner } = ctx;

  /** Views of `list`, reading each reporter once. */
  async function views(list: readonly ServiceRecord[]): Promise<ServiceView[]> {
    const reporters = new Map<string, Promise<AgentRecord | null>>();
    const reporterOf = (id: string) => {
      let r = reporters.get(id);
      if (!r) {
        r = store.get(id);
        reporters.set(id, r);
      }
      return r;
    };
    return Promise.all(list.map(async (s) => serviceView(s, await reporterOf(s.agentId))));
  }

  return {
    async reportServices(agentId, reports) {
      const { services: parsed } = parseInput(
        ServiceReportBodySchema,
        { services: reports },
        'service report',
      );
      const r = await store.get(agentId);
      if (!r) throw new AgentNotFoundError(agentId);
      const now = clock.now();
      const codes = parsed.map((s) => s.code);
      const before = new Map((await store.listServices({ owner: r.owner, codes })).map((s) => [s.code, s]));
      const records: ServiceRecord[] = parsed.map((s) => {
        const prev = before.get(s.code);
        return {
          owner: r.owner,
          code: s.code,
          name: s.name ?? prev?.name ?? s.code,
          agentId,
          status: s.status,
          details: s.details ?? null,
          reportedAt: now,
          createdAt: prev?.createdAt ?? now,
        };
      });
      const moves = records.flatMap((s) => {
        const from = before.get(s.code)?.agentId;
        return from !== undefined && from !== agentId ? [{ code: s.code, from }] : [];
      });
      if (moves.length === 0) {
        await store.putServices(records);
      } else {
        // The move and the entry that says so are one commit on the reporting agent.
        const noted = await commitNote(ctx, agentId, () => ({
          actor: `agent:${agentId}`,
          action: 'service_moved',
          metadata: { services: moves },
          extra: { services: records },
        }));
        if (!noted) throw new AgentNotFoundError(agentId);
      }
      return views(records);
    },

    async listServices(opts = {}) {
      return views(await store.listServices({ owner: opts.owner ?? defaultOwner, agentId: opts.agentId }));
    },
  };
}
