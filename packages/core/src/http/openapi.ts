/**
 * The OpenAPI 3.1 document of the Berth HTTP API, generated from the route table
 * (`ROUTES`, the one the handler serves) and the same zod schemas that validate requests
 * (`z.toJSONSchema` over `berthSchemaRegistry`): nothing here restates a field or a route.
 *
 * @module
 */
import { z } from 'zod';
import { berthSchemaRegistry, ERROR_CODES } from '../index.js';
import { ROUTES, type RouteSpec } from './routes.js';

type JsonObject = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

function componentOf(schema: z.ZodType): string {
  const meta = berthSchemaRegistry.get(schema);
  if (meta === undefined) throw new TypeError('berth: a documented body schema is not registered');
  return meta.id;
}

function parameters(schema: z.ZodObject | undefined, where: 'path' | 'query'): JsonObject[] {
  if (schema === undefined) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonObject>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function strip(schema: unknown): JsonObject {
  const { $schema: _s, $id: _i, ...rest } = schema as JsonObject;
  return rest;
}

/** Options of {@link buildOpenApiDocument}. */
export interface OpenApiOptions {
  /** `servers` of the document. @default [] */
  readonly servers?: readonly { readonly url: string; readonly description?: string }[];
  /** `info.version`. @default '0.1.0' */
  readonly version?: string;
  /** `info.title`. @default 'Berth lifecycle API' */
  readonly title?: string;
}

/**
 * Build the OpenAPI 3.1 document of the Berth HTTP API from the route table and the zod schemas.
 *
 * @example
 * ```ts
 * const doc = buildOpenApiDocument({ servers: [{ url: '/api' }] });
 * ```
 */
export function buildOpenApiDocument(options: OpenApiOptions = {}): JsonObject {
  const generated = z.toJSONSchema(berthSchemaRegistry, {
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, unknown> };
  const schemas: Record<string, JsonObject> = {};
  for (const [id, schema] of Object.entries(generated.schemas)) schemas[id] = strip(schema);

  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of ROUTES as readonly RouteSpec[]) {
    const responses: Record<string, JsonObject> = {};
    for (const [status, [description, component, media]] of Object.entries(route.ok)) {
      responses[status] =
        component === null && media === undefined
          ? { description }
          : {
              description,
              content: {
                [media ?? 'application/json']: { schema: component === null ? {} : ref(component) },
              },
            };
    }
    for (const code of [...new Set(route.errors)]) {
      const { status, title } = ERROR_CODES[code];
      const existing = responses[status];
      const codes =
        existing === undefined ? [code] : [...((existing['x-berth-codes'] as string[]) ?? []), code];
      responses[status] = {
        description: existing === undefined ? title : `${existing.description as string}; ${title}`,
        'x-berth-codes': codes,
        content: { 'application/problem+json': { schema: ref('Problem') } },
      };
    }
    const headerParams: JsonObject[] = [];
    if (route.idempotent)
      headerParams.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'The same key and body replay the first response and act once (keys are scoped per owner).',
        schema: { type: 'string', minLength: 1, maxLength: 255 },
      });
    if (route.ifMatch)
      headerParams.push({
        name: 'If-Match',
        in: 'header',
        required: false,
        description: 'The agent version (`"7"`); 412 VERSION_MISMATCH when stale.',
        schema: { type: 'string' },
      });
    if (route.operationId === 'streamAgentEvents')
      headerParams.push({
        name: 'Last-Event-ID',
        in: 'header',
        required: false,
        description: 'Resume after this version.',
        schema: { type: 'string' },
      });
    const operation: JsonObject = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query'), ...headerParams],
      responses,
      security:
        route.auth === 'none' ? [] : [{ [route.auth === 'operator' ? 'operator' : 'agentToken']: [] }],
    };
    if (route.body !== undefined)
      operation.requestBody = {
        required: route.bodyRequired === true,
        content: { 'application/json': { schema: ref(componentOf(route.body)) } },
      };
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation;
  }

  return {
    openapi: '3.1.0',
    info: {
      title: options.title ?? 'Berth lifecycle API',
      version: options.version ?? '0.1.0',
      description: 'Lifecycle of hosted AI agents: operator API, agent API, status stream.',
    },
    servers: [...(options.servers ?? [])],
    tags: [
      { name: 'operator', description: 'Called by operators and dashboards.' },
      { name: 'agent', description: 'Called by the running agent (bearer agent token).' },
      { name: 'meta', description: 'About the API.' },
    ],
    paths,
    components: {
      schemas,
      securitySchemes: {
        operator: {
          type: 'http',
          scheme: 'bearer',
          description: 'Whatever the `authenticate` option accepts.',
        },
        agentToken: { type: 'http', scheme: 'bearer', description: 'The agent token from registration.' },
      },
    },
  };
}
