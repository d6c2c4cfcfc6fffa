/**
 * Backups at manager level (AgentStead: "create a backup first … backups stay in your catalog"):
 * a backup holds the agent's one operation slot without moving its status, the catalog entry
 * completes with the operation, survives destroy and purge, restores into a new agent, and is
 * deleted with its archive; refusals are audited and change nothing.
 */
import { createLifecycleManager, ManualClock } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import { describe, expect, it } from 'vitest';
import { codeOf, errorOf, setup } from './scenario-harness.js';

describe('backups', () => {
  it('a backup holds the operation slot, keeps the status, and completes in the catalog', async () => {
    const h = setup({ latency: { backup: 1000 } });
    const agent = await h.running('keeper');
    h.driver.writeFile(agent.id, 'notes.md', 'remember the milk');
    const started = await h.manager.createBackup(agent.id, { actor: 'user:ada', label: 'before upgrade' });
    expect(started.backup).toMatchObject({
      agentId: agent.id,
      agentName: 'keeper',
      label: 'before upgrade',
      status: 'pending',
    });
    expect(started.operation.action).toBe('backup');
    const during = await h.manager.get(agent.id);
    expect(during.status).toBe('running');
    expect(during.operation).toMatchObject({ id: started.operation.id, op: 'backup' });
    expect(during.availableActions).not.toContain('stop');
    // One operation at a time: the chart refuses the others while the backup runs.
    expect(await codeOf(h.manager.dispatch(agent.id, 'stop'))).toBe('OPERATION_IN_PROGRESS');
    expect(await codeOf(h.manager.createBackup(agent.id))).toBe('OPERATION_IN_PROGRESS');
    await h.advance(1000);
    const [done] = await h.manager.listBackups({ owner: 'acme' });
    expect(done).toMatchObject({ id: started.backup.id, status: 'completed', error: null });
    expect(done!.sizeBytes).toBeGreaterThan(0);
    const after = await h.manager.get(agent.id);
    expect(after.operation).toBeNull();
    expect(after.availableActions).toContain('stop');
    const trail = await h.manager.audit(agent.id);
    const asked = trail.find((e) => e.action === 'backup')!;
    expect(asked).toMatchObject({ actor: 'user:ada', from: 'running', to: 'running', denied: false });
    expect(asked.metadata).toMatchObject({ backupId: started.backup.id, label: 'before upgrade' });
    const finished = trail.find(
      (e) => e.operationId === started.operation.id && e.action === 'op_succeeded',
    )!;
    expect(finished.metadata).toMatchObject({ op: 'backup', backupId: started.backup.id });
    expect((await h.manager.verifyAudit(agent.id)).ok).toBe(true);
  });

  it('refusals: another operation in flight, a pending agent, a self-hosted agent; each audited, nothing written', async () => {
    const h = setup({ latency: { provision: 500 } });
    const created = await h.manager.create({ name: 'busy', owner: 'acme' });
    const before = await h.store.get(created.id);
    const error = await errorOf(h.manager.createBackup(created.id));
    expect(error).toMatchObject({ code: 'OPERATION_IN_PROGRESS' });
    expect(await h.manager.listBackups({ owner: 'acme' })).toEqual([]);
    expect((await h.store.get(created.id))!.version).toBe(before!.version);
    const refusal = (await h.manager.audit(created.id)).at(-1)!;
    expect(refusal).toMatchObject({ action: 'backup', denied: true, code: 'OPERATION_IN_PROGRESS' });
    expect(await codeOf(h.manager.createBackup('agt_nope'))).toBe('AGENT_NOT_FOUND');
    await h.advance(500);
    expect(await codeOf(h.manager.createBackup(created.id, { owner: 'someone-else' }))).toBe(
      'AGENT_NOT_FOUND',
    );
    expect(await codeOf(h.manager.createBackup(created.id, { label: '   ' }))).toBe('VALIDATION_FAILED');
    const { token } = await h.manager.createRegistrationToken({ owner: 'acme' });
    const { agentId } = await h.manager.register({ registrationToken: token, code: 'edge-1' });
    expect(await codeOf(h.manager.createBackup(agentId))).toBe('ILLEGAL_TRANSITION');
  });

  it('a driver without backup is refused naming the driver', async () => {
    const driver = createMemoryDriver();
    const { backup: _b, restore: _r, ...rest } = driver;
    const plain = Object.defineProperties({}, Object.getOwnPropertyDescriptors(rest)) as typeof rest;
    const manager = createLifecycleManager({ driver: plain, clock: new ManualClock() });
    const agent = await manager.create({ name: 'plain' });
    await manager.settle();
    const error = await errorOf(manager.createBackup(agent.id));
    expect(error).toMatchObject({
      code: 'ILLEGAL_TRANSITION',
      message: "driver 'memory' cannot back up a workspace",
    });
  });

  it('destroy keeps the backup; a new agent restored from it starts with its workspace', async () => {
    const h = setup();
    const agent = await h.running('source');
    h.driver.writeFile(agent.id, 'state.json', '{"count":41}');
    const { backup } = await h.manager.createBackup(agent.id);
    await h.settle();
    await h.manager.dispatch(agent.id, 'destroy', { confirm: 'source' });
    await h.settle();
    await h.advance(8 * 24 * 3600 * 1000); // past the grace period: the record is purged
    await h.manager.tick();
    expect(await codeOf(h.manager.get(agent.id))).toBe('AGENT_NOT_FOUND');
    expect(await h.manager.listBackups({ owner: 'acme' })).toMatchObject([
      { id: backup.id, status: 'completed', agentName: 'source' },
    ]);
    const restored = await h.manager.create({ name: 'restored', owner: 'acme', restoreFrom: backup.id });
    await h.settle();
    expect((await h.manager.get(restored.id)).status).toBe('running');
    expect(h.driver.files(restored.id)).toEqual({ 'state.json': '{"count":41}' });
    const first = (await h.manager.audit(restored.id))[0]!;
    expect(first.metadata).toMatchObject({ restoreFrom: backup.id });
  });

  it('restoreFrom must name a completed backup of the same owner; nothing is created otherwise', async () => {
    const h = setup({ latency: { backup: 1000 } });
    const agent = await h.running('src');
    const { backup } = await h.manager.createBackup(agent.id);
    expect(await codeOf(h.manager.create({ name: 'early', owner: 'acme', restoreFrom: backup.id }))).toBe(
      'BACKUP_NOT_READY',
    );
    await h.advance(1000);
    expect(await codeOf(h.manager.create({ name: 'thief', owner: 'other', restoreFrom: backup.id }))).toBe(
      'BACKUP_NOT_FOUND',
    );
    expect(await codeOf(h.manager.create({ name: 'lost', owner: 'acme', restoreFrom: 'bkp_missing' }))).toBe(
      'BACKUP_NOT_FOUND',
    );
    expect((await h.manager.list()).map((a) => a.name)).toEqual(['src']);
  });

  it('delete: a pending backup is refused, a finished one goes with its archive and is audited', async () => {
    const h = setup({ latency: { backup: 1000 } });
    const agent = await h.running('del');
    const { backup } = await h.manager.createBackup(agent.id);
    expect(await codeOf(h.manager.deleteBackup(backup.id))).toBe('OPERATION_IN_PROGRESS');
    await h.advance(1000);
    expect(h.driver.archives()).toEqual([backup.id]);
    expect(await codeOf(h.manager.deleteBackup(backup.id, { owner: 'other' }))).toBe('BACKUP_NOT_FOUND');
    await h.manager.deleteBackup(backup.id, { owner: 'acme', actor: 'user:ada' });
    expect(h.driver.archives()).toEqual([]);
    expect(await h.manager.listBackups({ owner: 'acme' })).toEqual([]);
    expect(await codeOf(h.manager.deleteBackup(backup.id))).toBe('BACKUP_NOT_FOUND');
    expect((await h.manager.audit(agent.id)).at(-1)).toMatchObject({
      action: 'backup_deleted',
      actor: 'user:ada',
    });
  });

  it('a failed or timed-out backup fails in the catalog and frees the slot; destroy supersedes a running one', async () => {
    const h = setup({ latency: { backup: 1000 } });
    const agent = await h.running('flaky');
    h.driver.failNext('backup');
    const failed = await h.manager.createBackup(agent.id);
    await h.advance(1000);
    h.driver.hangNext('backup');
    const hung = await h.manager.createBackup(agent.id);
    await h.clock.advance(11 * 60 * 1000);
    await h.manager.tick();
    await h.settle();
    const list = await h.manager.listBackups({ owner: 'acme' });
    expect(list.find((b) => b.id === failed.backup.id)).toMatchObject({
      status: 'failed',
      error: { code: 'INJECTED_FAILURE' },
    });
    expect(list.find((b) => b.id === hung.backup.id)).toMatchObject({
      status: 'failed',
      error: { code: 'TIMEOUT' },
    });
    expect((await h.manager.get(agent.id)).operation).toBeNull();
    h.driver.hangNext('backup');
    const cut = await h.manager.createBackup(agent.id);
    await h.manager.dispatch(agent.id, 'destroy', { confirm: 'flaky' });
    await h.settle();
    expect((await h.manager.get(agent.id)).status).toBe('deleted');
    expect(
      (await h.manager.listBackups({ agentId: agent.id, owner: 'acme' })).find((b) => b.id === cut.backup.id),
    ).toMatchObject({ status: 'failed' });
  });
});
