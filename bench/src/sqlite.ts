/**
 * Measurement 7 — durable state on SQLite: Berth's dispatch over `@berth/store-sqlite` with
 * `synchronous` FULL and NORMAL, against raw better-sqlite3 running the same statements in one
 * transaction per commit (the limit); commit latency; and the restart of a platform with 100 k
 * agents stored (open the file, rehydrate the memory driver, resume, reconcile, start the sweeper).
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLifecycleManager, type LifecycleStore } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';
import { createSqliteStore, type SqliteSynchronous } from '@berth/store-sqlite';
import Database from 'better-sqlite3';
import { reconcileAfterStart, resumeOnStart } from '../../examples/platform/src/recovery.js';
import {
  type BenchMode,
  interleave,
  log,
  median,
  ms,
  runMeasurement,
  type Section,
  si,
  spread,
} from './lib/bench.js';
import { seededFile } from './lib/sqlite-seed.js';
import { createWaiter } from './lib/waiter.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'berth-bench-sqlite-'));
let files = 0;
const fresh = (name: string) => join(dir, `${name}-${++files}.sqlite`);
const remove = (path: string) => {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
};

/** `p` (0–1) quantile of a list. */
function quantile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

/** A store whose `commit` times itself into `into` (ms). */
function timedCommits(store: LifecycleStore, into: number[]): LifecycleStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key !== 'commit') return Reflect.get(target, key, receiver);
      return async (c: Parameters<LifecycleStore['commit']>[0]) => {
        const t0 = performance.now();
        await target.commit(c);
        into.push(performance.now() - t0);
      };
    },
  });
}

/** One running agent on a fresh SQLite file. */
async function runningAgent(synchronous: SqliteSynchronous, commits: number[] | null) {
  const path = fresh(`berth-${synchronous}`);
  const store = createSqliteStore({ path, synchronous });
  const manager = createLifecycleManager({
    store: commits ? timedCommits(store, commits) : store,
    driver: createMemoryDriver({ maxCalls: 100 }),
  });
  const waiter = createWaiter(manager);
  const agent = await manager.create({ name: 'bench' });
  if ((await manager.get(agent.id)).status !== 'running') await waiter.expect(agent.id, 'running');
  return { path, store, manager, id: agent.id };
}

/** Berth: pause/resume dispatches on one agent for `roundMs`; dispatches/s (commit times into `commits`). */
async function berthRound(synchronous: SqliteSynchronous, roundMs: number, commits: number[] | null) {
  const timed: number[] = [];
  const { path, store, manager, id } = await runningAgent(synchronous, commits ? timed : null);
  timed.length = 0; // only the loop's commits
  const actor = { actor: 'user:bench' };
  const t0 = performance.now();
  let ops = 0;
  while (performance.now() - t0 < roundMs) {
    await manager.dispatch(id, 'pause', { ...actor, reason: 'bench' });
    await manager.dispatch(id, 'resume', actor);
    ops += 2;
  }
  const rate = (ops * 1000) / (performance.now() - t0);
  commits?.push(...timed);
  await manager.close();
  await store.close();
  remove(path);
  return rate;
}

/** The rows one pause/resume commit writes, taken from a real Berth file. */
interface Template {
  readonly id: string;
  readonly owner: string;
  readonly recordDoc: string;
  readonly auditDoc: string;
  readonly hash: string;
}

async function template(): Promise<Template> {
  const { path, store, manager, id } = await runningAgent('NORMAL', null);
  await manager.dispatch(id, 'pause', { actor: 'user:bench', reason: 'bench' });
  await manager.close();
  await store.close();
  const db = new Database(path, { readonly: true });
  const record = db.prepare('SELECT owner, doc FROM agents WHERE id = ?').get(id) as {
    owner: string;
    doc: string;
  };
  const audit = db
    .prepare('SELECT hash, doc FROM audit_entries WHERE agent_id = ? ORDER BY seq DESC LIMIT 1')
    .get(id) as { hash: string; doc: string };
  db.close();
  remove(path);
  return { id, owner: record.owner, recordDoc: record.doc, auditDoc: audit.doc, hash: audit.hash };
}

/**
 * The limit: raw better-sqlite3 on a file with the same schema and pragmas, running what one
 * Berth dispatch runs — the read before deciding (`SELECT doc`), then in one `BEGIN IMMEDIATE`
 * transaction the version check, the chain head, the record update and the audit insert — with
 * documents prepared in advance (no JSON, no hashing, no decision). Commits/s.
 */
function rawRound(synchronous: SqliteSynchronous, roundMs: number, t: Template): number {
  const path = fresh(`raw-${synchronous}`);
  const store = createSqliteStore({ path, synchronous }); // the schema, migrated
  void store.close();
  const db = new Database(path, { timeout: 0 });
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  const get = db.prepare('SELECT doc FROM agents WHERE id = ?');
  const current = db.prepare('SELECT owner, version, holds_slot FROM agents WHERE id = ?');
  const head = db.prepare('SELECT seq, hash FROM audit_entries WHERE agent_id = ? ORDER BY seq DESC LIMIT 1');
  const update = db.prepare(
    'UPDATE agents SET owner = ?, status = ?, code = ?, version = ?, due_at = ?, holds_slot = ?, doc = ? WHERE id = ?',
  );
  const append = db.prepare(
    'INSERT INTO audit_entries (agent_id, seq, denied, hash, doc) VALUES (?, ?, ?, ?, ?)',
  );
  db.prepare(
    'INSERT INTO agents (id, owner, status, code, version, due_at, holds_slot, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(t.id, t.owner, 'running', null, 1, null, 1, t.recordDoc);
  append.run(t.id, 1, 0, t.hash, t.auditDoc);
  const commit = db.transaction((version: number) => {
    const row = current.get(t.id) as { version: number };
    if (row.version !== version - 1) throw new Error('version moved');
    const h = head.get(t.id) as { seq: number; hash: string };
    update.run(t.owner, version % 2 ? 'paused' : 'running', null, version, null, 1, t.recordDoc, t.id);
    append.run(t.id, h.seq + 1, 0, t.hash, t.auditDoc);
  });
  let version = 1;
  const t0 = performance.now();
  let ops = 0;
  while (performance.now() - t0 < roundMs) {
    for (let i = 0; i < 20; i++) {
      get.get(t.id);
      commit.immediate(++version);
    }
    ops += 20;
  }
  const rate = (ops * 1000) / (performance.now() - t0);
  db.close();
  remove(path);
  return rate;
}

/**
 * In-process restart, as the platform does it: ms until it would answer (open the store, resume
 * what was in flight, start the sweeper), and until the background reconciling is done too.
 */
async function restartInProcess(path: string): Promise<{ ready: number; reconciled: number }> {
  const t0 = performance.now();
  const store = createSqliteStore({ path });
  const driver = createMemoryDriver({ maxCalls: 100 });
  const manager = createLifecycleManager({ store, driver });
  await resumeOnStart(manager, store, driver, () => {});
  manager.start({ intervalMs: 1000 });
  const ready = performance.now() - t0;
  const report = await reconcileAfterStart(manager, store, driver, () => {});
  const reconciled = performance.now() - t0;
  if (report.reconciled.ghosts.length > 0)
    throw new Error(`${report.reconciled.ghosts.length} ghosts after restart`);
  await manager.close();
  await store.close();
  return { ready, reconciled };
}

/** The real platform process (`pnpm start`'s command) on `path`: ms from spawn to its ready banner. */
function restartProcess(path: string): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--conditions=@berth/source', '--import', 'tsx', 'src/main.ts'], {
    cwd: join(ROOT, 'examples', 'platform'),
    env: { ...process.env, PORT: '0', BERTH_STORE: `sqlite:${path}`, BERTH_MEMORY_LATENCY_MS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the platform did not get ready in 60 s: ${out}`));
    }, 60_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Berth platform listening on')) {
        const took = performance.now() - t0;
        clearTimeout(timer);
        child.once('exit', () => resolvePromise(took));
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.once('exit', (code) => {
      if (!out.includes('listening')) {
        clearTimeout(timer);
        reject(new Error(`the platform exited with ${code}: ${out}`));
      }
    });
  });
}

async function measure(mode: BenchMode): Promise<Section> {
  const agents = mode.quick ? 2_000 : 100_000;
  const t = await template();
  const commits = { FULL: [] as number[], NORMAL: [] as number[] };
  const names = {
    berthFull: 'Berth dispatch on SQLite, synchronous FULL',
    rawFull: 'raw better-sqlite3, same statements, FULL',
    berthNormal: 'Berth dispatch on SQLite, synchronous NORMAL',
    rawNormal: 'raw better-sqlite3, same statements, NORMAL',
  };
  await berthRound('FULL', mode.roundMs / 3, null); // warm-up
  rawRound('FULL', mode.roundMs / 3, t);
  const results = await interleave(
    [
      { name: names.berthFull, round: () => berthRound('FULL', mode.roundMs, commits.FULL) },
      { name: names.rawFull, round: () => rawRound('FULL', mode.roundMs, t) },
      { name: names.berthNormal, round: () => berthRound('NORMAL', mode.roundMs, commits.NORMAL) },
      { name: names.rawNormal, round: () => rawRound('NORMAL', mode.roundMs, t) },
    ],
    mode.rounds,
    (r) => log(`sqlite: round ${r + 1}/${mode.rounds}`),
  );
  const med = (name: string) => median(results.get(name)!);
  const ratioFull = med(names.berthFull) / med(names.rawFull);
  const ratioNormal = med(names.berthNormal) / med(names.rawNormal);

  log(`sqlite: seeding ${agents} agents`);
  const seedStart = performance.now();
  const big = await seededFile(fresh('seeded'), agents);
  const seedS = (performance.now() - seedStart) / 1000;
  const empty = await seededFile(fresh('seeded'), 1);
  const restartRounds = mode.quick ? 1 : 3;
  const reconciledMs = { big: [] as number[], empty: [] as number[] };
  const inProcess = async (path: string, into: number[]) => {
    const { ready, reconciled } = await restartInProcess(path);
    into.push(reconciled);
    return ready;
  };
  const restarts = await interleave(
    [
      { name: 'in-process, 100k', round: () => inProcess(big, reconciledMs.big) },
      { name: 'in-process, empty', round: () => inProcess(empty, reconciledMs.empty) },
      { name: 'process, 100k', round: () => restartProcess(big) },
      { name: 'process, empty', round: () => restartProcess(empty) },
    ],
    restartRounds,
    (r) => log(`sqlite: restart round ${r + 1}/${restartRounds}`),
  );
  const readyBig = median(restarts.get('in-process, 100k')!);
  const sizeLabel = mode.quick ? `${si(agents)}` : '100 k';
  remove(big);
  remove(empty);
  rmSync(dir, { recursive: true, force: true });

  const pct = (v: number) => `${(v * 100).toFixed(0)} %`;
  return {
    id: 'sqlite',
    title: '7. Durable state on SQLite',
    method: [
      '`manager.dispatch` pause/resume on one agent over `@berth/store-sqlite` (a fresh file per round, WAL, one `BEGIN IMMEDIATE` transaction per commit, instant memory driver), with `synchronous` FULL (the default: the log is fsynced at every commit) and NORMAL. Each dispatch reads the record, decides, and commits the record and its hash-chained audit entry.',
      'The limit: raw better-sqlite3 on a file with the same schema and pragmas runs what one dispatch runs — `SELECT doc` (the read before deciding), then in one `BEGIN IMMEDIATE` transaction the version check, the chain head, the record `UPDATE` and the audit `INSERT` — with documents prepared in advance (no JSON, no hashing, no decision).',
      `Commit latency: every \`store.commit\` of Berth's rounds, timed. ${mode.rounds} interleaved rounds of ~${mode.roundMs} ms per contender; medians.`,
      `Restart: a file holding ${sizeLabel} running agents (one made by Berth, cloned row by row: record, four audit entries, revision; seeding took ${seedS.toFixed(1)} s). In process: what the platform does before it answers — open the store, \`resume()\` (which reads only the agents with an operation in flight, through the due index; the memory driver rehydrates an agent's resource on demand), start the sweeper — and then what it does in the background once it answers: rehydrate every resource and \`reconcile()\`, which read every agent. Process: \`examples/platform\` started as \`pnpm start\` runs it (Node with tsx, the dashboard bundled by esbuild) until it prints its URL, which it does once ready. ${restartRounds} interleaved rounds each; medians.`,
    ],
    tables: [
      {
        columns: ['contender', 'commits/s (median)', 'min – max', 'vs raw (same synchronous)'],
        rows: [
          [
            names.berthFull,
            si(med(names.berthFull)),
            spread(results.get(names.berthFull)!, si),
            pct(ratioFull),
          ],
          [names.rawFull, si(med(names.rawFull)), spread(results.get(names.rawFull)!, si), '—'],
          [
            names.berthNormal,
            si(med(names.berthNormal)),
            spread(results.get(names.berthNormal)!, si),
            pct(ratioNormal),
          ],
          [names.rawNormal, si(med(names.rawNormal)), spread(results.get(names.rawNormal)!, si), '—'],
        ],
      },
      {
        caption: "Latency of Berth's `store.commit` on SQLite",
        columns: ['synchronous', 'commits timed', 'p50', 'p99'],
        rows: (['FULL', 'NORMAL'] as const).map((s) => [
          s,
          String(commits[s].length),
          ms(quantile(commits[s], 0.5)),
          ms(quantile(commits[s], 0.99)),
        ]),
      },
      {
        caption: `Restart: time to ready, ${sizeLabel} agents stored vs an empty store`,
        columns: ['what', `${sizeLabel} agents (median)`, 'empty (median)', `${sizeLabel} min – max`],
        rows: [
          [
            'in process, ready: open the store, resume what was in flight, start the sweeper',
            ms(readyBig),
            ms(median(restarts.get('in-process, empty')!)),
            spread(restarts.get('in-process, 100k')!, ms),
          ],
          [
            'in process, then reconciled (background): rehydrate every resource, reconcile',
            ms(median(reconciledMs.big)),
            ms(median(reconciledMs.empty)),
            spread(reconciledMs.big, ms),
          ],
          [
            'platform process: spawn → ready banner',
            ms(median(restarts.get('process, 100k')!)),
            ms(median(restarts.get('process, empty')!)),
            spread(restarts.get('process, 100k')!, ms),
          ],
        ],
      },
    ],
    targets: [
      {
        name: 'Dispatch on SQLite FULL vs raw better-sqlite3',
        measured: `${si(med(names.berthFull))}/s`,
        reference: `raw ${si(med(names.rawFull))}/s`,
        ratio: pct(ratioFull),
        target: '≥ 70 %',
        met: ratioFull >= 0.7,
      },
      {
        name: 'Dispatch on SQLite NORMAL vs raw better-sqlite3',
        measured: `${si(med(names.berthNormal))}/s`,
        reference: `raw ${si(med(names.rawNormal))}/s`,
        ratio: pct(ratioNormal),
        target: '≥ 70 %',
        met: ratioNormal >= 0.7,
      },
      {
        name: `Restart with ${sizeLabel} agents stored: ready`,
        measured: ms(readyBig),
        reference: '—',
        ratio: '—',
        target: '≤ 2 s',
        met: mode.quick ? null : readyBig <= 2_000,
      },
    ],
    notes: [],
  };
}

await runMeasurement(measure);
