/**
 * The schema registry (OpenAPI component names) and the shared limits every schema uses.
 *
 * @module
 */
import { z } from 'zod';

/** How deep free-form JSON (`config`, payloads, outputs) may nest. */
export const MAX_JSON_DEPTH = 32;

/** The vendor profiles `?profile=` accepts. */
export const PROFILE_NAMES = ['agentstead', 'alfe', 'exocorp', 'sekuire', 'opstage'] as const;

/** A vendor profile name. */
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** Metadata each registered schema carries: its OpenAPI component name and a description. */
export interface SchemaMeta {
  /** Component name under `#/components/schemas`. */
  readonly id: string;
  readonly description?: string;
}

/**
 * Every named schema, for documentation generators: `z.toJSONSchema(berthSchemaRegistry, …)`
 * yields one JSON Schema per component.
 */
export const berthSchemaRegistry: z.core.$ZodRegistry<SchemaMeta> = z.registry<SchemaMeta>();

/** Register `schema` under its OpenAPI component name. @internal */
export function named<S extends z.ZodType>(schema: S, id: string, description: string): S {
  berthSchemaRegistry.add(schema, { id, description });
  return schema;
}
