/**
 * Refusals in the audit trail: each its own seq in the hash chain, identical ones folded (a
 * `repeats` count) so a storm cannot grow the trail without bound, the `audit` event carrying
 * the entry as the store kept it, and an in-flight refusal naming its guard.
 */
import { type AuditEntry, isBerthError, verifyAuditChain } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { setup } from './scenario-harness.js';

describe('refusals', () => {
  it('folds 300 identical refused calls into at most 30 entries, spread over five minutes', async () => {
    const { manager, clock, running } = setup();
    const a = await running('storm');
    const before = (await manager.audit(a.id)).length;
    for (let i = 0; i < 300; i++) {
      await expect(manager.dispatch(a.id, 'start', { actor: 'user:eve' })).rejects.toMatchObject({
        code: 'ILLEGAL_TRANSITION',
      });
      await clock.advance(1_000);
    }
    const entries = await manager.audit(a.id);
    const added = entries.slice(before);
    expect(added.length).toBeGreaterThan(0);
    expect(added.length).toBeLessThanOrEqual(30);
    expect(added.every((e) => e.denied && e.action === 'start')).toBe(true);
    // Every refusal is accounted for: the repeats add up to 300.
    const total = added.reduce(
      (n, e) => n + (typeof e.metadata?.repeats === 'number' ? e.metadata.repeats : 1),
      0,
    );
    expect(total).toBe(300);
    // Each entry its own seq, the chain intact.
    const seqs = entries.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(verifyAuditChain(entries)).toEqual({ ok: true, length: entries.length });
    expect((await manager.verifyAudit(a.id)).ok).toBe(true);
  });

  it('stores 300 identical refusals at one instant as one entry with repeats 300', async () => {
    const { manager, running } = setup();
    const a = await running('burst');
    const before = (await manager.audit(a.id)).length;
    for (let i = 0; i < 300; i++) await manager.dispatch(a.id, 'resume').catch(() => {});
    const added = (await manager.audit(a.id)).slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]!.metadata).toMatchObject({ repeats: 300 });
  });

  it('keeps the chain intact when a commit follows a folded refusal', async () => {
    const { manager, running, settle } = setup();
    const a = await running('then-stop');
    for (let i = 0; i < 3; i++) await manager.dispatch(a.id, 'start').catch(() => {});
    await manager.dispatch(a.id, 'stop');
    await settle();
    const entries = await manager.audit(a.id);
    const folded = entries.find((e) => e.denied)!;
    expect(folded.metadata).toMatchObject({ repeats: 3 });
    expect(entries[entries.indexOf(folded) + 1]!.prevHash).toBe(folded.hash);
    expect(await manager.verifyAudit(a.id)).toMatchObject({ ok: true, brokenAt: null });
  });

  it('does not fold refusals that differ (another actor, another action) or with refusalFoldMs 0', async () => {
    const { manager, running } = setup();
    const a = await running('mixed');
    const before = (await manager.audit(a.id)).length;
    await manager.dispatch(a.id, 'start', { actor: 'user:a' }).catch(() => {});
    await manager.dispatch(a.id, 'start', { actor: 'user:b' }).catch(() => {});
    await manager.dispatch(a.id, 'resume', { actor: 'user:b' }).catch(() => {});
    expect((await manager.audit(a.id)).slice(before)).toHaveLength(3);

    const off = setup({ policies: { refusalFoldMs: 0 } });
    const b = await off.running('each');
    const first = (await off.manager.audit(b.id)).length;
    for (let i = 0; i < 5; i++) await off.manager.dispatch(b.id, 'start').catch(() => {});
    expect((await off.manager.audit(b.id)).slice(first)).toHaveLength(5);
  });

  it('emits the audit event with the entry as stored: its own seq, then the folded head', async () => {
    const { manager, running } = setup();
    const a = await running('emitted');
    const seen: AuditEntry[] = [];
    manager.events.on('audit', (e) => seen.push(e));
    await manager.dispatch(a.id, 'start').catch(() => {});
    await manager.dispatch(a.id, 'start').catch(() => {});
    const stored = await manager.audit(a.id);
    const head = stored.at(-1)!;
    expect(seen).toHaveLength(2);
    expect(seen.every((e) => e.denied)).toBe(true);
    // The first emission is the new entry (head + 1, not the stale head's seq), the second the fold.
    expect(seen[0]!.seq).toBe(head.seq);
    expect(seen[0]!.seq).toBe(stored.at(-2)!.seq + 1);
    expect(seen[1]).toEqual(head);
    expect(head.metadata).toMatchObject({ repeats: 2 });
  });

  it('names the noOperationInFlight guard when an operation is in flight', async () => {
    const { manager, driver, running, settle } = setup();
    const a = await running('busy');
    driver.hangNext('stop');
    await manager.dispatch(a.id, 'stop');
    const error = await manager.dispatch(a.id, 'restart').catch((e: unknown) => e);
    expect(isBerthError(error) && error.code).toBe('OPERATION_IN_PROGRESS');
    expect(isBerthError(error) && error.meta).toMatchObject({ guard: 'noOperationInFlight' });
    const refusal = (await manager.audit(a.id)).at(-1)!;
    expect(refusal).toMatchObject({ denied: true, code: 'OPERATION_IN_PROGRESS' });
    expect(refusal.guards).toEqual([{ guard: 'noOperationInFlight', passed: false }]);
    await manager.close();
    void settle;
  });
});
