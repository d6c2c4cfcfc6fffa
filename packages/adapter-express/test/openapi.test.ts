/**
 * `GET /openapi.json`: a valid OpenAPI 3.1 document (checked with @seriousme/openapi-schema-validator),
 * covering every route the router serves, generated from the same zod schemas — and the real
 * responses validate against the schemas it documents.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { CreateAgentBodySchema } from '@berth/core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Router } from 'express';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { z } from 'zod';
import { buildOpenApiDocument, createBerthRouter } from '../src/index.js';
import { type Harness, runningAgent, startHarness } from './harness.js';

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

test('validates as OpenAPI 3.1 and every $ref resolves', async () => {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(doc));
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
  expect(validator.version).toBe('3.1');
  expect(() => validator.resolveRefs()).not.toThrow();
});

test('documents exactly the routes the router serves', () => {
  const router = createBerthRouter(h.manager) as Router & {
    stack: { route?: { path: string; methods: Record<string, boolean> } }[];
  };
  const served = new Set<string>();
  for (const layer of router.stack) {
    if (!layer.route) continue;
    for (const method of Object.keys(layer.route.methods))
      served.add(`${method.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
  }
  const documented = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths))
    for (const method of Object.keys(ops as object)) documented.add(`${method.toUpperCase()} ${path}`);
  expect([...documented].sort()).toEqual([...served].sort());
});

test('component schemas are the zod schemas, not a copy', () => {
  const { $schema: _s, ...fromZod } = z.toJSONSchema(CreateAgentBodySchema, { io: 'input' }) as Record<
    string,
    unknown
  >;
  expect(doc.components.schemas.CreateAgentBody).toEqual(fromZod);
  expect(doc.components.schemas.CreateAgentBody.additionalProperties).toBe(false);
  expect(doc.components.schemas.CreateAgentBody.required).toEqual(['name']);
  expect(buildOpenApiDocument()).toEqual(doc);
});

test('real responses validate against the documented schemas', async () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  for (const [id, schema] of Object.entries(doc.components.schemas))
    ajv.addSchema(schema as object, `#/components/schemas/${id}`);
  const check = (id: string, value: unknown) => {
    const validate = ajv.getSchema(`#/components/schemas/${id}`)!;
    const ok = validate(value);
    expect(validate.errors ?? [], id).toEqual([]);
    expect(ok).toBe(true);
  };
  const agent = await runningAgent(h, 'acme', 'documented');
  check('Agent', (await h.call('GET', `/agents/${agent.id}`)).body);
  check('Agent', (await h.call('GET', `/agents/${agent.id}?profile=sekuire`)).body);
  check('AgentList', (await h.call('GET', '/agents')).body);
  check('AuditList', (await h.call('GET', `/agents/${agent.id}/audit`)).body);
  check('RevisionList', (await h.call('GET', `/agents/${agent.id}/revisions`)).body);
  check(
    'ActionResult',
    (await h.call('POST', `/agents/${agent.id}/actions/pause`, { json: { reason: 'x' } })).body,
  );
  check('Problem', (await h.call('POST', `/agents/${agent.id}/actions/start`)).body);
  check('Problem', (await h.call('POST', '/agents', { json: { bogus: 1 } })).body);
  const token = (await h.call('POST', '/registration-tokens', { json: {} })).body;
  check('RegistrationToken', token);
  const reg = (
    await h.call('POST', '/agents/register', {
      auth: null,
      json: { registrationToken: token.token, code: 'doc' },
    })
  ).body;
  check('Registration', reg);
  check(
    'CommandCreated',
    (await h.call('POST', `/agents/${reg.agentId}/commands`, { json: { type: 't' } })).body,
  );
  await h.call('POST', `/agents/${reg.agentId}/heartbeat`, { auth: `Bearer ${reg.agentToken}` });
  check(
    'CommandList',
    (await h.call('GET', `/agents/${reg.agentId}/commands`, { auth: `Bearer ${reg.agentToken}` })).body,
  );
  check('ActionResult', (await h.call('POST', `/agents/${agent.id}/actions/resume`)).body);
  const stop = await h.call('POST', `/agents/${agent.id}/actions/stop`);
  expect(stop.status).toBe(202);
  check('ActionResult', stop.body);
});
