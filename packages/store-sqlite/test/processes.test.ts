/**
 * Real processes on one file: while a child process has the store open, opening it here is a
 * clear STORE_LOCKED error (never a second writer); once the child is killed with SIGKILL, the
 * file opens and holds every commit the child acknowledged (synchronous FULL), hashes included.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSqliteStore, SqliteStoreLockedError } from '../src/index.js';
import { tempDir } from './helpers.js';

const dir = tempDir();
const child = fileURLToPath(new URL('./fixtures/hold.ts', import.meta.url));

describe('one process per file', () => {
  it('a second process gets STORE_LOCKED; after kill -9 the file opens with every acknowledged commit', async () => {
    const path = join(dir, 'shared.sqlite');
    const proc = spawn(
      process.execPath,
      ['--conditions=@berth/source', '--import', 'tsx', child, path, '50'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise((resolve) => proc.on('exit', resolve));
    let out = '';
    let err = '';
    proc.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    await new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('holding\n')) resolve();
      });
      void exited.then(() => reject(new Error(`the child exited: ${err}`)));
    });
    try {
      let caught: unknown;
      try {
        createSqliteStore({ path });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SqliteStoreLockedError);
      expect(caught).toMatchObject({ code: 'STORE_LOCKED', path });
      expect((caught as Error).message).toMatch(/in use by another process/);
    } finally {
      proc.kill('SIGKILL');
      await exited;
    }
    const acknowledged = [...out.matchAll(/^committed (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!] as const);
    expect(acknowledged).toHaveLength(50);
    const store = createSqliteStore({ path });
    try {
      for (const [id, hash] of acknowledged) {
        expect((await store.get(id))?.version, id).toBe(1);
        expect((await store.audit(id)).map((e) => e.hash)).toEqual([hash]);
      }
      expect(await store.list()).toHaveLength(50);
    } finally {
      await store.close();
    }
  }, 60_000);
});
