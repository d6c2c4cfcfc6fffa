/**
 * Query strings of the HTTP routes.
 *
 * @module
 */
import { z } from 'zod';
import { OwnerSchema, ProfileNameSchema, StatusSchema } from './fields.js';

// --- queries -----------------------------------------------------------------------------

const profileQuery = { profile: ProfileNameSchema.optional() };
const nonNegativeInt = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Query of `GET /agents`. Unknown query parameters are ignored. */
export const ListQuerySchema = z.object({
  status: StatusSchema.optional(),
  owner: OwnerSchema.optional(),
  ...profileQuery,
});

/** Query of `GET /agents/:id`. */
export const GetQuerySchema = z.object({ ...profileQuery });

/** Query of `GET /agents/:id/wait`: the status to wait for and a timeout in seconds (no upper cap below a day). */
export const WaitQuerySchema = z.object({
  status: StatusSchema,
  timeout: z.coerce
    .number()
    .min(0)
    .max(24 * 3600)
    .default(30),
  ...profileQuery,
});

/** Most audit entries one page of `GET /agents/:id/audit` holds. */
export const MAX_AUDIT_PAGE = 1000;

/** Query of `GET /agents/:id/audit`: entries with `seq > after`, at most `limit` (default 100, max 1000). */
export const AuditQuerySchema = z.object({
  after: nonNegativeInt.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE).default(100),
  ...profileQuery,
});

/** Query of `GET /agents/:id/commands` (agent API). */
export const PollQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(100).optional() });
