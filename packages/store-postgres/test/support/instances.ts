/**
 * Manager instances as real child processes (test/support/instance-main.ts through tsx), and a
 * small HTTP client for them. Each is stopped when the test file ends; `kill9` is a real SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), 'instance-main.ts');
const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** One running instance. */
export interface Instance {
  readonly base: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** A JSON request to this instance: status and parsed body. */
  call(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    headers?: Record<string, string>,
    // biome-ignore lint/suspicious/noExplicitAny: a test reads whatever JSON the API answered
  ): Promise<{ status: number; body: any }>;
  /** `kill -9`, and wait until it is gone. */
  kill9(): Promise<void>;
}

const all: ChildProcess[] = [];
afterAll(async () => {
  for (const c of all) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Start an instance with these environment variables; resolves once it listens. */
export async function startInstance(env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['--conditions=@berth/source', '--import', 'tsx', MAIN], {
    cwd: PACKAGE,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  all.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`instance did not start: ${stderr}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`instance exited (${code}) before it was ready: ${stderr}`));
    });
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    pid: child.pid!,
    child,
    async call(method, path, body, token = 'ops', headers = {}) {
      const res = await fetch(base + path, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async kill9() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      process.kill(child.pid!, 'SIGKILL');
      await gone;
    },
  };
}

/** Poll `probe` until it returns a value other than undefined. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
