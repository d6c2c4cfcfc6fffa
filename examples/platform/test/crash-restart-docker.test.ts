/**
 * `kill -9` of the real platform process with the Docker driver while it provisions three
 * agents, then a restart on the same SQLite file and port: every agent ends running with exactly
 * one container (the resumed provision finds what the first attempt built, by its operation id),
 * no orphan is left, and destroy removes them all.
 *
 * Needs a Docker Engine (scripts/ci/start-docker.sh). Skips only when none answers and
 * BERTH_REQUIRE_INFRA is unset; with it set, a missing engine fails the file.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  auditOf,
  call,
  type PlatformProcess,
  spawnPlatform,
  waitForStatus,
} from './support/platform-process.js';
import { dockerSocket, engineAnswers, freePort } from './support/infra.js';
import { tempDir } from './support/temp-dir.js';

const run = promisify(execFile);
const requireInfra = Boolean(process.env.BERTH_REQUIRE_INFRA);

const engine = await engineAnswers();
/** This file's label: the platform puts it on everything, and only its containers are its own. */
const runValue = `crash-${process.pid}-${randomBytes(4).toString('hex')}`;
const labelFilter = `label=berth-test-run=${runValue}`;
const dir = tempDir('berth-crash-docker-');
const started: PlatformProcess[] = [];

async function ids(kind: 'ps' | 'volume', ...filters: string[]): Promise<string[]> {
  const args =
    kind === 'ps'
      ? ['ps', '-aq', ...filters.flatMap((f) => ['--filter', f])]
      : ['volume', 'ls', '-q', ...filters.flatMap((f) => ['--filter', f])];
  return (await run('docker', args)).stdout.split('\n').filter(Boolean);
}

afterAll(async () => {
  await Promise.all(started.map((p) => p.kill9()));
  if (!engine) return;
  const containers = await ids('ps', labelFilter);
  if (containers.length > 0) await run('docker', ['rm', '-f', ...containers]);
  const volumes = await ids('volume', labelFilter);
  if (volumes.length > 0) await run('docker', ['volume', 'rm', '-f', ...volumes]);
});

describe.skipIf(!engine && !requireInfra)('kill -9 mid-provision with BERTH_DRIVER=docker', () => {
  it('restarts on the same file: each agent running with exactly one container, no orphan', async () => {
    if (!engine)
      throw new Error(`BERTH_REQUIRE_INFRA is set but no Docker Engine answers at ${dockerSocket}`);
    // One port for both runs: the agents inside heartbeat to the platform's agent API on it.
    const env = {
      PORT: String(await freePort()),
      BERTH_DRIVER: 'docker',
      BERTH_DOCKER_LABELS: `berth-test-run=${runValue}`,
      BERTH_STORE: `sqlite:${join(dir, 'docker.sqlite')}`,
    };
    const one = await spawnPlatform(env);
    started.push(one);
    const names = ['dock-a', 'dock-b', 'dock-c'];
    const answers = await Promise.all(names.map((name) => call(one.url, 'POST', '/agents', { name })));
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(201);
    const agents = answers.map((a) => a.body.id as string);
    // Acknowledged, provisioning: kill -9 now.
    await one.kill9();

    const two = await spawnPlatform(env);
    started.push(two);
    // The kill came while they provisioned (a container takes a few hundred ms to create and start).
    expect(two.output()).toMatch(/Resumed [1-3] operation\(s\) left in flight/);
    for (const id of agents) await waitForStatus(two.url, id, 'running', 60);
    for (const id of agents) {
      expect(await ids('ps', labelFilter, `label=berth.agent-id=${id}`), `containers of ${id}`).toHaveLength(
        1,
      );
      const trail = await auditOf(two.url, id);
      expect(
        trail.filter((e) => e.action === 'provisioned'),
        `provisions of ${id}`,
      ).toHaveLength(1);
      expect(
        trail.filter((e) => e.action === 'op_failed'),
        `failures of ${id}`,
      ).toEqual([]);
    }
    // No orphan: every container of this run belongs to one of the agents.
    expect(await ids('ps', labelFilter)).toHaveLength(agents.length);

    for (const [i, id] of agents.entries()) {
      expect((await call(two.url, 'DELETE', `/agents/${id}`, { confirm: names[i] })).status).toBe(202);
    }
    for (const id of agents) await waitForStatus(two.url, id, 'deleted', 60);
    expect(await ids('ps', labelFilter)).toEqual([]);
    expect(await ids('volume', labelFilter)).toEqual([]);
    two.child.kill('SIGTERM');
    expect(await two.exit).toBe(0);
  }, 240_000);
});
