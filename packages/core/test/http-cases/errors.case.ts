/**
 * Every error code of API.md through real HTTP, and the input refusals: each answer is
 * application/problem+json with the code's status from ERROR_CODES, and changes nothing.
 *
 * Shared by every binding (see harness.ts): `errorCases(binding)`.
 */
import { ERROR_CODES } from '@berth/core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  type CallResult,
  type Harness,
  isProblem,
  runningAgent,
  type BindingUnderTest,
  caseTest,
  type HarnessOptions,
  startBindingHarness,
} from './harness.js';

/** Register these cases for `binding`. */
export function errorCases(binding: BindingUnderTest): void {
  const test = caseTest(binding);
  const startHarness = (options?: HarnessOptions) => startBindingHarness(binding, options);

  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      router: {
        registerRateLimit: false,
        bodyLimit: '2kb',
        authorize: (actor, operation) =>
          !(actor === 'user:readonly' && operation !== 'read' && operation !== 'list'),
      },
    });
  });
  afterAll(async () => {
    await h.close();
  });

  function expectProblem(r: CallResult, code: keyof typeof ERROR_CODES) {
    expect(r.body?.code, r.text).toBe(code);
    expect(r.status).toBe(ERROR_CODES[code].status);
    expect(isProblem(r), r.text).toBe(true);
    expect(r.body.title).toBe(ERROR_CODES[code].title);
  }

  describe('the codes of API.md', () => {
    test('VALIDATION_FAILED names each field', async () => {
      const r = await h.call('POST', '/agents', {
        json: { name: '', image: 5, status: 'running', version: 9 },
      });
      expectProblem(r, 'VALIDATION_FAILED');
      const paths = r.body.errors.map((e: { path: string }) => e.path).sort();
      expect(paths).toEqual(['image', 'name', 'status', 'version']);
      for (const e of r.body.errors) expect(typeof e.message).toBe('string');
    });

    test('REASON_REQUIRED and CONFIRMATION_REQUIRED', async () => {
      const agent = await runningAgent(h, 'acme', 'guarded');
      const pause = await h.call('POST', `/agents/${agent.id}/actions/pause`);
      expectProblem(pause, 'REASON_REQUIRED');
      const blank = await h.call('POST', `/agents/${agent.id}/actions/pause`, { json: { reason: '   ' } });
      expectProblem(blank, 'REASON_REQUIRED');
      const noConfirm = await h.call('DELETE', `/agents/${agent.id}`);
      expectProblem(noConfirm, 'CONFIRMATION_REQUIRED');
      const wrong = await h.call('DELETE', `/agents/${agent.id}`, { json: { confirm: 'Guarded' } });
      expectProblem(wrong, 'CONFIRMATION_REQUIRED');
      const recreate = await h.call('POST', `/agents/${agent.id}/actions/recreate`, {
        json: { confirm: 'nope' },
      });
      expectProblem(recreate, 'CONFIRMATION_REQUIRED');
      expect((await h.manager.get(agent.id)).version).toBe(agent.version);
    });

    test('UNAUTHORIZED on every operator route without credentials', async () => {
      const routes: [string, string][] = [
        ['POST', '/agents'],
        ['GET', '/agents'],
        ['GET', '/agents/agt_x'],
        ['POST', '/agents/agt_x/actions/stop'],
        ['DELETE', '/agents/agt_x'],
        ['GET', '/agents/agt_x/wait?status=running'],
        ['GET', '/agents/agt_x/events'],
        ['GET', '/agents/agt_x/audit'],
        ['GET', '/agents/agt_x/revisions'],
        ['POST', '/registration-tokens'],
        ['POST', '/agents/agt_x/commands'],
        ['POST', '/agents/agt_x/heartbeat'],
        ['GET', '/agents/agt_x/commands'],
        ['POST', '/agents/agt_x/commands/cmd_x/result'],
      ];
      for (const [method, path] of routes) {
        const r = await h.call(method, path, { auth: 'Bearer wrong' });
        expectProblem(r, 'UNAUTHORIZED');
        expect(r.headers.get('www-authenticate')).toBe('Bearer');
      }
    });

    test('REGISTRATION_TOKEN_INVALID', async () => {
      const r = await h.call('POST', '/agents/register', {
        auth: null,
        json: { registrationToken: 'brg_x', code: 'c' },
      });
      expectProblem(r, 'REGISTRATION_TOKEN_INVALID');
    });

    test('FORBIDDEN when authorize refuses (after the owner check)', async () => {
      const created = await h.manager.create({ name: 'ro', owner: 'readonly' });
      const agent = await h.manager.waitFor(created.id, 'running', { timeout: 10_000 });
      const read = await h.call('GET', `/agents/${agent.id}`, { owner: 'readonly' });
      expect(read.status).toBe(200);
      const stop = await h.call('POST', `/agents/${agent.id}/actions/stop`, { owner: 'readonly' });
      expectProblem(stop, 'FORBIDDEN');
      const create = await h.call('POST', '/agents', { owner: 'readonly', json: { name: 'nope' } });
      expectProblem(create, 'FORBIDDEN');
      const foreign = await h.call('POST', `/agents/${agent.id}/actions/stop`, { owner: 'acme' });
      expectProblem(foreign, 'AGENT_NOT_FOUND');
      expect((await h.manager.get(agent.id)).status).toBe('running');
    });

    test('AGENT_NOT_FOUND', async () => {
      expectProblem(await h.call('GET', '/agents/agt_missing'), 'AGENT_NOT_FOUND');
      expectProblem(await h.call('POST', '/agents/agt_missing/actions/stop'), 'AGENT_NOT_FOUND');
    });

    test('ILLEGAL_TRANSITION lists the allowed actions and changes nothing', async () => {
      const agent = await runningAgent(h, 'acme', 'illegal');
      const start = await h.call('POST', `/agents/${agent.id}/actions/start`);
      expectProblem(start, 'ILLEGAL_TRANSITION');
      expect(start.body.allowedActions).toEqual(agent.availableActions);
      expect((await h.manager.get(agent.id)).version).toBe(agent.version);
    });

    test('OPERATION_IN_PROGRESS while an operation runs (manual clock, slow driver)', async () => {
      const m = await startHarness({ manual: true, driver: { latency: 5_000 } });
      try {
        const created = await m.call('POST', '/agents', { json: { name: 'slowpoke' } });
        const r = await m.call('POST', `/agents/${created.body.id}/actions/stop`);
        expectProblem(r, 'OPERATION_IN_PROGRESS');
        expect(r.body.allowedActions).toBeDefined();
      } finally {
        await m.close();
      }
    });

    test('AGENT_PAUSED when enqueuing a command while paused', async () => {
      const agent = await runningAgent(h, 'acme', 'paused-cmd');
      await h.call('POST', `/agents/${agent.id}/actions/pause`, { json: { reason: 'x' } });
      expectProblem(
        await h.call('POST', `/agents/${agent.id}/commands`, { json: { type: 't' } }),
        'AGENT_PAUSED',
      );
    });

    test('QUOTA_EXCEEDED when the owner has no free slot', async () => {
      const m = await startHarness({ manager: { policies: { slotsPerOwner: 2 } } });
      try {
        for (let i = 0; i < 2; i++)
          expect((await m.call('POST', '/agents', { owner: 'quota', json: { name: `q${i}` } })).status).toBe(
            201,
          );
        const r = await m.call('POST', '/agents', { owner: 'quota', json: { name: 'q2' } });
        expectProblem(r, 'QUOTA_EXCEEDED');
        expect((await m.manager.list({ owner: 'quota' })).length).toBe(2);
      } finally {
        await m.close();
      }
    });

    test('VERSION_MISMATCH for a stale If-Match', async () => {
      const agent = await runningAgent(h, 'acme', 'versioned');
      const r = await h.call('POST', `/agents/${agent.id}/actions/stop`, { headers: { 'if-match': '"1"' } });
      expectProblem(r, 'VERSION_MISMATCH');
    });

    test('WAIT_TIMEOUT', async () => {
      const m = await startHarness({ manual: true });
      try {
        const created = await m.call('POST', '/agents', { json: { name: 'never' } });
        const pending = m.call('GET', `/agents/${created.body.id}/wait?status=stopped&timeout=90`);
        let settled = false;
        void pending.then(() => {
          settled = true;
        });
        while (!settled) await m.clock!.advance(30_000);
        expectProblem(await pending, 'WAIT_TIMEOUT');
      } finally {
        await m.close();
      }
    });

    test('AGENT_DISABLED / AGENT_REVOKED are covered by agent-api.test.ts; their statuses come from ERROR_CODES', () => {
      expect(ERROR_CODES.AGENT_DISABLED.status).toBe(403);
      expect(ERROR_CODES.AGENT_REVOKED.status).toBe(403);
    });
  });

  describe('input refusals: never a 500, never a change', () => {
    test('malformed JSON → 400 VALIDATION_FAILED', async () => {
      const r = await h.call('POST', '/agents', {
        raw: '{"name": "x",',
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(r, 'VALIDATION_FAILED');
      expect(r.body.detail).toMatch(/JSON/);
    });

    test('wrong content type → 415 UNSUPPORTED_MEDIA_TYPE; missing content type with a body too', async () => {
      const text = await h.call('POST', '/agents', {
        raw: 'name=x',
        headers: { 'content-type': 'text/plain' },
      });
      expectProblem(text, 'UNSUPPORTED_MEDIA_TYPE');
      const form = await h.call('POST', '/agents', {
        raw: 'name=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expectProblem(form, 'UNSUPPORTED_MEDIA_TYPE');
      const latin = await h.call('POST', '/agents', {
        raw: '{"name":"x"}',
        headers: { 'content-type': 'application/json; charset=latin1' },
      });
      expectProblem(latin, 'UNSUPPORTED_MEDIA_TYPE');
      const vendor = await h.call('POST', '/agents', {
        raw: '{"name":"vendor-json"}',
        headers: { 'content-type': 'application/merge-patch+json' },
      });
      expect(vendor.status).toBe(201);
    });

    test('oversized body → 413 PAYLOAD_TOO_LARGE', async () => {
      const r = await h.call('POST', '/agents', {
        json: { name: 'big', config: { blob: 'x'.repeat(10_000) } },
      });
      expectProblem(r, 'PAYLOAD_TOO_LARGE');
      expect((await h.manager.list()).some((a) => a.name === 'big')).toBe(false);
    });

    test('unknown and privileged fields are refused, naming the field', async () => {
      const agent = await runningAgent(h, 'acme', 'strict');
      const action = await h.call('POST', `/agents/${agent.id}/actions/stop`, {
        json: { status: 'stopped' },
      });
      expectProblem(action, 'VALIDATION_FAILED');
      expect(action.body.errors).toEqual([{ path: 'status', message: 'unknown field' }]);
      const owner = await h.call('POST', '/agents', { json: { name: 'steal', owner: 'victim' } });
      expectProblem(owner, 'VALIDATION_FAILED');
      expect(owner.body.errors[0].path).toBe('owner');
      const token = await h.call('POST', '/registration-tokens', { json: { owner: 'victim' } });
      expectProblem(token, 'VALIDATION_FAILED');
      const proto = await h.call('POST', '/agents', {
        raw: '{"name":"p","__proto__":{"admin":true}}',
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(proto, 'VALIDATION_FAILED');
      expect(proto.body.errors[0].path).toBe('__proto__');
      const deep = await h.call('POST', '/agents', {
        raw: `{"name":"d","config":{"a":${'['.repeat(40)}${']'.repeat(40)}}}`,
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(deep, 'VALIDATION_FAILED');
      expect((await h.manager.get(agent.id)).status).toBe('running');
      expect((await h.manager.list({ owner: 'victim' })).length).toBe(0);
    });

    test('a top-level JSON value that is not an object is a validation error', async () => {
      for (const raw of ['"name"', '42', 'null', '[]', 'true']) {
        const r = await h.call('POST', '/agents', { raw, headers: { 'content-type': 'application/json' } });
        expectProblem(r, 'VALIDATION_FAILED');
      }
    });

    test('bad path parameters and queries', async () => {
      expectProblem(await h.call('POST', '/agents/agt_x/actions/explode'), 'VALIDATION_FAILED');
      expectProblem(await h.call('GET', `/agents/${'x'.repeat(101)}`), 'VALIDATION_FAILED');
      expectProblem(await h.call('GET', '/agents?status=sleeping'), 'VALIDATION_FAILED');
      const wait = await h.call('GET', '/agents/agt_x/wait?status=running&timeout=soon');
      expectProblem(wait, 'VALIDATION_FAILED');
      expect(wait.body.errors[0].path).toBe('timeout');
      expectProblem(await h.call('GET', '/agents/agt_x/wait'), 'VALIDATION_FAILED');
      // Not valid percent-encoding: Express's own 400, still a problem, never a 500.
      expectProblem(await h.call('GET', '/agents/%E0%A4%A'), 'VALIDATION_FAILED');
      expectProblem(await h.call('POST', '/agents/%/actions/stop'), 'VALIDATION_FAILED');
    });

    test('a bad Idempotency-Key header is a validation error', async () => {
      const r = await h.call('POST', '/agents', {
        json: { name: 'k' },
        headers: { 'idempotency-key': 'x'.repeat(300) },
      });
      expectProblem(r, 'VALIDATION_FAILED');
      expect(r.body.errors[0].path).toBe('headers.idempotency-key');
    });
  });

  describe('internal errors', () => {
    test('a crash is a 500 INTERNAL problem that does not leak its message', async () => {
      const m = await startHarness();
      try {
        const get = m.manager.get.bind(m.manager);
        (m.manager as { get: typeof get }).get = async () => {
          throw new Error('connection string postgres://admin:hunter2@db');
        };
        const r = await m.call('GET', '/agents/agt_any');
        expectProblem(r, 'INTERNAL');
        expect(r.text).not.toContain('hunter2');
        expect(m.internalErrors.map((e) => e.message)).toEqual([
          'connection string postgres://admin:hunter2@db',
        ]);
      } finally {
        await m.close();
      }
    });
  });

  test('no internal error was reported by the shared server', () => {
    expect(h.internalErrors).toEqual([]);
  });
}
