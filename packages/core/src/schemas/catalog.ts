/**
 * Schemas of the catalogs beside the agents: backups, services and registration tokens (the
 * bodies, path parameters and resources of their routes).
 *
 * @module
 */
import { z } from 'zod';
import { codeText, JsonValueSchema, shortText } from './fields.js';
import { named } from './registry.js';

const isoTime = z.string().describe('ISO-8601 time');

/** A label or name an operator or agent gives: no control characters, not blank. @internal */
const label = (max: number) =>
  shortText(max)
    .refine((s) => s.trim() !== '', 'must not be blank')
    .refine((s) => !/\p{Cc}/u.test(s), 'must not contain control characters');

// --- backups -----------------------------------------------------------------------------

/** Body of `POST /agents/:id/backups`. */
export const BackupBodySchema = named(
  z.strictObject({ label: label(200).optional().describe('A label for the catalog.') }),
  'BackupBody',
  "Back up the agent's workspace.",
);

/** A backup id from a path. */
export const BackupIdSchema = shortText(100).describe('Backup id (`bkp_…`).');

/** Path of `/backups/:id`. */
export const BackupParamsSchema = z.strictObject({ id: BackupIdSchema });

/** The statuses of a backup. */
export const BackupStatusSchema = z.enum(['pending', 'completed', 'failed']);

/** A backup in the catalog. */
export const BackupSchema = named(
  z.object({
    id: z.string(),
    agentId: z.string(),
    agentName: z.string(),
    label: z.string().nullable(),
    status: BackupStatusSchema,
    sizeBytes: z.number().int().nullable(),
    createdAt: isoTime,
    finishedAt: isoTime.nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
  }),
  'Backup',
  'A backup of an agent’s workspace; it outlives the agent.',
);

/** `POST /agents/:id/backups`. */
export const BackupCreatedSchema = named(
  z.object({
    backup: BackupSchema,
    operation: z.object({ id: z.string(), action: z.literal('backup') }),
  }),
  'BackupCreated',
  'The pending backup and the operation taking it.',
);

/** `GET /backups`, `GET /agents/:id/backups`. */
export const BackupListSchema = named(
  z.object({ backups: z.array(BackupSchema) }),
  'BackupList',
  'Backups, oldest first.',
);

// --- services ----------------------------------------------------------------------------

/** What an agent says of a service. */
export const ServiceStatusSchema = z.enum(['up', 'down', 'degraded', 'unknown']);

/** One reported service. */
export const ServiceReportSchema = z.strictObject({
  code: codeText(200).describe('The service’s identity within the owner.'),
  name: label(200).optional(),
  status: ServiceStatusSchema,
  details: z
    .record(z.string(), JsonValueSchema)
    .optional()
    .describe('Anything the agent attaches (free-form JSON object).'),
});

/** Body of `POST /agents/:id/services/report`. */
export const ServiceReportBodySchema = named(
  z.strictObject({
    services: z
      .array(ServiceReportSchema)
      .max(500)
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((s, i) => {
          if (seen.has(s.code))
            ctx.addIssue({ code: 'custom', path: [i, 'code'], message: 'reported twice' });
          seen.add(s.code);
        });
      }),
  }),
  'ServiceReportBody',
  'The services an agent runs, upserted by (owner, code).',
);

/** A service as served: `effectiveStatus` folds in the reporting agent's freshness. */
export const ServiceSchema = named(
  z.object({
    code: z.string(),
    name: z.string(),
    agentId: z.string(),
    status: ServiceStatusSchema,
    effectiveStatus: z.enum(['up', 'down', 'degraded', 'unknown', 'stale']),
    details: z.record(z.string(), z.unknown()).nullable(),
    reportedAt: isoTime,
  }),
  'Service',
  'A service an agent reported; `effectiveStatus` is `stale` once that agent is degraded or gone.',
);

/** `GET /services`, `GET /agents/:id/services`. */
export const ServiceListSchema = named(
  z.object({ services: z.array(ServiceSchema) }),
  'ServiceList',
  'Services, by code.',
);

// --- registration tokens -----------------------------------------------------------------

/** A registration token id from a path. */
export const RegistrationTokenIdSchema = shortText(100).describe('Registration token id (`rtk_…`).');

/** Path of `/registration-tokens/:id`. */
export const RegistrationTokenParamsSchema = z.strictObject({ id: RegistrationTokenIdSchema });

/** A registration token as listed: never the token itself. */
export const RegistrationTokenInfoSchema = named(
  z.object({
    id: z.string(),
    status: z.enum(['active', 'used', 'expired', 'revoked']),
    code: z.string().nullable(),
    createdAt: isoTime,
    expiresAt: isoTime,
    usedAt: isoTime.nullable(),
  }),
  'RegistrationTokenInfo',
  'A registration token as listed (never the token).',
);

/** `GET /registration-tokens`. */
export const RegistrationTokenListSchema = named(
  z.object({ tokens: z.array(RegistrationTokenInfoSchema) }),
  'RegistrationTokenList',
  'Registration tokens, oldest first.',
);
