/**
 * `GET /agents/:id/audit` pages (`limit` default 100, max 1000, `next`) and serves `hash` and
 * `prevHash`; `GET /agents/:id/audit/verify` and `manager.verifyAudit` re-check the chain and
 * name the first bad seq. Over a real listening server.
 */
import {
  type AuditEntry,
  createLifecycleManager,
  createMemoryStore,
  type LifecycleManager,
} from '@berth/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Served, serve } from './serve.js';

let served: Served | null = null;
let manager: LifecycleManager | null = null;
afterEach(async () => {
  await served?.close();
  await manager?.close();
  served = null;
  manager = null;
});

/** A self-hosted agent (two entries: register, heartbeat) and `extra` refusals (each its own entry: folding off). */
async function agentWithTrail(m: LifecycleManager, extra: number): Promise<string> {
  const { token } = await m.createRegistrationToken({ owner: 'acme' });
  const { agentId } = await m.register({ registrationToken: token, code: 'box' });
  for (let i = 0; i < extra; i++) await m.dispatch(agentId, 'start', { reason: `try ${i}` }).catch(() => {});
  return agentId;
}

describe('GET /agents/:id/audit', () => {
  it('pages with limit and next, serving hash and prevHash, until next is null', async () => {
    manager = createLifecycleManager({ policies: { refusalFoldMs: 0 } });
    const id = await agentWithTrail(manager, 248);
    const all = await manager.audit(id);
    expect(all.length).toBe(250);
    served = await serve(manager);
    const first = await served.call('GET', `/agents/${id}/audit`);
    expect(first.status).toBe(200);
    expect(first.body.entries).toHaveLength(100);
    expect(first.body.next).toBe(100);
    expect(first.body.entries[0]).toMatchObject({ seq: 1, hash: all[0]!.hash, prevHash: all[0]!.prevHash });
    const seen: { seq: number; hash: string; prevHash: string }[] = [];
    let after: number | null = 0;
    let pages = 0;
    while (after !== null) {
      const page = await served.call('GET', `/agents/${id}/audit?after=${after}&limit=70`);
      expect(page.status).toBe(200);
      seen.push(...page.body.entries);
      after = page.body.next;
      pages++;
    }
    expect(pages).toBe(4);
    expect(seen.map((e) => e.seq)).toEqual(all.map((e) => e.seq));
    expect(seen.map((e) => e.hash)).toEqual(all.map((e) => e.hash));
    // The last page ends exactly: next is null, not the seq of a last full page.
    const exact = await served.call('GET', `/agents/${id}/audit?after=150&limit=100`);
    expect(exact.body.entries).toHaveLength(100);
    expect(exact.body.next).toBeNull();
  });

  it('refuses a limit outside 1..1000 with 400 naming limit', async () => {
    manager = createLifecycleManager();
    const id = await agentWithTrail(manager, 0);
    served = await serve(manager);
    for (const limit of ['0', '1001', 'many', '2.5']) {
      const res = await served.call('GET', `/agents/${id}/audit?limit=${limit}`);
      expect(res.status, limit).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('limit');
    }
    const max = await served.call('GET', `/agents/${id}/audit?limit=1000`);
    expect(max.status).toBe(200);
  });
});

describe('audit verification', () => {
  it('answers ok for an intact chain and names the first bad seq of a tampered one', async () => {
    const store = createMemoryStore();
    manager = createLifecycleManager({ store, policies: { refusalFoldMs: 0 } });
    const id = await agentWithTrail(manager, 5);
    served = await serve(manager);
    const intact = await served.call('GET', `/agents/${id}/audit/verify`);
    expect(intact.status).toBe(200);
    const entries = await manager.audit(id);
    expect(intact.body).toEqual({
      ok: true,
      entries: 7,
      head: entries.at(-1)!.hash,
      brokenAt: null,
      problem: null,
    });
    const tampered: AuditEntry[] = entries.map((e) => (e.seq === 4 ? { ...e, reason: 'rewritten' } : e));
    store.unsafeReplaceAudit(id, tampered);
    const broken = await served.call('GET', `/agents/${id}/audit/verify`);
    expect(broken.body).toMatchObject({ ok: false, entries: 7, brokenAt: 4 });
    expect(broken.body.problem).toMatch(/hash/);
    expect(await manager.verifyAudit(id)).toMatchObject({ ok: false, brokenAt: 4 });
    // Another owner's agent is 404, as everywhere.
    const other = await served.call('GET', `/agents/${id}/audit/verify`, {
      headers: { Authorization: 'Op umbrella' },
    });
    expect(other.status).toBe(404);
  });
});
