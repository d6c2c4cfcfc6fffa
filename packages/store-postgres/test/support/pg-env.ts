/**
 * The PostgreSQL the tests run on: `BERTH_TEST_PG_URL` when set (CI starts one cluster for the
 * whole run), else a throwaway cluster of this test file's own, started with
 * scripts/ci/start-postgres.sh (never apt-get from a test) and stopped when the file ends.
 * Without PostgreSQL 15 the tests skip with the reason — unless BERTH_REQUIRE_INFRA=1 (CI), where a
 * missing database fails the file.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe } from 'vitest';

const run = promisify(execFile);
const REQUIRE = process.env.BERTH_REQUIRE_INFRA === '1';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const SCRIPTS = join(ROOT, 'scripts/ci');
const BIN = process.env.BERTH_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A cluster this process started (stopped at exit). */
export interface Cluster {
  readonly url: string;
  readonly dir: string;
}

/** Start a throwaway cluster (scripts/ci/start-postgres.sh); stop it with {@link stopCluster}. */
export async function startCluster(): Promise<Cluster> {
  const { stdout } = await run('bash', [join(SCRIPTS, 'start-postgres.sh')], {
    env: { ...process.env, BERTH_PG_NO_INSTALL: '1' },
  });
  const lines = stdout.trim().split('\n');
  const cluster = { dir: lines.at(-2)!, url: lines.at(-1)! };
  // A test process that dies still stops its cluster.
  process.once('exit', () => stopClusterSync(cluster));
  return cluster;
}

/** Stop a cluster and remove its directory. */
export function stopClusterSync(cluster: Cluster): void {
  try {
    execFileSync('bash', [join(SCRIPTS, 'stop-postgres.sh'), cluster.dir], { stdio: 'ignore' });
  } catch {
    // already stopped
  }
}

async function reachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return `PostgreSQL at ${url} does not answer (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

let shared: Promise<{ url: string | null; reason: string | null }> | undefined;

/** The database URL for this file's tests, or the reason there is none. */
export function pgGate(): Promise<{ url: string | null; reason: string | null }> {
  shared ??= (async () => {
    let url = process.env.BERTH_TEST_PG_URL ?? null;
    let reason: string | null = null;
    if (url === null) {
      if (!existsSync(join(BIN, 'initdb'))) {
        reason = `no PostgreSQL 15 in ${BIN} and BERTH_TEST_PG_URL is unset (install postgresql-15, or run scripts/ci/start-postgres.sh)`;
      } else {
        try {
          const cluster = await startCluster();
          afterAll(() => stopClusterSync(cluster));
          url = cluster.url;
        } catch (error) {
          reason = `could not start a throwaway cluster: ${error instanceof Error ? error.message : String(error)}`;
        }
      }
    }
    if (url !== null && reason === null) reason = await reachable(url);
    if (reason !== null && REQUIRE) throw new Error(`BERTH_REQUIRE_INFRA=1 but ${reason}`);
    return { url: reason === null ? url : null, reason };
  })();
  return shared;
}

/**
 * `describe` when PostgreSQL answers, else `describe.skip` with the reason in the title, and the URL.
 * @example const { describePg, url } = await pgDescribe();
 */
export async function pgDescribe(): Promise<{ describePg: typeof describe; url: string }> {
  const { url, reason } = await pgGate();
  if (reason === null && url !== null) return { describePg: describe, url };
  const skip = ((name: string, fn: () => void) =>
    describe.skip(`${name} — skipped: ${reason}`, fn)) as typeof describe;
  return { describePg: skip, url: '' };
}

/** A fresh schema name (each store in a test gets its own data). */
export const freshSchema = (prefix = 't'): string => `${prefix}_${randomBytes(6).toString('hex')}`;
