/**
 * The catalogs beside the records: backups (by id) and services (by owner and code). Both
 * outlive their agents (a purge leaves them), and both can be written inside a record's commit
 * (`applyCatalog`, called in its transaction) or on their own.
 *
 * @module
 */
import type { BackupRecord, LifecycleStore, ServiceRecord, StoreCommit } from '@berth/core';
import { type DocRow, doc, parse, parseAll, type StoreContext } from './context.js';

type CatalogMethods = Pick<
  LifecycleStore,
  'putBackup' | 'getBackup' | 'listBackups' | 'deleteBackup' | 'putServices' | 'listServices'
>;

/** The catalog methods, and the writer a commit's transaction calls. */
export interface SqliteCatalog {
  readonly methods: CatalogMethods;
  /** Write a commit's backups and services; call it inside the commit's transaction. */
  applyCatalog(commit: Pick<StoreCommit, 'backups' | 'services'>): void;
}

/** The backup and service catalogs over `ctx`. */
export function catalogMethods(ctx: StoreContext): SqliteCatalog {
  const { db } = ctx;
  const q = {
    putBackup: db.prepare<[string, string, string, string, number, string]>(
      'INSERT INTO backups (id, owner, agent_id, status, created_at, doc) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, agent_id = excluded.agent_id, status = excluded.status, created_at = excluded.created_at, doc = excluded.doc',
    ),
    backup: db.prepare<[string], DocRow>('SELECT doc FROM backups WHERE id = ?'),
    backupsOf: db.prepare<[string], DocRow>(
      'SELECT doc FROM backups WHERE owner = ? ORDER BY created_at, rowid',
    ),
    backupsOfAgent: db.prepare<[string, string], DocRow>(
      'SELECT doc FROM backups WHERE owner = ? AND agent_id = ? ORDER BY created_at, rowid',
    ),
    backupStatus: db.prepare<[string], { owner: string; status: string }>(
      'SELECT owner, status FROM backups WHERE id = ?',
    ),
    dropBackup: db.prepare<[string]>('DELETE FROM backups WHERE id = ?'),
    putService: db.prepare<[string, string, string, string]>(
      'INSERT INTO services (owner, code, agent_id, doc) VALUES (?, ?, ?, ?) ON CONFLICT (owner, code) DO UPDATE SET agent_id = excluded.agent_id, doc = excluded.doc',
    ),
    servicesOf: db.prepare<[string], DocRow>('SELECT doc FROM services WHERE owner = ? ORDER BY code'),
    servicesOfAgent: db.prepare<[string, string], DocRow>(
      'SELECT doc FROM services WHERE owner = ? AND agent_id = ? ORDER BY code',
    ),
  };

  const writeBackups = (list: readonly BackupRecord[]) => {
    for (const b of list) q.putBackup.run(b.id, b.owner, b.agentId, b.status, b.createdAt, doc(b));
  };
  const writeServices = (list: readonly ServiceRecord[]) => {
    for (const s of list) q.putService.run(s.owner, s.code, s.agentId, doc(s));
  };
  const putServices = db.transaction(writeServices);
  const removeBackup = db.transaction((owner: string, id: string) => {
    const row = q.backupStatus.get(id);
    if (!row || row.owner !== owner) return 'not_found' as const;
    if (row.status === 'pending') return 'pending' as const;
    q.dropBackup.run(id);
    return 'deleted' as const;
  });

  return {
    applyCatalog(c) {
      if (c.backups?.length) writeBackups(c.backups);
      if (c.services?.length) writeServices(c.services);
    },
    methods: {
      async putBackup(backup) {
        ctx.check();
        writeBackups([backup]);
      },

      async getBackup(id) {
        ctx.check();
        return parse<BackupRecord>(q.backup.get(id));
      },

      async listBackups(filter) {
        ctx.check();
        const rows =
          filter.agentId === undefined
            ? q.backupsOf.all(filter.owner)
            : q.backupsOfAgent.all(filter.owner, filter.agentId);
        return parseAll<BackupRecord>(rows);
      },

      async deleteBackup(owner, id) {
        ctx.check();
        return removeBackup.immediate(owner, id);
      },

      async putServices(list) {
        ctx.check();
        putServices.immediate(list);
      },

      async listServices(filter) {
        ctx.check();
        const rows =
          filter.agentId === undefined
            ? q.servicesOf.all(filter.owner)
            : q.servicesOfAgent.all(filter.owner, filter.agentId);
        const all = parseAll<ServiceRecord>(rows);
        if (filter.codes === undefined) return all;
        const codes = new Set(filter.codes);
        return all.filter((s) => codes.has(s.code));
      },
    },
  };
}
