/** `ETag: "<version>"` and `If-Match`: a stale version answers 412 VERSION_MISMATCH before anything else.
 *
 * Shared by every binding (see harness.ts): `ifMatchCases(binding)`.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import {
  type Harness,
  runningAgent,
  type BindingUnderTest,
  caseTest,
  type HarnessOptions,
  startBindingHarness,
} from './harness.js';

/** Register these cases for `binding`. */
export function ifMatchCases(binding: BindingUnderTest): void {
  const test = caseTest(binding);
  const startHarness = (options?: HarnessOptions) => startBindingHarness(binding, options);

  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  test('the current version passes; a stale one is 412 and changes nothing', async () => {
    const agent = await runningAgent(h, 'acme', 'etag-1');
    const got = await h.call('GET', `/agents/${agent.id}`);
    const etag = got.headers.get('etag')!;
    expect(etag).toBe(`"${agent.version}"`);
    const paused = await h.call('POST', `/agents/${agent.id}/actions/pause`, {
      json: { reason: 'x' },
      headers: { 'if-match': etag },
    });
    expect(paused.status).toBe(200);
    expect(paused.headers.get('etag')).toBe(`"${paused.body.agent.version}"`);
    const stale = await h.call('POST', `/agents/${agent.id}/actions/resume`, {
      headers: { 'if-match': etag },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('VERSION_MISMATCH');
    expect((await h.manager.get(agent.id)).status).toBe('paused');
  });

  test('it is checked before the lifecycle guards (a stale If-Match beats a missing reason or confirmation)', async () => {
    const agent = await runningAgent(h, 'acme', 'etag-2');
    const pause = await h.call('POST', `/agents/${agent.id}/actions/pause`, {
      headers: { 'if-match': '"1"' },
    });
    expect(pause.status).toBe(412);
    const destroy = await h.call('DELETE', `/agents/${agent.id}`, { headers: { 'if-match': '"1"' } });
    expect(destroy.status).toBe(412);
    const illegal = await h.call('POST', `/agents/${agent.id}/actions/start`, {
      headers: { 'if-match': '"1"' },
    });
    expect(illegal.status).toBe(412);
    const audit = await h.manager.audit(agent.id);
    expect(audit.some((e) => e.denied)).toBe(false);
  });

  test('weak, unquoted, listed and wildcard forms; garbage never matches', async () => {
    const agent = await runningAgent(h, 'acme', 'etag-3');
    const v = agent.version;
    for (const header of [`W/"${v}"`, `${v}`, `"1", "${v}"`, '*']) {
      const r = await h.call('POST', `/agents/${agent.id}/commands`, {
        json: { type: 't' },
        headers: { 'if-match': header },
      });
      expect(r.status, header).toBe(201);
    }
    const garbage = await h.call('POST', `/agents/${agent.id}/commands`, {
      json: { type: 't' },
      headers: { 'if-match': '"abc"' },
    });
    expect(garbage.status).toBe(412);
    expect(await h.manager.commands(agent.id)).toHaveLength(4);
  });

  test('another owner gets 404, not 412, whatever If-Match says', async () => {
    const agent = await runningAgent(h, 'acme', 'etag-4');
    const r = await h.call('POST', `/agents/${agent.id}/actions/stop`, {
      owner: 'mallory',
      headers: { 'if-match': '"1"' },
    });
    expect(r.status).toBe(404);
  });
}
