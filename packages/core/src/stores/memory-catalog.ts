/**
 * The memory store's catalogs beside the agent records: backups (by id) and services (by
 * owner and code). Both outlive the agents they came from, so a purge leaves them alone.
 *
 * @module
 */
import type { BackupRecord } from '../backup-record.js';
import type { ServiceRecord } from '../service-record.js';
import type { BackupFilter, LifecycleStore, ServiceFilter, StoreCommit } from '../store.js';

/** The catalog methods, and how a commit writes into the catalogs. */
export interface MemoryCatalog
  extends Pick<
    LifecycleStore,
    'putBackup' | 'getBackup' | 'listBackups' | 'deleteBackup' | 'putServices' | 'listServices'
  > {
  /** Write a commit's backups and services (called inside the commit, after its checks). */
  apply(commit: Pick<StoreCommit, 'backups' | 'services'>): void;
}

const serviceKey = (owner: string, code: string) => `${owner}\u0000${code}`;

/** Fresh, empty catalogs. */
export function createMemoryCatalog(): MemoryCatalog {
  /** Insertion order is kept by the map; a replaced backup keeps its place. */
  const backups = new Map<string, BackupRecord>();
  const services = new Map<string, ServiceRecord>();

  const putBackups = (list: readonly BackupRecord[]) => {
    for (const b of list) backups.set(b.id, Object.freeze({ ...b }));
  };
  const upsertServices = (list: readonly ServiceRecord[]) => {
    for (const s of list) services.set(serviceKey(s.owner, s.code), Object.freeze({ ...s }));
  };

  return {
    apply(c) {
      if (c.backups?.length) putBackups(c.backups);
      if (c.services?.length) upsertServices(c.services);
    },

    async putBackup(backup) {
      putBackups([backup]);
    },

    async getBackup(id) {
      return backups.get(id) ?? null;
    },

    async listBackups(filter: BackupFilter) {
      const out: BackupRecord[] = [];
      for (const b of backups.values()) {
        if (b.owner !== filter.owner) continue;
        if (filter.agentId !== undefined && b.agentId !== filter.agentId) continue;
        out.push(b);
      }
      // Stable: equal createdAt keeps insertion order.
      return out.sort((a, b) => a.createdAt - b.createdAt);
    },

    async deleteBackup(owner, id) {
      const b = backups.get(id);
      if (!b || b.owner !== owner) return 'not_found';
      if (b.status === 'pending') return 'pending';
      backups.delete(id);
      return 'deleted';
    },

    async putServices(list) {
      upsertServices(list);
    },

    async listServices(filter: ServiceFilter) {
      const codes = filter.codes ? new Set(filter.codes) : null;
      const out: ServiceRecord[] = [];
      for (const s of services.values()) {
        if (s.owner !== filter.owner) continue;
        if (filter.agentId !== undefined && s.agentId !== filter.agentId) continue;
        if (codes && !codes.has(s.code)) continue;
        out.push(s);
      }
      return out.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    },
  };
}
