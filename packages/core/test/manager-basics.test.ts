/**
 * The manager's everyday contract: validation that names fields, idempotency keys, expected
 * versions, waiting, the audit trail (paging, tamper detection, recorded refusals), events and
 * owner scoping. Real manager, in-memory store and driver, manual clock.
 */
import {
  type AuditEntry,
  hashAuditEntry,
  isBerthError,
  type OperationEvent,
  type TransitionEvent,
  ValidationError,
  verifyAuditChain,
} from '@berth/core';
import { describe, expect, it } from 'vitest';
import { codeOf, errorOf, setup } from './scenario-harness.js';

describe('validation names the fields and changes nothing', () => {
  it('create with a bad name, image or config', async () => {
    const { manager, driver } = setup();
    const bad = [
      [{ name: '' }, ['name']],
      [{ name: 'has spaces' }, ['name']],
      [{ name: '-leading-dash' }, ['name']],
      [{ name: 'x'.repeat(64) }, ['name']],
      [{ name: 'ok', image: '' }, ['image']],
      [{ name: 'ok', owner: '  ' }, ['owner']],
      [{ name: 'ok', config: [] as unknown as Record<string, unknown> }, ['config']],
      [{ name: '', image: '', region: '' }, ['name', 'image', 'region']],
    ] as const;
    for (const [input, fields] of bad) {
      const error = await errorOf(manager.create(input));
      expect(error, JSON.stringify(input)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).code).toBe('VALIDATION_FAILED');
      expect((error as ValidationError).errors?.map((e) => e.path)).toEqual(fields);
    }
    expect(await manager.list()).toEqual([]);
    expect(driver.calls).toEqual([]);
  });

  it('dispatch with an unknown action, rollback without a revision, a non-integer expectedVersion', async () => {
    const { manager, running } = setup();
    const a = await running('alpha');
    const cases = [
      [manager.dispatch(a.id, 'explode' as never), 'action'],
      [manager.dispatch(a.id, 'rollback'), 'revision'],
      [manager.dispatch(a.id, 'rollback', { revision: '' }), 'revision'],
      [manager.dispatch(a.id, 'restart', { expectedVersion: 1.5 }), 'expectedVersion'],
      [manager.dispatch(a.id, 'pause', { reason: 42 as unknown as string }), 'reason'],
      [manager.dispatch(a.id, 'update', { config: 'x' as unknown as Record<string, unknown> }), 'config'],
    ] as const;
    for (const [promise, field] of cases) {
      const error = await errorOf(promise);
      expect(isBerthError(error) && error.code).toBe('VALIDATION_FAILED');
      expect((error as ValidationError).errors?.map((e) => e.path)).toContain(field);
    }
    const after = await manager.get(a.id);
    expect(after.version).toBe(a.version);
    expect((await manager.audit(a.id)).filter((e) => e.denied)).toEqual([]);
  });

  it('commands and registration validate their input too', async () => {
    const { manager, running } = setup();
    const a = await running('alpha');
    const error = await errorOf(manager.enqueueCommand(a.id, { type: '' }));
    expect((error as ValidationError).errors?.[0]?.path).toBe('type');
    const limit = await errorOf(manager.pollCommands(a.id, { limit: 0 }));
    expect((limit as ValidationError).errors?.[0]?.path).toBe('limit');
    const { token } = await manager.createRegistrationToken();
    const code = await errorOf(manager.register({ registrationToken: token, code: '' }));
    expect((code as ValidationError).errors?.[0]?.path).toBe('code');
    // A refused input did not use the token up.
    expect((await manager.register({ registrationToken: token, code: 'host-1' })).agentId).toMatch(/^agt_/);
  });
});

describe('idempotency keys', () => {
  it('the same key returns the first result and calls the driver once', async () => {
    const { manager, driver, running, settle } = setup();
    const a = await running('alpha');
    const restarts = () => driver.calls.filter((c) => c.op === 'restart').length;

    const first = await manager.dispatch(a.id, 'restart', { idempotencyKey: 'k-1' });
    await settle();
    const second = await manager.dispatch(a.id, 'restart', { idempotencyKey: 'k-1' });
    await settle();
    expect(second).toEqual(first);
    expect(restarts()).toBe(1);
    expect((await manager.audit(a.id)).filter((e) => e.action === 'restart')).toHaveLength(1);

    // Another request under the same key is refused, not replayed.
    expect(await codeOf(manager.dispatch(a.id, 'stop', { idempotencyKey: 'k-1' }))).toBe(
      'IDEMPOTENCY_KEY_REUSED',
    );
    expect(
      await codeOf(manager.dispatch(a.id, 'restart', { idempotencyKey: 'k-1', reason: 'different body' })),
    ).toBe('IDEMPOTENCY_KEY_REUSED');
    // A fresh key acts again.
    await manager.dispatch(a.id, 'restart', { idempotencyKey: 'k-2' });
    await settle();
    expect(restarts()).toBe(2);
  });

  it('a refused request under a key can be retried once it would succeed', async () => {
    const { manager, running, settle } = setup();
    const a = await running('alpha');
    expect(await codeOf(manager.dispatch(a.id, 'start', { idempotencyKey: 'k-start' }))).toBe(
      'ILLEGAL_TRANSITION',
    );
    await manager.dispatch(a.id, 'stop');
    await settle();
    const started = await manager.dispatch(a.id, 'start', { idempotencyKey: 'k-start' });
    expect(started.agent.status).toBe('starting');
  });

  it('create with a key makes one agent', async () => {
    const { manager, settle } = setup();
    const one = await manager.create({ name: 'alpha' }, { idempotencyKey: 'c-1' });
    const two = await manager.create({ name: 'alpha' }, { idempotencyKey: 'c-1' });
    await settle();
    expect(two.id).toBe(one.id);
    expect(await manager.list()).toHaveLength(1);
    expect(await codeOf(manager.create({ name: 'beta' }, { idempotencyKey: 'c-1' }))).toBe(
      'IDEMPOTENCY_KEY_REUSED',
    );
  });
});

describe('expectedVersion', () => {
  it('refuses with VERSION_MISMATCH (and the current version) unless the agent is at that version', async () => {
    const { manager, running } = setup();
    const a = await running('alpha');
    const error = await errorOf(
      manager.dispatch(a.id, 'pause', { reason: 'r', expectedVersion: a.version - 1 }),
    );
    expect(error).toMatchObject({ code: 'VERSION_MISMATCH', status: 412, meta: { version: a.version } });
    expect((await manager.get(a.id)).version).toBe(a.version);
    const ok = await manager.dispatch(a.id, 'pause', { reason: 'r', expectedVersion: a.version });
    expect(ok.agent.version).toBe(a.version + 1);
  });
});

describe('waitFor', () => {
  it('resolves when the status is reached', async () => {
    const { manager, running, settle } = setup();
    const a = await running('alpha');
    const waiting = manager.waitFor(a.id, 'stopped');
    await manager.dispatch(a.id, 'stop');
    await settle();
    expect((await waiting).status).toBe('stopped');
    // Already there: resolves at once.
    expect((await manager.waitFor(a.id, (agent) => agent.status === 'stopped')).id).toBe(a.id);
  });

  it('times out on the manual clock with WAIT_TIMEOUT, and only then', async () => {
    const { manager, clock, running } = setup();
    const a = await running('alpha');
    let outcome: unknown = 'pending';
    const waiting = manager.waitFor(a.id, 'stopped', { timeout: 24 * 60 * 60_000 }).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    void waiting.then((o) => {
      outcome = o;
    });
    await clock.advance(24 * 60 * 60_000 - 1);
    expect(outcome).toBe('pending');
    await clock.advance(1);
    expect(await waiting).toMatchObject({ code: 'WAIT_TIMEOUT', status: 408 });
  });

  it('stops waiting when its signal aborts', async () => {
    const { manager, running } = setup();
    const a = await running('alpha');
    const controller = new AbortController();
    const waiting = manager.waitFor(a.id, 'stopped', { signal: controller.signal });
    controller.abort(new Error('caller gave up'));
    await expect(waiting).rejects.toThrow('caller gave up');
    const already = new AbortController();
    already.abort(new Error('before it began'));
    await expect(manager.waitFor(a.id, 'stopped', { signal: already.signal })).rejects.toThrow(
      'before it began',
    );
  });

  it('rejects with AGENT_NOT_FOUND for another owner', async () => {
    const { manager, running } = setup();
    const a = await running('alpha', 'acme');
    expect(await codeOf(manager.waitFor(a.id, 'running', { owner: 'globex' }))).toBe('AGENT_NOT_FOUND');
  });
});

describe('the audit trail', () => {
  it('pages with `after` and keeps seq contiguous', async () => {
    const { manager, running, settle } = setup();
    const a = await running('alpha');
    await manager.dispatch(a.id, 'restart');
    await settle();
    const all = await manager.audit(a.id);
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    expect(all.map((e) => e.action)).toEqual([
      'create',
      'deploy',
      'provisioned',
      'op_succeeded',
      'restart',
      'op_succeeded',
    ]);
    const tail = await manager.audit(a.id, { after: 4 });
    expect(tail.map((e) => e.seq)).toEqual([5, 6]);
    expect(await manager.audit(a.id, { after: 6 })).toEqual([]);
    expect(verifyAuditChain(all)).toEqual({ ok: true, length: 6 });
  });

  it('verifyAuditChain finds the first tampered entry', async () => {
    const { manager, store, running, settle } = setup();
    const a = await running('alpha');
    await manager.dispatch(a.id, 'pause', { reason: 'looking', actor: 'user:ada' });
    await manager.dispatch(a.id, 'resume');
    await settle();
    const entries = await store.audit(a.id);
    expect(verifyAuditChain(entries).ok).toBe(true);

    const edited = entries.map((e, i) => (i === 4 ? { ...e, reason: 'nothing to see' } : e));
    store.unsafeReplaceAudit(a.id, edited);
    expect(verifyAuditChain(await manager.audit(a.id))).toMatchObject({ ok: false, index: 4 });

    // Recomputing the hash of the edited entry does not help: the next one no longer links.
    const { hash: _drop, ...rest } = edited[4]!;
    const rehashed = edited.map((e, i) => (i === 4 ? { ...rest, hash: hashAuditEntry(rest) } : e));
    expect(verifyAuditChain(rehashed)).toMatchObject({ ok: false, index: 5 });

    // Removing an entry is found where the gap is.
    const removed = entries.filter((_, i) => i !== 2);
    expect(verifyAuditChain(removed)).toMatchObject({ ok: false, index: 2 });
    // So is reordering.
    const swapped = [...entries];
    [swapped[1], swapped[2]] = [swapped[2]!, swapped[1]!];
    expect(verifyAuditChain(swapped)).toMatchObject({ ok: false, index: 1 });
  });

  it('records refusals as denied without changing the agent', async () => {
    const { manager, driver, running } = setup();
    const a = await running('alpha');
    const calls = driver.calls.length;
    const error = await errorOf(manager.dispatch(a.id, 'start', { actor: 'user:bob' }));
    expect(error).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    expect((error as { allowedActions?: readonly string[] }).allowedActions).toContain('stop');
    expect(await codeOf(manager.dispatch(a.id, 'destroy', { actor: 'user:bob' }))).toBe(
      'CONFIRMATION_REQUIRED',
    );

    const after = await manager.get(a.id);
    expect(after.version).toBe(a.version);
    expect(after.status).toBe('running');
    expect(driver.calls.length).toBe(calls);
    const entries = await manager.audit(a.id);
    const denied = entries.filter((e) => e.denied);
    expect(denied.map((e) => [e.action, e.code, e.actor, e.from, e.to])).toEqual([
      ['start', 'ILLEGAL_TRANSITION', 'user:bob', 'running', 'running'],
      ['destroy', 'CONFIRMATION_REQUIRED', 'user:bob', 'running', 'running'],
    ]);
    expect(denied[1]!.guards).toEqual([{ guard: 'confirmationMatches', passed: false }]);
    // Refusals extend the chain: each has its own seq, right after the head it was decided on.
    const accepted = entries.filter((e) => !e.denied);
    expect(denied.map((e) => e.seq)).toEqual([accepted.at(-1)!.seq + 1, accepted.at(-1)!.seq + 2]);
    expect(verifyAuditChain(entries).ok).toBe(true);
    // The next accepted transition continues the chain after the refusals.
    await manager.dispatch(a.id, 'pause', { reason: 'ok' });
    const next = await manager.audit(a.id);
    expect(next.at(-1)).toMatchObject({ action: 'pause', seq: denied[1]!.seq + 1, denied: false });
    expect(next.at(-1)!.prevHash).toBe(next.at(-2)!.hash);
    expect(verifyAuditChain(next).ok).toBe(true);
  });
});

describe('events', () => {
  it('emits transition, audit and operation events in step with the store', async () => {
    const { manager, settle } = setup();
    const transitions: TransitionEvent[] = [];
    const audits: AuditEntry[] = [];
    const operations: OperationEvent[] = [];
    manager.events.on('transition', (e) => transitions.push(e));
    manager.events.on('audit', (e) => audits.push(e));
    manager.events.on('operation', (e) => operations.push(e));

    const a = await manager.create({ name: 'alpha', owner: 'acme' }, { actor: 'user:ada' });
    await settle();
    expect(transitions.map((t) => [t.action, t.from, t.to])).toEqual([
      ['deploy', 'pending', 'provisioning'],
      ['provisioned', 'provisioning', 'starting'],
      ['op_succeeded', 'starting', 'running'],
    ]);
    expect(transitions[0]).toMatchObject({ agentId: a.id, owner: 'acme', actor: 'user:ada' });
    expect(transitions.map((t) => t.version)).toEqual([1, 2, 3]);
    expect(audits).toEqual(await manager.audit(a.id));
    // Each operation starts, then succeeds. (The follow-up start is launched inside the commit of
    // the provision's outcome, so its `started` may come before the provision's `succeeded`.)
    const phases = (op: string) => operations.filter((o) => o.op === op).map((o) => o.phase);
    expect(phases('provision')).toEqual(['started', 'succeeded']);
    expect(phases('start')).toEqual(['started', 'succeeded']);
    expect(operations).toHaveLength(4);
    expect(new Set(operations.map((o) => o.operationId)).size).toBe(2);
  });

  it('reports a failed operation with its error', async () => {
    const { manager, driver, running, settle } = setup();
    const a = await running('alpha');
    const operations: OperationEvent[] = [];
    manager.events.on('operation', (e) => operations.push(e));
    driver.failNext('restart');
    await manager.dispatch(a.id, 'restart');
    await settle();
    expect(operations.at(-1)).toMatchObject({
      op: 'restart',
      phase: 'failed',
      error: { code: 'INJECTED_FAILURE' },
    });
    expect((await manager.get(a.id)).status).toBe('failed');
  });
});

describe('owner scoping', () => {
  it("another owner's agent is not found, and lists are filtered", async () => {
    const { manager, running } = setup();
    const a = await running('alpha', 'acme');
    await running('beta', 'globex');
    expect((await manager.get(a.id, { owner: 'acme' })).id).toBe(a.id);
    expect(await codeOf(manager.get(a.id, { owner: 'globex' }))).toBe('AGENT_NOT_FOUND');
    expect(await codeOf(manager.dispatch(a.id, 'pause', { reason: 'r', owner: 'globex' }))).toBe(
      'AGENT_NOT_FOUND',
    );
    expect(await codeOf(manager.audit(a.id, { owner: 'globex' }))).toBe('AGENT_NOT_FOUND');
    expect(await codeOf(manager.revisions(a.id, { owner: 'globex' }))).toBe('AGENT_NOT_FOUND');
    expect(await codeOf(manager.availableActions(a.id, { owner: 'globex' }))).toBe('AGENT_NOT_FOUND');
    expect(await codeOf(manager.enqueueCommand(a.id, { type: 't' }, { owner: 'globex' }))).toBe(
      'AGENT_NOT_FOUND',
    );
    expect((await manager.list({ owner: 'acme' })).map((x) => x.name)).toEqual(['alpha']);
    expect((await manager.list({ status: 'running' })).map((x) => x.name).sort()).toEqual(['alpha', 'beta']);
    // The refused dispatch left nothing behind.
    expect((await manager.get(a.id)).status).toBe('running');
    expect((await manager.audit(a.id)).filter((e) => e.denied)).toEqual([]);
  });

  it('an unknown id is AGENT_NOT_FOUND everywhere', async () => {
    const { manager } = setup();
    for (const promise of [
      manager.get('agt_nope'),
      manager.dispatch('agt_nope', 'stop'),
      manager.audit('agt_nope'),
      manager.heartbeat('agt_nope'),
      manager.setBilling('agt_nope', true),
    ]) {
      expect(await codeOf(promise)).toBe('AGENT_NOT_FOUND');
    }
  });
});
