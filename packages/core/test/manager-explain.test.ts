/**
 * Explain (every platform's operators: "why is this agent in this status?"): the status, since
 * when, and the causes — transitions, refusals, heartbeat ages, driver errors, recovery attempts
 * and policies — built from the stored record and audit trail, so a second manager over the same
 * store explains alike.
 */
import { createLifecycleManager, DEFAULT_POLICIES, exocorpProfile } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { codeOf, setup } from './scenario-harness.js';

describe('explain', () => {
  it('a stale self-hosted agent: degraded since the sweep, heartbeat 95 s old > 90 s', async () => {
    const { manager, advance, clock } = setup();
    await advance(Date.parse('2026-01-05T12:02:30Z') - clock.now());
    const { token } = await manager.createRegistrationToken({ owner: 'acme' });
    const { agentId } = await manager.register({ registrationToken: token, code: 'host-1' });
    await advance(90_000);
    await manager.tick();
    await advance(5_000);
    const why = await manager.explain(agentId);
    expect(why.status).toBe('degraded');
    expect(why.since).toBe('2026-01-05T12:04:00.000Z');
    expect(why.summary).toBe('degraded since 12:04: heartbeat 95 s old > 90 s');
    expect(why.causes).toContainEqual({
      at: '2026-01-05T12:04:00.000Z',
      kind: 'heartbeat',
      detail: 'no heartbeat since 2026-01-05T12:02:30.000Z',
    });
    // The next heartbeat puts it back: the explanation follows.
    await manager.heartbeat(agentId);
    const back = await manager.explain(agentId);
    expect(back.status).toBe('running');
    expect(back.summary).toBe('running since 12:04: heartbeat 0 s old (limit 90 s)');
  });

  it('a crashing managed agent: degraded, two recoveries failed with exit 137; same after a restart', async () => {
    const { manager, driver, running, advance, store, clock } = setup();
    await advance(Date.parse('2026-01-05T12:00:00Z') - clock.now());
    const a = await running('crashy');
    driver.crash(a.id, 137);
    await advance(0);
    for (let i = 0; i < 2; i++) {
      await advance(DEFAULT_POLICIES.retryBaseMs * 4);
      expect((await manager.tick()).recovered).toBe(1);
      await advance(0);
      expect((await manager.get(a.id)).status).toBe('running');
      driver.crash(a.id, 137);
      await advance(0);
    }
    const why = await manager.explain(a.id);
    expect(why.status).toBe('degraded');
    expect(why.since).toBe('2026-01-05T12:00:00.000Z');
    expect(why.summary).toMatch(
      /^degraded since 12:00: 2 recoveries failed: exited with code 137; next attempt at \d\d:\d\d$/,
    );
    const kinds = why.causes.map((c) => c.kind);
    expect(kinds.filter((k) => k === 'driver_error')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'recovery')).toHaveLength(3); // two attempts, and the count now
    expect(why.causes.find((c) => c.kind === 'driver_error')!.detail).toBe('exited with code 137');

    // Built from what is stored: a second manager over the same store says the same.
    const second = createLifecycleManager({ store, clock });
    expect(await second.explain(a.id)).toEqual(why);
    await second.close();
  });

  it('refusals show as guard causes; a failed operation as a driver error', async () => {
    const { manager, driver, running, advance } = setup({ policies: exocorpProfile.policies });
    const a = await running('exo-1');
    expect(await codeOf(manager.dispatch(a.id, 'pause', { actor: 'user:ada' }))).toBe('REASON_REQUIRED');
    driver.failNext('restart');
    await manager.dispatch(a.id, 'restart', { actor: 'user:ada', confirm: 'exo-1' });
    await advance(0);
    const why = await manager.explain(a.id);
    expect(why.status).toBe('failed');
    expect(why.causes.at(0)).toMatchObject({
      kind: 'transition',
      detail: expect.stringMatching(/^op_failed by driver:memory, restarting → failed/),
    });
    expect(why.causes).toContainEqual(
      expect.objectContaining({
        kind: 'driver_error',
        detail: expect.stringContaining('restart failed: INJECTED_FAILURE'),
      }),
    );
    // The pause refusal came before the failure: not among what put the agent in `failed`.
    expect(why.causes.some((c) => c.kind === 'guard')).toBe(false);
    const before = (await manager.audit(a.id)).find((e) => e.denied);
    expect(before).toMatchObject({ code: 'REASON_REQUIRED' });

    expect(await codeOf(manager.dispatch(a.id, 'pause', { actor: 'user:bo' }))).toMatch(
      /REASON_REQUIRED|ILLEGAL_TRANSITION/,
    );
    const again = await manager.explain(a.id);
    expect(again.causes.filter((c) => c.kind === 'guard').map((c) => c.detail)).toEqual([
      expect.stringMatching(/^pause by user:bo refused: (REASON_REQUIRED|ILLEGAL_TRANSITION)/),
    ]);
  });

  it('an unknown agent, or another owner’s, is AGENT_NOT_FOUND', async () => {
    const { manager, running } = setup();
    const a = await running('mine', 'acme');
    expect(await codeOf(manager.explain('agt_nope'))).toBe('AGENT_NOT_FOUND');
    expect(await codeOf(manager.explain(a.id, { owner: 'other' }))).toBe('AGENT_NOT_FOUND');
  });
});
