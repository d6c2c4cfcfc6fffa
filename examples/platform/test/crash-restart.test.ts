/**
 * Restarts of the real platform process over one SQLite file (memory driver). Run 1 builds up
 * acknowledged state and dies by `kill -9`; run 2 finds it all, starts a provision and a restart
 * and dies by `kill -9` in the middle of both; run 3 finds everything again (same audit hashes,
 * revisions, tokens, pending command, idempotency keys) and drives both operations to their end
 * exactly once. A SIGTERM in the middle of an operation records no failure: the next start
 * finishes it under the same operation id.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Answer,
  auditOf,
  call,
  type PlatformProcess,
  spawnPlatform,
  waitForStatus,
} from './support/platform-process.js';
import { tempDir } from './support/temp-dir.js';

const dir = tempDir('berth-crash-');
const started: PlatformProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.kill9()));
});

async function platform(file: string, latency: string): Promise<PlatformProcess> {
  const p = await spawnPlatform({
    BERTH_STORE: `sqlite:${join(dir, file)}`,
    BERTH_MEMORY_LATENCY_MS: latency,
    BERTH_REQUIRE_REASON: '',
  });
  started.push(p);
  return p;
}

function created(answer: Answer): string {
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.id as string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// biome-ignore lint/suspicious/noExplicitAny: audit entries as served
const positions = (entries: any[]) =>
  entries.map((e) => ({ seq: e.seq, hash: e.hash, prevHash: e.prevHash }));

describe('kill -9 and restart on the same SQLite file (memory driver)', () => {
  it('loses nothing acknowledged and drives every operation in flight to its end once', async () => {
    // --- run 1: acknowledged state, then kill -9 with nothing in flight --------------------------
    const one = await platform('crash.sqlite', '0');
    let url = one.url;
    const steady = created(
      await call(url, 'POST', '/agents', { name: 'steady' }, { 'Idempotency-Key': 'k-steady' }),
    );
    const resting = created(await call(url, 'POST', '/agents', { name: 'resting' }));
    const gone = created(await call(url, 'POST', '/agents', { name: 'gone' }));
    for (const id of [steady, resting, gone]) await waitForStatus(url, id, 'running');
    expect((await call(url, 'POST', `/agents/${resting}/actions/stop`, {})).status).toBe(202);
    expect((await call(url, 'DELETE', `/agents/${gone}`, { confirm: 'gone' })).status).toBe(202);
    await waitForStatus(url, resting, 'stopped');
    await waitForStatus(url, gone, 'deleted');
    const used = await call(url, 'POST', '/registration-tokens', {});
    expect(used.status).toBe(201);
    const registered = await call(url, 'POST', '/agents/register', {
      registrationToken: used.body.token,
      code: 'edge-1',
      name: 'edge',
    });
    expect(registered.status).toBe(201);
    const edge = registered.body.agentId as string;
    const agentAuth = { authorization: `Bearer ${registered.body.agentToken}` };
    expect((await call(url, 'POST', `/agents/${edge}/heartbeat`, undefined, agentAuth)).status).toBe(204);
    const unused = await call(url, 'POST', '/registration-tokens', { expiresInSeconds: 3600 });
    expect(unused.status).toBe(201);
    const command = await call(url, 'POST', `/agents/${edge}/commands`, { type: 'sync', payload: { n: 1 } });
    expect(command.status).toBe(201);
    const tokensBefore = (await call(url, 'GET', '/registration-tokens')).body.tokens;
    const revisionsBefore = (await call(url, 'GET', `/agents/${steady}/revisions`)).body.revisions;
    const all = [steady, resting, gone, edge];
    const trails1 = new Map(await Promise.all(all.map(async (id) => [id, await auditOf(url, id)] as const)));
    await one.kill9();

    // --- run 2: everything is there; start a provision and a restart, kill -9 in the middle ------
    const two = await platform('crash.sqlite', '100-4000'); // provision 4 s, restart 2.4 s
    url = two.url;
    expect(two.output()).toContain(`store      SQLite ${join(dir, 'crash.sqlite')}`);
    // The memory driver's resources died with run 1: running agents come back running by themselves.
    await waitForStatus(url, steady, 'running');
    expect((await call(url, 'GET', `/agents/${resting}`)).body.status).toBe('stopped');
    for (const id of all)
      expect(positions(await auditOf(url, id)).slice(0, trails1.get(id)!.length)).toEqual(
        positions(trails1.get(id)!),
      );
    const inflightAnswer = await call(
      url,
      'POST',
      '/agents',
      { name: 'inflight' },
      { 'Idempotency-Key': 'k-inflight' },
    );
    const inflight = created(inflightAnswer);
    const provisionOp = inflightAnswer.body.operation.id as string;
    const restart = await call(url, 'POST', `/agents/${steady}/actions/restart`, {});
    expect(restart.status).toBe(202);
    const restartOp = restart.body.operation.id as string;
    expect((await call(url, 'GET', `/agents/${inflight}`)).body.status).toBe('provisioning');
    expect((await call(url, 'GET', `/agents/${steady}`)).body.status).toBe('restarting');
    const everyone = [...all, inflight];
    const trails2 = new Map(
      await Promise.all(everyone.map(async (id) => [id, await auditOf(url, id)] as const)),
    );
    await sleep(300);
    await two.kill9();

    // --- run 3: nothing acknowledged is lost; both operations finish, once ----------------------
    const three = await platform('crash.sqlite', '0-20');
    url = three.url;
    expect(three.output()).toMatch(/Resumed 2 operation\(s\) left in flight/);
    await waitForStatus(url, inflight, 'running');
    await waitForStatus(url, steady, 'running');
    for (const id of everyone) {
      const trail = await auditOf(url, id);
      expect(positions(trail).slice(0, trails2.get(id)!.length), `audit of ${id}`).toEqual(
        positions(trails2.get(id)!),
      );
      const verify = await call(url, 'GET', `/agents/${id}/audit/verify`);
      expect(verify.body.ok, `chain of ${id}`).toBe(true);
      expect(
        trail.filter((e) => e.action === 'op_failed'),
        `failures of ${id}`,
      ).toEqual([]);
    }
    const outcomes = async (id: string, action: string) =>
      (await auditOf(url, id)).filter((e) => e.action === action).map((e) => e.operationId);
    // The provision finished under its own operation id, once (then the agent's start, once).
    expect(await outcomes(inflight, 'provisioned')).toEqual([provisionOp]);
    expect(await outcomes(inflight, 'op_succeeded')).toHaveLength(1);
    expect((await outcomes(steady, 'op_succeeded')).filter((op) => op === restartOp)).toEqual([restartOp]);
    // Revisions, the deleted agent, tokens, the pending command, idempotency keys.
    const revisionsAfter = (await call(url, 'GET', `/agents/${steady}/revisions`)).body.revisions;
    expect(revisionsAfter.map((r: { id: string }) => r.id)).toEqual(
      revisionsBefore.map((r: { id: string }) => r.id),
    );
    expect((await call(url, 'GET', `/agents/${gone}`)).body.status).toBe('deleted');
    expect((await call(url, 'GET', '/registration-tokens')).body.tokens).toEqual(tokensBefore);
    expect((await call(url, 'POST', `/agents/${edge}/heartbeat`, undefined, agentAuth)).status).toBe(204);
    const handedOut = await call(url, 'GET', `/agents/${edge}/commands`, undefined, agentAuth);
    expect(handedOut.body.commands.map((c: { id: string }) => c.id)).toEqual([command.body.command.id]);
    for (const [key, name, id] of [
      ['k-steady', 'steady', steady],
      ['k-inflight', 'inflight', inflight],
    ] as const) {
      const retry = await call(url, 'POST', '/agents', { name }, { 'Idempotency-Key': key });
      // The first answer again, or (when it held credentials) SECRET_ALREADY_SHOWN — never a new agent.
      if (retry.status === 201) expect(retry.body.id).toBe(id);
      else expect(retry.body.code).toBe('SECRET_ALREADY_SHOWN');
    }
    const names = (await call(url, 'GET', '/agents')).body.agents.map((a: { name: string }) => a.name).sort();
    expect(names).toEqual(['edge', 'gone', 'inflight', 'resting', 'steady']);
    const second = await call(url, 'POST', '/agents/register', {
      registrationToken: unused.body.token,
      code: 'edge-2',
    });
    expect(second.status).toBe(201);
    // Every action works on the agents as before.
    expect((await call(url, 'POST', `/agents/${resting}/actions/start`, {})).status).toBe(202);
    await waitForStatus(url, resting, 'running');
    expect((await call(url, 'POST', `/agents/${steady}/actions/pause`, {})).status).toBe(200);
    expect((await call(url, 'POST', `/agents/${steady}/actions/resume`, {})).status).toBe(200);
    expect((await call(url, 'POST', `/agents/${inflight}/actions/stop`, {})).status).toBe(202);
    await waitForStatus(url, inflight, 'stopped');
    expect((await call(url, 'DELETE', `/agents/${steady}`, { confirm: 'steady' })).status).toBe(202);
    await waitForStatus(url, steady, 'deleted');
    three.child.kill('SIGTERM');
    expect(await three.exit).toBe(0);
  }, 120_000);

  it('a SIGTERM in the middle of an operation records no failure; the next start finishes it', async () => {
    const one = await platform('sigterm.sqlite', '100-3000');
    const answer = await call(one.url, 'POST', '/agents', { name: 'busy' });
    const id = created(answer);
    const op = answer.body.operation.id as string;
    await sleep(300);
    one.child.kill('SIGTERM');
    expect(await one.exit).toBe(0);
    const two = await platform('sigterm.sqlite', '0');
    expect(two.output()).toMatch(/Resumed 1 operation\(s\)/);
    await waitForStatus(two.url, id, 'running');
    const trail = await auditOf(two.url, id);
    expect(trail.filter((e) => e.action === 'op_failed' || e.denied)).toEqual([]);
    // The provision finished under its own operation id (then the agent's start succeeded, once).
    expect(trail.filter((e) => e.action === 'provisioned').map((e) => e.operationId)).toEqual([op]);
    expect(trail.map((e) => e.action)).toEqual(['create', 'deploy', 'provisioned', 'op_succeeded']);
  }, 60_000);
});
