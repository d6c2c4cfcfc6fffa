/**
 * Query strings of the HTTP routes.
 *
 * @module
 */
import { z } from 'zod';
import { OwnerSchema, ProfileNameSchema, StatusSchema } from './fields.js';

// --- queries -----------------------------------------------------------------------------

const profileQuery = { profile: ProfileNameSchema.optional() };
/**
 * A whole number in a query string, read strictly: decimal digits only, so `''`, `0x1`, `1e3`,
 * `1.5` and ` 7` are refused (naming the parameter) rather than read as some number.
 */
const queryInt = (min: number, max: number) =>
  z
    .number({
      error: (issue) =>
        issue.code === 'invalid_type' ? 'must be a whole number written in digits' : undefined,
    })
    .int()
    .min(min)
    .max(max);
const digits = (value: unknown) =>
  typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value;
const nonNegativeInt = z.preprocess(digits, queryInt(0, Number.MAX_SAFE_INTEGER).optional());

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
  timeout: z.preprocess(digits, queryInt(0, 24 * 3600).default(30)),
  ...profileQuery,
});

/** Most audit entries one page of `GET /agents/:id/audit` holds. */
export const MAX_AUDIT_PAGE = 1000;

/** Query of `GET /agents/:id/audit`: entries with `seq > after`, at most `limit` (default 100, max 1000). */
export const AuditQuerySchema = z.object({
  after: nonNegativeInt,
  limit: z.preprocess(digits, queryInt(1, MAX_AUDIT_PAGE).default(100)),
  ...profileQuery,
});

/** Query of `GET /agents/:id/commands` (agent API). */
export const PollQuerySchema = z.object({ limit: z.preprocess(digits, queryInt(1, 100).optional()) });
