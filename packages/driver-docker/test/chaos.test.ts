/**
 * Chaos against the lifecycle manager: out-of-band `docker kill` and `docker rm -f`, and a manager
 * that dies mid-provision while another resumes its work. The manager must never be silently
 * stale, and no container may be doubled or orphaned.
 */
import { randomBytes } from 'node:crypto';
import {
  createLifecycleManager,
  createMemoryStore,
  type DriverResult,
  type DriverTarget,
  type LifecycleManager,
  type OperationContext,
} from '@berth/core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createDockerDriver, type DockerDriver, LABELS } from '../src/index.js';
import {
  buildTestImage,
  cleanupRun,
  dockerCli,
  dockerDescribe,
  eventually,
  GRACEFUL_CMD,
  leftovers,
  RUN_LABEL,
  runId,
} from './support/docker-env.js';

const describeDocker = await dockerDescribe();
const IMAGE = `berth-test/chaos:${runId}`;
const policies = { heartbeatTimeoutMs: 3_600_000, retryBaseMs: 200, retryMaxMs: 1_000 };

/**
 * A driver of its own scope (an extra label), so one test's reconcile never sees another test's
 * containers as orphans; drivers made with the same scope see the same containers.
 */
const newDriver = (scope = randomBytes(4).toString('hex')) =>
  createDockerDriver({ labels: { [RUN_LABEL]: runId, 'berth.test-scope': scope }, stopTimeoutSeconds: 2 });

describeDocker('chaos with the lifecycle manager', () => {
  const managers: LifecycleManager[] = [];
  const manager = (options: Parameters<typeof createLifecycleManager>[0]) => {
    const m = createLifecycleManager({ defaultImage: IMAGE, policies, ...options });
    managers.push(m);
    return m;
  };
  beforeAll(() => buildTestImage(IMAGE, { cmd: GRACEFUL_CMD }));
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.close();
  });
  afterAll(() => cleanupRun());

  /** Destroy through the manager and check nothing of the agent is left on the engine. */
  async function destroyAndCheck(m: LifecycleManager, agentId: string, name: string) {
    await m.dispatch(agentId, 'destroy', { confirm: name });
    await m.waitFor(agentId, 'deleted', { timeout: 30_000 });
    const left = await leftovers();
    expect(left.containers.filter((c) => c.includes(agentId))).toEqual([]);
  }

  const containersOf = async (agentId: string) =>
    (await dockerCli(['ps', '-aq', '--no-trunc', '--filter', `label=${LABELS.agentId}=${agentId}`]))
      .split('\n')
      .filter(Boolean);

  it('docker kill → degraded after one reconcile pass; the audit names the reconciler and the exit code', async () => {
    const driver = newDriver();
    const m = manager({ driver });
    const agent = await m.create({ name: 'killed' });
    await m.waitFor(agent.id, 'running', { timeout: 30_000 });

    await dockerCli(['kill', driver.containerName(agent.id)]);
    await m.reconcile();

    const view = await m.get(agent.id);
    expect(view.status).toBe('degraded');
    const entry = (await m.audit(agent.id)).at(-1)!;
    expect(entry).toMatchObject({ actor: 'reconciler', from: 'running', to: 'degraded' });
    expect(entry.reason).toContain('137');
    expect(entry.metadata).toMatchObject({ exitCode: 137 });
    await destroyAndCheck(m, agent.id, 'killed');
  });

  it('docker kill with the manager watching → degraded from the event, then automatic recovery', async () => {
    const driver = newDriver();
    const m = manager({ driver });
    m.start({ intervalMs: 100 });
    const agent = await m.create({ name: 'watched' });
    await m.waitFor(agent.id, 'running', { timeout: 30_000 });
    const before = (await driver.inspect(agent.id)).resourceId;
    await driver.resync();

    await dockerCli(['kill', driver.containerName(agent.id)]);
    await m.waitFor(agent.id, 'degraded', { timeout: 30_000 });
    const degraded = (await m.audit(agent.id)).find((e) => e.to === 'degraded')!;
    expect(degraded).toMatchObject({ actor: 'driver:docker', metadata: { exitCode: 137 } });

    // The sweeper restarts it in place (same container, running again).
    await m.waitFor(agent.id, 'running', { timeout: 30_000 });
    expect(await driver.inspect(agent.id)).toMatchObject({ state: 'running', resourceId: before });
    await destroyAndCheck(m, agent.id, 'watched');
  });

  it('docker rm -f → ghost found by reconcile; a later destroy still succeeds', async () => {
    const driver = newDriver();
    const m = manager({ driver });
    const agent = await m.create({ name: 'ghost' });
    await m.waitFor(agent.id, 'running', { timeout: 30_000 });

    await dockerCli(['rm', '-f', driver.containerName(agent.id)]);
    const report = await m.reconcile();
    expect(report.ghosts).toEqual([agent.id]);
    expect(await m.get(agent.id)).toMatchObject({ status: 'degraded', ghost: true });
    expect((await m.audit(agent.id)).at(-1)).toMatchObject({ actor: 'reconciler', to: 'degraded' });

    await destroyAndCheck(m, agent.id, 'ghost');
    const volume = driver.volumeName(agent.workspaceId);
    expect(await dockerCli(['volume', 'ls', '-q', '--filter', `name=^${volume}$`])).toBe('');
  });

  it('reconcile removes a labelled container no record knows (an orphan) with its workspace', async () => {
    const driver = newDriver();
    const m = manager({ driver });
    const orphan: DriverTarget = {
      agentId: 'agt_orphan_' + runId.replace(/[^a-z0-9]/g, ''),
      owner: 'acme',
      name: 'orphan',
      workspaceId: 'ws_orphan_' + runId.replace(/[^a-z0-9]/g, ''),
      spec: { image: IMAGE, config: {} },
      revision: { id: 'rev_orphan', image: IMAGE, config: {} },
      credentials: null,
      secrets: {},
    };
    await driver.provision(orphan, {
      operationId: 'op_orphan',
      operation: 'provision',
      signal: new AbortController().signal,
    });
    const report = await m.reconcile({ orphans: 'remove' });
    expect(report.orphansRemoved).toEqual([orphan.agentId]);
    expect(await containersOf(orphan.agentId)).toEqual([]);
    expect(
      await dockerCli(['volume', 'ls', '-q', '--filter', `name=^${driver.volumeName(orphan.workspaceId)}$`]),
    ).toBe('');
  });

  /**
   * A driver whose provision "dies with its process": it never reports back (it rejects only when
   * the dead manager is finally closed). `when` says whether the container gets made first.
   */
  function dyingDriver(real: DockerDriver, when: 'before-create' | 'after-create'): DockerDriver {
    const hang = (ctx: OperationContext) =>
      new Promise<never>((_, reject) =>
        ctx.signal.addEventListener('abort', () => reject(new Error('process died'))),
      );
    return {
      ...real,
      async provision(target: DriverTarget, ctx: OperationContext): Promise<DriverResult | undefined> {
        if (when === 'after-create') await real.provision(target, ctx);
        return hang(ctx);
      },
    };
  }

  it.each(['after-create', 'before-create'] as const)(
    'a manager crash mid-provision (%s): another manager resumes, exactly one container, no orphan',
    async (when) => {
      const store = createMemoryStore();
      const scope = randomBytes(4).toString('hex');
      const realA = newDriver(scope);
      const a = manager({ store, driver: dyingDriver(realA, when) });
      const agent = await a.create({ name: `crash-${when}` });
      if (when === 'after-create') {
        await eventually(
          async () => ((await containersOf(agent.id)).length === 1 ? true : undefined),
          'the first container',
        );
      }
      expect((await a.get(agent.id)).status).toBe('provisioning');

      // A second manager over the same store takes over.
      const driverB = newDriver(scope);
      const b = manager({ store, driver: driverB });
      expect(await b.resume()).toBe(1);
      const running = await b.waitFor(agent.id, 'running', { timeout: 30_000 });
      expect(running.ghost).toBe(false);

      // The dead manager's late failure is fenced off: the agent stays running.
      await a.close();
      expect((await b.get(agent.id)).status).toBe('running');

      const ids = await containersOf(agent.id);
      expect(ids, 'exactly one container for the agent').toHaveLength(1);
      // The container holds the credentials the resuming manager issued (the old ones were revoked).
      const env: string[] = JSON.parse(
        await dockerCli(['inspect', '--format', '{{json .Config.Env}}', ids[0]!]),
      );
      const token = env.find((e) => e.startsWith('BERTH_AGENT_TOKEN='))!.slice('BERTH_AGENT_TOKEN='.length);
      await expect(b.authenticateAgent(agent.id, token)).resolves.toMatchObject({ id: agent.id });

      const report = await b.reconcile({ orphans: 'remove' });
      expect(report).toEqual({ ghosts: [], orphansRemoved: [], orphansAdopted: [] });
      expect((await driverB.list()).filter((x) => x.agentId === agent.id)).toHaveLength(1);
      await destroyAndCheck(b, agent.id, `crash-${when}`);
    },
  );
});
