/**
 * One rule per input: the agent name the OpenAPI document publishes (`pattern`) is the one the
 * server applies, over HTTP and in the manager alike (both parse with `CreateAgentBodySchema`).
 * Refused names change nothing. A property run (fast-check, fixed seed) checks that HTTP,
 * the manager and the published pattern agree on arbitrary names.
 */
import { AGENT_NAME_PATTERN, isBerthError, ValidationError } from '@berth/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, isProblem, startHarness } from './harness.js';

let h: Harness;
// biome-ignore lint/suspicious/noExplicitAny: the document is JSON under test
let doc: any;
beforeAll(async () => {
  h = await startHarness();
  doc = (await h.call('GET', '/openapi.json', { auth: null })).body;
});
afterAll(async () => {
  await h.close();
});

const REFUSED = ['my bot', 'x'.repeat(80), '-dash-first', '', 'tab\there', 'ünïcode'];
const ACCEPTED = ['a', 'bot-1', 'My.Bot_2', 'x'.repeat(63)];

async function managerRefuses(name: string): Promise<string[] | null> {
  try {
    await h.manager.create({ name, owner: 'probe' });
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return ((error as ValidationError).errors ?? []).map((e) => e.path);
  }
}

describe('the agent name rule', () => {
  test('the published pattern is the server’s', () => {
    const name = doc.components.schemas.CreateAgentBody.properties.name;
    expect(name.pattern).toBe(AGENT_NAME_PATTERN.source);
    expect(new RegExp(name.pattern).flags).toBe(AGENT_NAME_PATTERN.flags);
  });

  test('"my bot", an 80-character name and other bad names: 400 VALIDATION_FAILED naming `name`, over HTTP and by the manager; nothing changes', async () => {
    for (const name of REFUSED) {
      const r = await h.call('POST', '/agents', { json: { name } });
      expect(r.status, name).toBe(400);
      expect(isProblem(r)).toBe(true);
      expect(r.body.code).toBe('VALIDATION_FAILED');
      expect(r.body.errors.map((e: { path: string }) => e.path)).toEqual(['name']);
      expect(await managerRefuses(name), name).toEqual(['name']);
      expect(new RegExp(doc.components.schemas.CreateAgentBody.properties.name.pattern).test(name)).toBe(
        false,
      );
    }
    expect(await h.manager.list()).toEqual([]);
    expect(h.driver.calls).toEqual([]);
  });

  test('good names are accepted by both', async () => {
    for (const name of ACCEPTED) {
      const r = await h.call('POST', '/agents', { owner: 'good', json: { name } });
      expect(r.status, name).toBe(201);
      expect(r.body.name).toBe(name);
      expect(await managerRefuses(name)).toBeNull();
    }
  });

  test('property: HTTP, the manager and the published pattern agree on any name', async () => {
    const seed = 20261207;
    console.log(`name-rule property seed: ${seed}`);
    const pattern = new RegExp(doc.components.schemas.CreateAgentBody.properties.name.pattern);
    const names = fc.oneof(
      fc.string({ maxLength: 70 }),
      fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9._ -]{0,70}$/),
    );
    await fc.assert(
      fc.asyncProperty(names, async (name) => {
        const published = pattern.test(name);
        const r = await h.call('POST', '/agents', { owner: 'prop', json: { name } });
        const byManager = await h.manager.create({ name, owner: 'prop-m' }).then(
          () => true,
          (error) =>
            isBerthError(error) && error.code === 'VALIDATION_FAILED' ? false : Promise.reject(error),
        );
        expect(r.status === 201, name).toBe(published);
        expect(byManager, name).toBe(published);
      }),
      { seed, numRuns: 60 },
    );
  });
});
