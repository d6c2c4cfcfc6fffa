/**
 * Seeding a SQLite store with many agents for the restart measurement, fast: one agent made by
 * Berth, its rows cloned under new ids in one transaction.
 *
 * @module
 */
import { createLifecycleManager } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import { createSqliteStore } from '@berth/store-sqlite';
import Database from 'better-sqlite3';

/**
 * Write `path`: a SQLite store holding `count` running agents: one made by Berth (create → running), cloned row by row
 * (record, four audit entries, revision) under new ids in one transaction.
 */
export async function seededFile(path: string, count: number): Promise<string> {
  const store = createSqliteStore({ path, synchronous: 'NORMAL' });
  const manager = createLifecycleManager({ store, driver: createMemoryDriver({ maxCalls: 100 }) });
  const running = new Promise<void>((resolve) =>
    manager.events.on('transition', (e) => {
      if (e.to === 'running') resolve();
    }),
  );
  const { id } = await manager.create({ name: 'bench' });
  await running;
  await manager.close();
  await store.close();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const rec = db.prepare('SELECT * FROM agents WHERE id = ?').get(id) as Record<string, unknown>;
  const audit = db.prepare('SELECT * FROM audit_entries WHERE agent_id = ?').all(id) as Record<
    string,
    unknown
  >[];
  const revs = db.prepare('SELECT * FROM revisions WHERE agent_id = ?').all(id) as Record<string, unknown>[];
  const insertAgent = db.prepare(
    'INSERT INTO agents (id, owner, status, code, version, due_at, holds_slot, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertAudit = db.prepare(
    'INSERT INTO audit_entries (agent_id, seq, denied, hash, doc) VALUES (?, ?, ?, ?, ?)',
  );
  const insertRev = db.prepare('INSERT INTO revisions (agent_id, id, doc) VALUES (?, ?, ?)');
  const swap = (doc: unknown, from: string, to: string) => String(doc).replaceAll(from, to);
  const workspace = (JSON.parse(String(rec.doc)) as { workspaceId: string }).workspaceId;
  db.transaction(() => {
    for (let i = 1; i < count; i++) {
      const other = `agt_bench${String(i).padStart(11, '0')}`;
      const doc = swap(rec.doc, id, other).replaceAll(workspace, `ws_bench${i}`);
      insertAgent.run(other, rec.owner, rec.status, rec.code, rec.version, rec.due_at, rec.holds_slot, doc);
      for (const a of audit) insertAudit.run(other, a.seq, a.denied, a.hash, swap(a.doc, id, other));
      for (const r of revs) insertRev.run(other, r.id, swap(r.doc, id, other));
    }
    db.prepare('UPDATE owner_slots SET held = ? WHERE owner = ?').run(count, rec.owner);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return path;
}
