/**
 * The response of `GET /agents/:id/explain`: why the agent is in its status.
 *
 * @module
 */
import { z } from 'zod';
import { StatusSchema } from './fields.js';
import { named } from './registry.js';

/** One cause of an explanation. */
export const ExplanationCauseSchema = named(
  z.object({
    at: z.string().describe('ISO-8601 time'),
    kind: z.enum(['transition', 'guard', 'heartbeat', 'driver_error', 'recovery', 'operation', 'policy']),
    detail: z.string(),
  }),
  'ExplanationCause',
  'One reason the agent is (or stays) in its status: what happened when, or what holds now.',
);

/** `GET /agents/:id/explain`. */
export const ExplanationSchema = named(
  z.object({
    status: StatusSchema,
    since: z.string().describe('ISO-8601 time the agent entered its status (or its trouble began)'),
    summary: z.string(),
    causes: z.array(ExplanationCauseSchema),
  }),
  'Explanation',
  'Why the agent is in its status: since when, a one-line summary, and the causes, oldest first.',
);
