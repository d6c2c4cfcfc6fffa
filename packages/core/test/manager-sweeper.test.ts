/**
 * The sweeper (`tick`, and `start` running it on the clock): operation deadlines, destroy
 * retries, heartbeat staleness of managed agents, automatic recovery and the overlays that hold
 * it back. Everything on a manual clock.
 */
import type { OperationEvent } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { setup } from './scenario-harness.js';

describe('the sweeper', () => {
  it('fails an operation past its deadline (reason timeout), aborts the call and fences its outcome', async () => {
    const { manager, driver, clock, running, settle } = setup({ policies: { operationTimeoutMs: 5_000 } });
    const a = await running('alpha');
    const operations: OperationEvent[] = [];
    manager.events.on('operation', (e) => operations.push(e));
    driver.hangNext('restart');
    const { operation } = await manager.dispatch(a.id, 'restart');

    // Not `advance` from the harness: settling would wait for the hung call forever.
    await clock.advance(4_999);
    expect((await manager.tick()).timedOut).toBe(0);
    expect((await manager.get(a.id)).status).toBe('restarting');
    await clock.advance(1);
    expect((await manager.tick()).timedOut).toBe(1);
    await settle();

    expect((await manager.get(a.id)).status).toBe('failed');
    expect(driver.calls.find((c) => c.operationId === operation!.id)?.outcome).toBe('aborted');
    const entries = await manager.audit(a.id);
    const timeout = entries.find((e) => e.action === 'op_failed' && !e.denied)!;
    expect(timeout).toMatchObject({ actor: 'system', from: 'restarting', to: 'failed', reason: 'timeout' });
    expect(timeout.operationId).toBe(operation!.id);
    // The aborted call's own outcome came late: recorded as refused, the agent unchanged.
    const late = entries.filter((e) => e.denied && e.operationId === operation!.id);
    expect(late).toHaveLength(1);
    expect(operations.at(-1)).toMatchObject({ operationId: operation!.id, phase: 'fenced' });
    // And the agent can be brought back.
    await manager.dispatch(a.id, 'restart');
    await settle();
    expect((await manager.get(a.id)).status).toBe('running');
  });

  it('retries a failed destroy with backoff until it succeeds', async () => {
    const { manager, driver, clock, running, settle } = setup({ policies: { retryBaseMs: 2_000 } });
    const a = await running('alpha');
    driver.failNext('destroy');
    driver.failNext('destroy');
    await manager.dispatch(a.id, 'destroy', { confirm: 'alpha' });
    await settle();
    expect((await manager.get(a.id)).status).toBe('deleting');

    await clock.advance(1_999);
    expect((await manager.tick()).destroyRetries).toBe(0);
    await clock.advance(1);
    expect((await manager.tick()).destroyRetries).toBe(1);
    await settle();
    expect((await manager.get(a.id)).status).toBe('deleting');
    // The second retry waits twice as long.
    await clock.advance(3_999);
    expect((await manager.tick()).destroyRetries).toBe(0);
    await clock.advance(1);
    expect((await manager.tick()).destroyRetries).toBe(1);
    await settle();
    expect((await manager.get(a.id)).status).toBe('deleted');
    expect(driver.resources()).toEqual([]);
    expect(driver.calls.filter((c) => c.op === 'destroy').map((c) => c.outcome)).toEqual([
      'failed',
      'failed',
      'succeeded',
    ]);
  });

  it('a managed agent that heartbeats goes stale like any other and is restarted automatically', async () => {
    const { manager, clock, running, settle } = setup();
    const a = await running('alpha');
    // Without heartbeats, a managed agent is never stale.
    await clock.advance(10 * 60_000);
    expect((await manager.tick()).stale).toBe(0);

    await manager.heartbeat(a.id);
    await clock.advance(90_000);
    expect((await manager.tick()).stale).toBe(1);
    expect((await manager.get(a.id)).status).toBe('degraded');
    await clock.advance(1_000);
    expect((await manager.tick()).recovered).toBe(1);
    await settle();
    expect((await manager.get(a.id)).status).toBe('running');
    // Its next heartbeat keeps it running.
    expect((await manager.heartbeat(a.id)).status).toBe('running');
  });

  it('the next heartbeat brings a stale managed agent back before recovery runs', async () => {
    const { manager, driver, clock, running } = setup();
    const a = await running('alpha');
    await manager.heartbeat(a.id);
    await clock.advance(90_000);
    await manager.tick();
    expect((await manager.heartbeat(a.id)).status).toBe('running');
    await clock.advance(60_000);
    expect((await manager.tick()).recovered).toBe(0);
    expect(driver.calls.filter((c) => c.op === 'restart')).toEqual([]);
  });

  it('does not recover a paused agent; resuming lets recovery run', async () => {
    const { manager, driver, clock, running, settle } = setup();
    const a = await running('alpha');
    await manager.dispatch(a.id, 'pause', { reason: 'investigating' });
    driver.crash(a.id);
    await settle();
    expect((await manager.get(a.id)).status).toBe('paused');

    await clock.advance(60_000);
    expect((await manager.tick()).recovered).toBe(0);
    const resumed = await manager.dispatch(a.id, 'resume');
    expect(resumed.agent.status).toBe('degraded');
    await clock.advance(60_000);
    expect((await manager.tick()).recovered).toBe(1);
    await settle();
    expect((await manager.get(a.id)).status).toBe('running');
  });

  it('start() sweeps on the clock until close()', async () => {
    const { manager, clock, settle } = setup();
    const { token } = await manager.createRegistrationToken();
    const { agentId } = await manager.register({ registrationToken: token, code: 'host-1' });
    manager.start({ intervalMs: 1_000 });
    await clock.advance(91_000);
    await settle();
    expect((await manager.get(agentId)).status).toBe('degraded');
    await manager.close();
    expect(clock.pending).toBe(0);
  });
});
