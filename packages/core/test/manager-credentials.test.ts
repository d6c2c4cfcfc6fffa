/**
 * Credentials of managed agents (AgentStead: deploy "returns credentials (username, password,
 * runtime token)"; Alfe: recreate comes back "with new credentials"): issued at create and
 * recreate, handed to the driver, answered once, never stored in plaintext, kept by restart,
 * stop, start and redeploy, replaced by recreate, gone with destroy, rotated by a resumed
 * provision (the plaintext died with the process that issued it).
 */
import { createLifecycleManager, createMemoryStore, ManualClock } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import { describe, expect, it } from 'vitest';
import { codeOf, setup } from './scenario-harness.js';

/** Everything the store holds, as one string: a plaintext secret must not appear in it. */
async function storeText(store: ReturnType<typeof createMemoryStore>, agentId: string): Promise<string> {
  const parts: unknown[] = [
    await store.get(agentId),
    await store.audit(agentId),
    await store.revisions(agentId),
  ];
  return JSON.stringify(parts);
}

describe('credentials', () => {
  it('create answers them once; the driver gets them; the store keeps no plaintext', async () => {
    const { manager, driver, store, settle } = setup();
    const created = await manager.create({ name: 'cred-a', owner: 'acme' });
    const creds = created.credentials!;
    expect(creds).toEqual({
      username: expect.stringMatching(/^agent-[0-9a-f]{8}$/),
      password: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/),
      runtimeToken: expect.stringMatching(/^bat_/),
    });
    await settle();
    const resource = driver.resources()[0]!;
    expect(resource.credentials).toMatchObject({
      agentToken: creds.runtimeToken,
      username: creds.username,
      password: creds.password,
    });
    expect(resource.env).toMatchObject({
      BERTH_AGENT_USERNAME: creds.username,
      BERTH_AGENT_PASSWORD: creds.password,
    });
    // Never again: not on a read, not in the store.
    expect(JSON.stringify(await manager.get(created.id))).not.toContain(creds.password);
    const text = await storeText(store, created.id);
    expect(text).not.toContain(creds.password);
    expect(text).not.toContain(creds.runtimeToken);
    // The runtime token is the agent's bearer token.
    expect((await manager.authenticateAgent(created.id, creds.runtimeToken)).id).toBe(created.id);
  });

  it('an idempotent replay of create does not show them again', async () => {
    const { manager } = setup();
    const first = await manager.create({ name: 'cred-b' }, { idempotencyKey: 'k' });
    const again = await manager.create({ name: 'cred-b' }, { idempotencyKey: 'k' });
    expect(first.credentials).toBeDefined();
    expect(again.id).toBe(first.id);
    expect(again).not.toHaveProperty('credentials');
  });

  it('restart, stop, start and redeploy keep them; recreate replaces them; destroy removes them', async () => {
    const { manager, driver, settle } = setup();
    const created = await manager.create({ name: 'cred-c', owner: 'acme' });
    await settle();
    const creds = created.credentials!;
    for (const action of ['restart', 'stop', 'start', 'redeploy'] as const) {
      const result = await manager.dispatch(created.id, action);
      expect(result, action).not.toHaveProperty('credentials');
      await settle();
      expect((await manager.get(created.id)).status).toBe(action === 'stop' ? 'stopped' : 'running');
      expect(driver.resources()[0]!.credentials, action).toMatchObject({
        agentToken: creds.runtimeToken,
        password: creds.password,
      });
      expect((await manager.authenticateAgent(created.id, creds.runtimeToken)).id).toBe(created.id);
    }

    const recreated = await manager.dispatch(created.id, 'recreate', { confirm: 'cred-c' });
    const fresh = recreated.credentials!;
    expect(fresh.password).not.toBe(creds.password);
    expect(fresh.runtimeToken).not.toBe(creds.runtimeToken);
    expect(fresh.username).not.toBe(creds.username);
    await settle();
    expect(driver.resources()[0]!.credentials).toMatchObject({
      agentToken: fresh.runtimeToken,
      username: fresh.username,
      password: fresh.password,
    });
    expect(await codeOf(manager.authenticateAgent(created.id, creds.runtimeToken))).toBe('UNAUTHORIZED');
    expect((await manager.authenticateAgent(created.id, fresh.runtimeToken)).id).toBe(created.id);

    const destroyed = await manager.dispatch(created.id, 'destroy', { confirm: 'cred-c' });
    expect(destroyed).not.toHaveProperty('credentials');
    await settle();
    expect(driver.resources()).toEqual([]);
    expect(await codeOf(manager.authenticateAgent(created.id, fresh.runtimeToken))).toMatch(
      /UNAUTHORIZED|AGENT_REVOKED/,
    );
  });

  it('a provision resumed by another manager rotates them (only digests were stored)', async () => {
    const clock = new ManualClock();
    const store = createMemoryStore();
    const slow = createMemoryDriver({ clock, latency: { provision: 10_000 } });
    const first = createLifecycleManager({ store, driver: slow, clock });
    const created = await first.create({ name: 'cred-d' });
    await first.close();

    const driver = createMemoryDriver({ clock });
    const second = createLifecycleManager({ store, driver, clock });
    expect(await second.resume()).toBe(1);
    await second.settle();
    expect((await second.get(created.id)).status).toBe('running');
    const resource = driver.resources()[0]!;
    // The answer of the first create is void now: its token was revoked, the driver got new ones.
    expect(resource.credentials!.agentToken).not.toBe(created.credentials!.runtimeToken);
    expect(resource.credentials!.password).not.toBe(created.credentials!.password);
    expect(await codeOf(second.authenticateAgent(created.id, created.credentials!.runtimeToken))).toBe(
      'UNAUTHORIZED',
    );
    expect((await second.authenticateAgent(created.id, resource.credentials!.agentToken)).id).toBe(
      created.id,
    );
    await second.close();
  });
});
