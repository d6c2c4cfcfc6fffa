/**
 * The engine restarts under the driver: a private dockerd (its own socket, data and pid file, so
 * no other test's engine is disturbed) is killed with SIGKILL and started again with
 * scripts/ci/start-docker.sh. The driver reconnects its events stream by itself and resyncs: the
 * manager learns that the agent's container died while the engine was down, recovers it, and later
 * out-of-band changes arrive through the new stream.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createLifecycleManager, type LifecycleManager } from '@berth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerDriver, type DockerDriver } from '../src/index.js';
import {
  buildTestImage,
  cleanupRun,
  dockerCli,
  eventually,
  GRACEFUL_CMD,
  RUN_LABEL,
  runId,
} from './support/docker-env.js';

const run = promisify(execFile);
const SCRIPT = resolve(import.meta.dirname, '../../../scripts/ci/start-docker.sh');

function gate(): string | null {
  let reason: string | null = null;
  if (process.getuid?.() !== 0) reason = 'starting a private dockerd needs root';
  else if (!existsSync('/usr/sbin/dockerd') && !existsSync('/usr/bin/dockerd'))
    reason = 'dockerd is not installed';
  if (reason !== null && process.env.BERTH_REQUIRE_INFRA === '1')
    throw new Error(`BERTH_REQUIRE_INFRA=1 but ${reason}`);
  return reason;
}
const reason = gate();
const describeEngine = reason === null ? describe : describe.skip;

describeEngine(`engine restart${reason ? ` — skipped: ${reason}` : ''}`, () => {
  let root = '';
  let host = '';
  let pid = 0;
  let driver: DockerDriver | null = null;
  let manager: LifecycleManager | null = null;
  const IMAGE = `berth-test/engine-restart:${runId}`;

  const startEngine = async () => {
    const { stdout } = await run('bash', [SCRIPT], { env: { ...process.env, BERTH_DOCKERD_ROOT: root } });
    return Number(stdout.trim().split('\n').pop());
  };
  const alive = (p: number) => {
    try {
      process.kill(p, 0);
      return true;
    } catch {
      return false;
    }
  };
  const waitExit = (p: number) =>
    eventually(() => (alive(p) ? undefined : true), `dockerd ${p} to exit`, 60_000);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-engine-'));
    host = `unix://${root}/docker.sock`;
    pid = await startEngine();
    await buildTestImage(IMAGE, { cmd: GRACEFUL_CMD }, { host });
  }, 120_000);

  afterAll(async () => {
    try {
      await manager?.close();
      if (pid && alive(pid)) await cleanupRun(host);
    } finally {
      if (pid && alive(pid)) {
        process.kill(pid, 'SIGTERM');
        await waitExit(pid);
      }
      // dockerd bind-mounts its data root; unmount before removing the directory.
      await run('umount', [join(root, 'data')]).catch(() => {});
      await rm(root, { recursive: true, force: true });
    }
  }, 120_000);

  it('the driver reconnects and resyncs; the manager sees the death and recovers the agent', async () => {
    driver = createDockerDriver({
      host,
      labels: { [RUN_LABEL]: runId },
      stopTimeoutSeconds: 2,
      reconnectDelayMs: 200,
      // Long on purpose: what is reported below comes from the reconnect, not from the timer.
      resyncIntervalMs: 600_000,
    });
    manager = createLifecycleManager({
      driver,
      defaultImage: IMAGE,
      policies: { heartbeatTimeoutMs: 3_600_000, retryBaseMs: 200, retryMaxMs: 1_000 },
    });
    manager.start({ intervalMs: 100 });
    const agent = await manager.create({ name: 'survivor' });
    await manager.waitFor(agent.id, 'running', { timeout: 30_000 });
    await driver.resync();

    // The engine dies hard (its event log dies with it) and comes back.
    process.kill(pid, 'SIGKILL');
    await waitExit(pid);
    pid = await startEngine();

    await manager.waitFor(agent.id, 'degraded', { timeout: 30_000 });
    const degraded = (await manager.audit(agent.id)).find((e) => e.to === 'degraded')!;
    expect(degraded.actor).toBe('driver:docker');
    expect(degraded.reason).toMatch(/exited with code/);

    // Automatic recovery restarts it on the restarted engine.
    await manager.waitFor(agent.id, 'running', { timeout: 30_000 });
    expect((await driver.inspect(agent.id)).state).toBe('running');

    // The new stream delivers later changes (the resync timer is 10 minutes away).
    await dockerCli(['kill', driver.containerName(agent.id)], host);
    await manager.waitFor(agent.id, (a) => a.status === 'degraded' || a.status === 'restarting', {
      timeout: 30_000,
    });
    const entries = await manager.audit(agent.id);
    expect(entries.filter((e) => e.to === 'degraded' && e.actor === 'driver:docker')).toHaveLength(2);
    expect(
      entries.find((e, i) => i > entries.indexOf(degraded) && e.to === 'degraded')?.metadata,
    ).toMatchObject({
      exitCode: 137,
    });

    await manager.waitFor(agent.id, 'running', { timeout: 30_000 });
    await manager.dispatch(agent.id, 'destroy', { confirm: 'survivor' });
    await manager.waitFor(agent.id, 'deleted', { timeout: 30_000 });
    expect(await dockerCli(['ps', '-aq', '--filter', `label=${RUN_LABEL}=${runId}`], host)).toBe('');
  }, 180_000);
});
