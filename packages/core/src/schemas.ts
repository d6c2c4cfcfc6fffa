/**
 * The zod schemas of every input Berth accepts (HTTP bodies, queries, path parameters and the
 * manager's own inputs) and of the resources it returns. The HTTP adapter validates with them
 * and generates its OpenAPI document from them, so the two can never disagree.
 *
 * Input objects are strict: an unknown field, and a privileged one such as `status` or
 * `version`, is refused with `VALIDATION_FAILED` naming the field. Free-form JSON (`config`,
 * command payloads and outputs) may not contain `__proto__` keys and may nest at most
 * {@link MAX_JSON_DEPTH} levels.
 *
 * Import them from `@berth/core/schemas` (they are also re-exported by the main entry).
 *
 * @module
 */
export {
  ActionBodySchema,
  CommandBodySchema,
  CommandErrorSchema,
  CommandResultBodySchema,
  CreateAgentBodySchema,
  DestroyBodySchema,
  HeartbeatBodySchema,
  RegisterBodySchema,
  RegistrationTokenBodySchema,
} from './schemas/bodies.js';
export {
  AGENT_NAME_PATTERN,
  ActionParamsSchema,
  ActionSchema,
  AgentIdSchema,
  AgentNameSchema,
  AgentParamsSchema,
  CommandIdSchema,
  CommandParamsSchema,
  ConfigSchema,
  JsonValueSchema,
  OwnerSchema,
  ProfileNameSchema,
  SelfHostedNameSchema,
  StatusSchema,
} from './schemas/fields.js';
export {
  BackupBodySchema,
  BackupCreatedSchema,
  BackupIdSchema,
  BackupListSchema,
  BackupParamsSchema,
  BackupSchema,
  BackupStatusSchema,
  RegistrationTokenIdSchema,
  RegistrationTokenInfoSchema,
  RegistrationTokenListSchema,
  RegistrationTokenParamsSchema,
  ServiceListSchema,
  ServiceReportBodySchema,
  ServiceReportSchema,
  ServiceSchema,
  ServiceStatusSchema,
} from './schemas/catalog.js';
export { ExplanationCauseSchema, ExplanationSchema } from './schemas/explain.js';
export { parseInput, toFieldIssues } from './schemas/parse.js';
export {
  AuditQuerySchema,
  GetQuerySchema,
  MAX_AUDIT_PAGE,
  ListQuerySchema,
  PollQuerySchema,
  WaitQuerySchema,
} from './schemas/queries.js';
export {
  berthSchemaRegistry,
  MAX_JSON_DEPTH,
  PROFILE_NAMES,
  type ProfileName,
  type SchemaMeta,
} from './schemas/registry.js';
export {
  ActionAvailabilitySchema,
  ActionResultSchema,
  AgentListSchema,
  AgentSchema,
  AuditEntrySchema,
  AuditListSchema,
  AuditVerificationSchema,
  CreatedAgentSchema,
  CredentialsSchema,
  EndpointSchema,
  CommandCreatedSchema,
  CommandListSchema,
  CommandSchema,
  DenialSchema,
  ProblemSchema,
  RegistrationSchema,
  RegistrationTokenSchema,
  RevisionListSchema,
  RevisionSchema,
  StatusEventSchema,
} from './schemas/responses.js';
