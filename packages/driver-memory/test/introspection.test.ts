import { createHash } from 'node:crypto';
import type { DriverOperation, DriverTarget } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { createMemoryDriver, DRIVER_NAME } from '../src/index.js';

const base: DriverTarget = {
  agentId: 'agt_1',
  owner: 'alice',
  name: 'scout',
  workspaceId: 'ws_1',
  spec: { image: 'berth/agent:1', config: {} },
  revision: { id: 'rev_1', image: 'berth/agent:1', config: { env: { LOG_LEVEL: 'debug', IGNORED: 3 } } },
  credentials: { agentId: 'agt_1', agentToken: 'tok_first' },
  secrets: { OPENAI_API_KEY: 'sk-1' },
};

let n = 0;
const op = (operation: DriverOperation) => ({
  operation,
  operationId: `op_${++n}`,
  signal: new AbortController().signal,
});

describe('what the memory driver records', () => {
  it('is named memory and declares every capability', () => {
    const driver = createMemoryDriver();
    expect(driver.name).toBe(DRIVER_NAME);
    expect(DRIVER_NAME).toBe('memory');
    for (const method of ['restart', 'redeploy', 'recreate', 'watch', 'list', 'dispose'] as const) {
      expect(driver[method]).toBeTypeOf('function');
    }
  });

  it('provision records the workspace, credentials, secrets, environment and image', async () => {
    const driver = createMemoryDriver();
    const ctx = op('provision');
    const result = await driver.provision(base, ctx);
    const digest = `sha256:${createHash('sha256').update('berth/agent:1').digest('hex')}`;
    expect(result).toEqual({
      resourceId: 'mem_1',
      resolvedImage: digest,
      endpoints: [{ name: 'http', url: 'http://127.0.0.1:41000/' }],
    });
    expect(driver.resources()).toEqual([
      {
        agentId: 'agt_1',
        resourceId: 'mem_1',
        owner: 'alice',
        name: 'scout',
        workspaceId: 'ws_1',
        state: 'running',
        health: null,
        exitCode: null,
        image: 'berth/agent:1',
        resolvedImage: digest,
        revisionId: 'rev_1',
        config: { env: { LOG_LEVEL: 'debug', IGNORED: 3 } },
        credentials: { agentId: 'agt_1', agentToken: 'tok_first' },
        secrets: { OPENAI_API_KEY: 'sk-1' },
        env: {
          LOG_LEVEL: 'debug',
          OPENAI_API_KEY: 'sk-1',
          BERTH_AGENT_ID: 'agt_1',
          BERTH_AGENT_TOKEN: 'tok_first',
        },
        port: 41000,
        operationId: ctx.operationId,
        createdAt: expect.any(Number),
      },
    ]);
    expect(driver.workspaces()).toEqual([{ id: 'ws_1', agentId: 'agt_1', createdAt: expect.any(Number) }]);
    expect(await driver.inspect('agt_1')).toEqual({
      agentId: 'agt_1',
      state: 'running',
      health: null,
      exitCode: null,
      resourceId: 'mem_1',
      operationId: ctx.operationId,
      owner: 'alice',
    });
  });

  it('keeps the workspace across stop, start, restart, redeploy and recreate; destroy removes it', async () => {
    const driver = createMemoryDriver();
    await driver.provision(base, op('provision'));
    const revision2 = { id: 'rev_2', image: 'berth/agent:2', config: { model: 'large' } };
    const steps: Array<[DriverOperation, DriverTarget]> = [
      ['stop', base],
      ['start', base],
      ['restart', base],
      ['redeploy', { ...base, revision: revision2 }],
      [
        'recreate',
        { ...base, revision: revision2, credentials: { agentId: 'agt_1', agentToken: 'tok_second' } },
      ],
    ];
    for (const [operation, t] of steps) {
      await driver[operation](t, op(operation));
      expect(
        driver.workspaces().map((w) => w.id),
        `after ${operation}`,
      ).toEqual(['ws_1']);
      expect(driver.resources()[0]?.workspaceId, `after ${operation}`).toBe('ws_1');
    }
    await driver.destroy(base, op('destroy'));
    expect(driver.workspaces()).toEqual([]);
    expect(driver.resources()).toEqual([]);
  });

  it('redeploy records the new revision and keeps the credentials; recreate stores the new ones', async () => {
    const driver = createMemoryDriver();
    await driver.provision(base, op('provision'));
    const revision2 = { id: 'rev_2', image: 'berth/agent:2', config: { model: 'large' } };
    // The manager hands redeploy the agent's current credentials; a different value must not leak in.
    await driver.redeploy({ ...base, revision: revision2, credentials: null }, op('redeploy'));
    expect(driver.resources()[0]).toMatchObject({
      resourceId: 'mem_2',
      image: 'berth/agent:2',
      revisionId: 'rev_2',
      config: { model: 'large' },
      credentials: { agentToken: 'tok_first' },
      env: { BERTH_AGENT_TOKEN: 'tok_first' },
    });
    const fresh = { agentId: 'agt_1', agentToken: 'tok_second' };
    await driver.recreate({ ...base, revision: revision2, credentials: fresh }, op('recreate'));
    expect(driver.resources()[0]).toMatchObject({
      resourceId: 'mem_3',
      credentials: fresh,
      env: { BERTH_AGENT_TOKEN: 'tok_second' },
    });
    expect(driver.resourceCount('agt_1')).toBe(3);
    expect(driver.resourceCount('agt_nobody')).toBe(0);
  });

  it('re-injects secrets on start and restart, not on stop', async () => {
    const driver = createMemoryDriver();
    await driver.provision(base, op('provision'));
    await driver.stop({ ...base, secrets: { OPENAI_API_KEY: 'sk-stop' } }, op('stop'));
    expect(driver.resources()[0]?.secrets).toEqual({ OPENAI_API_KEY: 'sk-1' });
    await driver.start({ ...base, secrets: { OPENAI_API_KEY: 'sk-2' } }, op('start'));
    expect(driver.resources()[0]?.env.OPENAI_API_KEY).toBe('sk-2');
    await driver.restart({ ...base, secrets: { OPENAI_API_KEY: 'sk-3', EXTRA: 'x' } }, op('restart'));
    expect(driver.resources()[0]?.secrets).toEqual({ OPENAI_API_KEY: 'sk-3', EXTRA: 'x' });
  });

  it('introspection hands out copies', async () => {
    const driver = createMemoryDriver();
    await driver.provision(base, op('provision'));
    const [resource] = driver.resources();
    (resource?.env as Record<string, string>).BERTH_AGENT_TOKEN = 'tampered';
    (driver.calls as unknown as unknown[]).length = 0;
    expect(driver.resources()[0]?.env.BERTH_AGENT_TOKEN).toBe('tok_first');
    expect(driver.calls).toHaveLength(1);
  });

  it('logs every call with its agent, operation and operation id, within maxCalls', async () => {
    const driver = createMemoryDriver({ maxCalls: 3 });
    const ctx = op('provision');
    await driver.provision(base, ctx);
    await driver.inspect('agt_1');
    await driver.list();
    await driver.stop(base, op('stop'));
    expect(driver.calls.map(({ seq, op, agentId }) => ({ seq, op, agentId }))).toEqual([
      { seq: 2, op: 'inspect', agentId: 'agt_1' },
      { seq: 3, op: 'list', agentId: null },
      { seq: 4, op: 'stop', agentId: 'agt_1' },
    ]);
    expect(driver.calls.every((call) => call.outcome === 'succeeded')).toBe(true);
    expect(() => createMemoryDriver({ maxCalls: -1 })).toThrow(/maxCalls/);
  });
});
