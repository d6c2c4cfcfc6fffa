/**
 * Services against a model, under random sequences of reports from several agents of two
 * owners (fast-check, fixed seed printed on failure): the listing is always the model's — the
 * last report of each (owner, code) wins, a service belongs to the agent that reported it last
 * and keeps its name until a report renames it; every move to another agent is audited on the
 * reporter's trail exactly once; and once the reporters go stale, so do their services.
 */
import { createLifecycleManager, ManualClock, type ServiceReport } from '@berth/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** Fixed seed (override with BERTH_FC_SEED to explore); printed with every failure. */
const SEED = Number(process.env.BERTH_FC_SEED ?? 20261207);
const CODES = ['db', 'api', 'cache', 'queue'] as const;
const STATUSES = ['up', 'down', 'degraded', 'unknown'] as const;

interface ModelService {
  agent: number;
  name: string;
  status: string;
}

const reportArb = fc.record({
  agent: fc.nat({ max: 3 }),
  services: fc.uniqueArray(
    fc.record({
      code: fc.constantFrom(...CODES),
      name: fc.option(fc.constantFrom('Primary', 'Secondary'), { nil: undefined }),
      status: fc.constantFrom(...STATUSES),
    }),
    { selector: (s) => s.code, maxLength: 3 },
  ),
});

describe('services (model-based)', () => {
  it(`the listing and the audited moves follow the model over 200 random report sequences (seed ${SEED})`, async () => {
    let checked = 0;
    const property = fc.asyncProperty(
      fc.array(reportArb, { minLength: 1, maxLength: 25 }),
      async (reports) => {
        const clock = new ManualClock();
        const manager = createLifecycleManager({ clock });
        // Agents 0 and 1 belong to acme, 2 and 3 to globex: codes are per owner.
        const owners = ['acme', 'acme', 'globex', 'globex'];
        const ids: string[] = [];
        for (let i = 0; i < 4; i++) {
          const { token } = await manager.createRegistrationToken({ owner: owners[i]! });
          ids.push((await manager.register({ registrationToken: token, code: `host-${i}` })).agentId);
        }
        const model = new Map<string, ModelService>();
        const moves = [0, 0, 0, 0];
        for (const r of reports) {
          await clock.advance(1000);
          const owner = owners[r.agent]!;
          await manager.reportServices(ids[r.agent]!, r.services as ServiceReport[]);
          const moved: string[] = [];
          for (const s of r.services) {
            const key = `${owner}/${s.code}`;
            const prev = model.get(key);
            if (prev && prev.agent !== r.agent) moved.push(s.code);
            model.set(key, { agent: r.agent, name: s.name ?? prev?.name ?? s.code, status: s.status });
          }
          if (moved.length > 0) moves[r.agent]!++;
        }
        for (const owner of ['acme', 'globex']) {
          const listed = await manager.listServices({ owner });
          const expected = [...model.entries()]
            .filter(([key]) => key.startsWith(`${owner}/`))
            .map(([key, m]) => ({
              code: key.slice(owner.length + 1),
              agentId: ids[m.agent],
              name: m.name,
              status: m.status,
            }))
            .sort((a, b) => (a.code < b.code ? -1 : 1));
          expect(listed.map(({ code, agentId, name, status }) => ({ code, agentId, name, status }))).toEqual(
            expected,
          );
          // At most 25 s have passed: every reporter is fresh, so each service shows what it said.
          for (const s of listed) expect(s.effectiveStatus).toBe(s.status);
        }
        await clock.advance(120_000);
        await manager.tick();
        for (const owner of ['acme', 'globex']) {
          for (const s of await manager.listServices({ owner })) expect(s.effectiveStatus).toBe('stale');
        }
        for (let i = 0; i < 4; i++) {
          const audited = (await manager.audit(ids[i]!)).filter((e) => e.action === 'service_moved');
          expect(audited).toHaveLength(moves[i]!);
          expect((await manager.verifyAudit(ids[i]!)).ok).toBe(true);
        }
        await manager.close();
        checked++;
      },
    );
    try {
      await fc.assert(property, { numRuns: 200, seed: SEED });
    } catch (error) {
      throw new Error(
        `services model failed — replay with BERTH_FC_SEED=${SEED}:\n${(error as Error).message}`,
      );
    }
    expect(checked).toBeGreaterThanOrEqual(200);
  });
});
