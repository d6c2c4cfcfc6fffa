/**
 * What the catalog routes do (backups, services, registration tokens): call the manager and
 * shape the answer. Spread into `OPERATIONS` under their operation ids.
 *
 * @module
 */
import type { LifecycleManager, ServiceReport } from '../index.js';
import type { CATALOG_ROUTES } from './catalog-routes.js';
import type { Operation } from './operations.js';

type CatalogOperationId = (typeof CATALOG_ROUTES)[number]['operationId'];

const str = (v: unknown): string => v as string;

/** The catalog operations, by operation id. */
export const CATALOG_OPERATIONS: Readonly<Record<CatalogOperationId, Operation>> = {
  async createBackup(ctx) {
    const label = ctx.body.label as string | undefined;
    const started = await ctx.manager.createBackup(str(ctx.params.id), {
      label,
      actor: ctx.identity.actor,
      owner: ctx.identity.owner,
    });
    return { status: 202, body: started };
  },
  async listAgentBackups(ctx) {
    const backups = await ctx.manager.listBackups({ owner: ctx.agent!.owner, agentId: ctx.agent!.id });
    return { status: 200, body: { backups } };
  },
  async listBackups(ctx) {
    return { status: 200, body: { backups: await ctx.manager.listBackups({ owner: ctx.identity.owner }) } };
  },
  async deleteBackup(ctx) {
    await ctx.manager.deleteBackup(str(ctx.params.id), {
      owner: ctx.identity.owner,
      actor: ctx.identity.actor,
    });
    return { status: 204, body: undefined };
  },
  async listServices(ctx) {
    return { status: 200, body: { services: await ctx.manager.listServices({ owner: ctx.identity.owner }) } };
  },
  async listAgentServices(ctx) {
    const services = await ctx.manager.listServices({ owner: ctx.agent!.owner, agentId: ctx.agent!.id });
    return { status: 200, body: { services } };
  },
  async listRegistrationTokens(ctx) {
    const tokens = await ctx.manager.listRegistrationTokens({ owner: ctx.identity.owner });
    return { status: 200, body: { tokens } };
  },
  async revokeRegistrationToken(ctx) {
    await ctx.manager.revokeRegistrationToken(str(ctx.params.id), { owner: ctx.identity.owner });
    return { status: 204, body: undefined };
  },
  async reportServices(ctx) {
    const services = (ctx.body as { services: ServiceReport[] }).services;
    await (ctx.manager as LifecycleManager).reportServices(str(ctx.params.id), services);
    return { status: 204, body: undefined };
  },
};
