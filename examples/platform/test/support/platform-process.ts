/**
 * The platform as a real child process (src/main.ts, as `pnpm start` runs it), and a small HTTP
 * client for it: for tests that kill it with SIGKILL or SIGTERM and start it again.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const platformDir = fileURLToPath(new URL('../../', import.meta.url));

/** A started platform process. */
export interface PlatformProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exit: Promise<number | null>;
  /** `kill -9`, and wait until it is gone. */
  kill9(): Promise<void>;
}

/** Start src/main.ts with `env` (on top of this process's) and wait for its banner. */
export function spawnPlatform(env: Record<string, string>, timeoutMs = 120_000): Promise<PlatformProcess> {
  const child = spawn(process.execPath, ['--conditions=@berth/source', '--import', 'tsx', 'src/main.ts'], {
    cwd: platformDir,
    env: { ...process.env, PORT: '0', ...env },
  });
  let output = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the platform did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Berth platform listening on (http:\/\/\S+)/.exec(output);
      if (match && /\n {2}API /.test(output)) {
        clearTimeout(timer);
        resolve({
          child,
          url: match[1]!,
          output: () => output,
          exit,
          async kill9() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            await exit;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the platform exited with ${code} before it was ready:\n${output}`));
    });
  });
}

/** A JSON answer. */
export interface Answer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test code reads arbitrary JSON answers
  readonly body: any;
}

/** Call the platform's API (`path` under `/api`). */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const response = await fetch(`${base}/api${path}`, init);
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : JSON.parse(text) };
}

/** Wait until the agent has `status` (the API's long-poll), failing the test otherwise. */
export async function waitForStatus(base: string, id: string, status: string, seconds = 30): Promise<void> {
  const answer = await call(base, 'GET', `/agents/${id}/wait?status=${status}&timeout=${seconds}`);
  if (answer.status !== 200) {
    const now = await call(base, 'GET', `/agents/${id}`);
    throw new Error(
      `agent ${id} did not reach ${status} (it is ${now.body?.status}): ${JSON.stringify(answer.body)}`,
    );
  }
}

/** An agent's whole audit trail, every page. */
// biome-ignore lint/suspicious/noExplicitAny: audit entries as served
export async function auditOf(base: string, id: string): Promise<any[]> {
  // biome-ignore lint/suspicious/noExplicitAny: audit entries as served
  const entries: any[] = [];
  let after = 0;
  for (;;) {
    const page = await call(base, 'GET', `/agents/${id}/audit?after=${after}&limit=1000`);
    if (page.status !== 200) throw new Error(`audit of ${id}: ${page.status} ${JSON.stringify(page.body)}`);
    entries.push(...page.body.entries);
    if (page.body.next === null) return entries;
    after = page.body.next;
  }
}
