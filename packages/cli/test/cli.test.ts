/**
 * The `berth` command end to end: the real executable (TypeScript through tsx, as a user of a
 * fresh clone runs it) against the example platform listening on an ephemeral port. Each case
 * checks the exit code, what was printed and what the platform then holds.
 */
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createMemoryDriver, type MemoryDriver } from '@berth/driver-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Platform, startPlatform } from '../../../examples/platform/src/index.js';
import { EXIT } from '../src/index.js';
import { runBerth } from './support/run-cli.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `berth` as a child process. */
function berth(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=@berth/source', '--import', 'tsx', MAIN, ...args],
      { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Run `berth` in this process (same code, no process start-up): for the many secondary checks. */
async function inProcess(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return runBerth(args, env);
}

const json = <T>(run: Run): T => JSON.parse(run.stdout) as T;

interface AgentJson {
  id: string;
  name: string;
  status: string;
  revision: string | null;
  vendorStatus?: unknown;
}

describe('berth CLI against a running platform', () => {
  let platform: Platform;
  let driver: MemoryDriver;
  let env: Record<string, string>;

  beforeAll(async () => {
    driver = createMemoryDriver({ latency: 40 });
    platform = await startPlatform(loadConfig({ PORT: '0', BERTH_STORE: 'memory' }), {
      driver,
      log: () => {},
    });
    env = { BERTH_URL: platform.apiUrl };
  });

  afterAll(async () => {
    await platform?.close();
  });

  it('deploys and waits, lists, and shows status with a vendor profile', async () => {
    const deployed = await berth(['deploy', 'cli-bot', '--wait', '--json'], env);
    expect(deployed.code).toBe(EXIT.OK);
    const agent = json<AgentJson>(deployed);
    expect(agent).toMatchObject({ name: 'cli-bot', status: 'running' });
    expect((await platform.manager.get(agent.id)).status).toBe('running');

    const table = await inProcess(['agents'], env);
    expect(table.code).toBe(EXIT.OK);
    expect(table.stdout).toMatch(/^ID\s+NAME\s+STATUS/);
    expect(table.stdout).toMatch(new RegExp(`${agent.id}\\s+cli-bot\\s+running`));

    const filtered = await inProcess(['agents', '--status', 'stopped', '--json'], env);
    expect(json<{ agents: AgentJson[] }>(filtered).agents.map((a) => a.id)).not.toContain(agent.id);

    const status = await inProcess(['status', agent.id, '--profile', 'agentstead'], env);
    expect(status.code).toBe(EXIT.OK);
    expect(status.stdout).toMatch(/Status:\s+running\s+agentstead: ONLINE/);
    expect(status.stdout).toMatch(/Revision:\s+rev_/);
    expect(status.stdout).toMatch(/Heartbeat:\s+never/);
  });

  it('pause needs a reason (exit 3 without, nothing changes), stop is refused while paused, resume works', async () => {
    const { id } = await platform.manager.create({ name: 'pausable' });
    await platform.manager.waitFor(id, 'running', { timeout: 10_000 });

    const refused = await berth(['pause', id], env);
    expect(refused.code).toBe(EXIT.REFUSED);
    expect(refused.stderr).toContain('REASON_REQUIRED');
    expect((await platform.manager.get(id)).status).toBe('running');

    const paused = await inProcess(['pause', id, '--reason', 'maintenance window', '--json'], env);
    expect(paused.code).toBe(EXIT.OK);
    expect(json<{ agent: AgentJson }>(paused).agent.status).toBe('paused');

    const stop = await inProcess(['stop', id], env);
    expect(stop.code).toBe(EXIT.REFUSED);
    expect(stop.stderr).toMatch(/allowed now: .*resume/);

    expect((await inProcess(['resume', id], env)).code).toBe(EXIT.OK);
    const audit = await inProcess(['audit', id, '--json'], env);
    const entries = json<{ entries: { action: string; reason: string | null; denied?: boolean }[] }>(
      audit,
    ).entries;
    expect(entries.find((e) => e.action === 'pause' && !e.denied)?.reason).toBe('maintenance window');
    expect(entries.some((e) => e.action === 'pause' && e.denied)).toBe(true);
    const human = await inProcess(['audit', id], env);
    expect(human.stdout).toMatch(/pause\s+running → paused\s+maintenance window/);
  });

  it('--wait follows an operation: exit 0 when it settles, exit 8 when it fails', async () => {
    const { id } = await platform.manager.create({ name: 'waiter' });
    await platform.manager.waitFor(id, 'running', { timeout: 10_000 });

    const stopped = await berth(['stop', id, '--wait'], env);
    expect(stopped.code).toBe(EXIT.OK);
    expect(stopped.stdout).toContain('is stopped');
    expect((await platform.manager.get(id)).status).toBe('stopped');

    driver.failNext('start');
    const failed = await inProcess(['start', id, '--wait', '--json'], env);
    expect(failed.code).toBe(EXIT.OPERATION_FAILED);
    expect(json<{ agent: AgentJson }>(failed).agent.status).toBe('failed');

    const timedOut = await inProcess(['wait', id, '--status', 'running', '--timeout', '1'], env);
    expect(timedOut.code).toBe(EXIT.TIMEOUT);

    const restarted = await inProcess(['restart', id, '--wait'], env);
    expect(restarted.code).toBe(EXIT.OK);
    const waited = await inProcess(['wait', id, '--status', 'running', '--json'], env);
    expect(waited.code).toBe(EXIT.OK);
    expect(json<AgentJson>(waited).status).toBe('running');
  });

  it('rollback needs --revision and goes back to it', async () => {
    const { id } = await platform.manager.create({ name: 'rolling', image: 'demo:v1' });
    await platform.manager.waitFor(id, 'running', { timeout: 10_000 });
    expect((await inProcess(['rollback', id], env)).code).toBe(EXIT.USAGE);
    const revisions = json<{ revisions: { id: string; image: string }[] }>(
      await inProcess(['revisions', id, '--json'], env),
    ).revisions;
    expect(revisions).toHaveLength(1);
    const rolled = await berth(['rollback', id, '--revision', revisions[0]!.id, '--wait', '--json'], env);
    expect(rolled.code).toBe(EXIT.OK);
    expect(json<{ agent: AgentJson }>(rolled).agent.status).toBe('running');
    expect((await platform.manager.revisions(id)).length).toBe(2);
  });

  it('destroy asks for --reason and the typed name; watch follows it to deleted', async () => {
    const { id } = await platform.manager.create({ name: 'doomed' });
    await platform.manager.waitFor(id, 'running', { timeout: 10_000 });

    expect((await inProcess(['destroy', id, '--yes', '--confirm', 'doomed'], env)).code).toBe(EXIT.USAGE);
    const noTty = await berth(['kill', id, '--reason', 'done'], env);
    expect(noTty.code).toBe(EXIT.USAGE);
    expect(noTty.stderr).toContain('--yes --confirm');
    const wrong = await inProcess(['destroy', id, '--reason', 'done', '--yes', '--confirm', 'doomd'], env);
    expect(wrong.code).toBe(EXIT.REFUSED);
    expect(wrong.stderr).toContain('CONFIRMATION_REQUIRED');
    expect((await platform.manager.get(id)).status).toBe('running');

    // Follow the agent, then destroy it from another process.
    const watcher = spawn(
      process.execPath,
      ['--conditions=@berth/source', '--import', 'tsx', MAIN, 'watch', id, '--json'],
      { cwd: repoRoot, env: { ...process.env, ...env } },
    );
    let watched = '';
    const snapshot = new Promise<void>((resolve) => {
      watcher.stdout.on('data', (chunk: Buffer) => {
        watched += chunk.toString();
        if (watched.includes('"snapshot"')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => watcher.on('exit', (code) => resolve(code)));
    try {
      await snapshot;
      const killed = await berth(
        ['kill', id, '--reason', 'replaced by v2', '--yes', '--confirm', 'doomed', '--wait'],
        env,
      );
      expect(killed.code).toBe(EXIT.OK);
      expect(killed.stdout).toContain('is deleted');
      expect(await exited).toBe(EXIT.OK);
    } finally {
      if (watcher.exitCode === null) watcher.kill();
    }
    const lines = watched
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type?: string; status?: string; from?: string });
    expect(lines[0]?.type).toBe('snapshot');
    expect(lines.slice(1).map((l) => l.status)).toEqual(['deleting', 'deleted']);
    const entries = await platform.manager.audit(id);
    expect(entries.find((e) => e.action === 'destroy' && !e.denied)?.reason).toBe('replaced by v2');
  });

  it('asks for the typed name on a terminal', async () => {
    const { id } = await platform.manager.create({ name: 'tty-bot' });
    await platform.manager.waitFor(id, 'running', { timeout: 10_000 });
    // `script` runs the command on a pseudo-terminal; what we write is typed into it.
    const command = [
      process.execPath,
      '--conditions=@berth/source',
      '--import',
      'tsx',
      MAIN,
      'destroy',
      id,
      '--reason',
      'tty test',
    ]
      .map((arg) => `'${arg}'`)
      .join(' ');
    const typed = (name: string) =>
      new Promise<Run>((resolve) => {
        const child = execFile(
          'script',
          ['-qec', command, '/dev/null'],
          { cwd: repoRoot, env: { ...process.env, ...env, NO_COLOR: '1' }, timeout: 60_000 },
          (error, stdout, stderr) =>
            resolve({
              code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
              stdout,
              stderr,
            }),
        );
        child.stdin?.end(`${name}\n`);
      });
    const wrong = await typed('tty-b0t');
    expect(wrong.stdout).toContain("Type the agent's name (tty-bot)");
    expect(wrong.code).toBe(EXIT.REFUSED);
    expect((await platform.manager.get(id)).status).toBe('running');
    const right = await typed('tty-bot');
    expect(right.code).toBe(EXIT.OK);
    expect(['deleting', 'deleted']).toContain((await platform.manager.get(id)).status);
  });

  it('mints a registration token', async () => {
    const minted = await berth(['token', 'create', '--expires-in', '600', '--json'], env);
    expect(minted.code).toBe(EXIT.OK);
    const { token, expiresAt } = json<{ token: string; expiresAt: string }>(minted);
    expect(token.length).toBeGreaterThan(16);
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(600_000);
    // The token works (once) for a self-hosted agent.
    const registered = await platform.manager.register({ registrationToken: token, code: 'cli-test' });
    expect(registered.agentId).toMatch(/^agt_/);
  });

  it('exit codes: not found 4, unreachable 6, usage 2', async () => {
    const missing = await berth(['status', 'agt_missing'], env);
    expect(missing.code).toBe(EXIT.NOT_FOUND);
    expect(missing.stderr).toContain('AGENT_NOT_FOUND');
    const json404 = await inProcess(['status', 'agt_missing', '--json'], env);
    expect(JSON.parse(json404.stderr)).toMatchObject({ error: { code: 'AGENT_NOT_FOUND', exitCode: 4 } });

    // A port nothing listens on: the platform's own, once closed.
    const closed = await startPlatform(loadConfig({ PORT: '0', BERTH_STORE: 'memory' }), { log: () => {} });
    const url = closed.apiUrl;
    await closed.close();
    const unreachable = await berth(['agents'], { BERTH_URL: url });
    expect(unreachable.code).toBe(EXIT.UNREACHABLE);
    expect(unreachable.stderr).toContain('cannot reach');

    expect((await inProcess(['frobnicate'], env)).code).toBe(EXIT.USAGE);
  });
});

describe('berth CLI with operator keys', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform(
      loadConfig({
        PORT: '0',
        BERTH_STORE: 'memory',
        BERTH_OPERATOR_KEYS: 'acme:acme-key-1,globex:globex-key-2',
      }),
      {
        driver: createMemoryDriver({ latency: 10 }),
        log: () => {},
      },
    );
  });

  afterAll(async () => {
    await platform?.close();
  });

  it('refuses without a key (exit 7) and scopes each key to its owner', async () => {
    const env = { BERTH_URL: platform.apiUrl };
    expect((await inProcess(['agents'], env)).code).toBe(EXIT.UNAUTHORIZED);
    expect((await inProcess(['agents'], { ...env, BERTH_KEY: 'nope' })).code).toBe(EXIT.UNAUTHORIZED);
    const deployed = await berth(['deploy', 'acme-bot', '--json'], { ...env, BERTH_KEY: 'acme-key-1' });
    expect(deployed.code).toBe(EXIT.OK);
    const agent = json<AgentJson & { owner: string }>(deployed);
    expect(agent.owner).toBe('acme');
    const other = await berth(['status', agent.id, '--key', 'globex-key-2'], env);
    expect(other.code).toBe(EXIT.NOT_FOUND);
  });
});

describe('berth CLI command line (in-process)', () => {
  it('refuses bad command lines with exit 2 and a message naming the problem', async () => {
    const cases: [string[], RegExp][] = [
      [['agents', '--status', 'sleeping'], /--status must be one of/],
      [['stop'], /needs an agent id/],
      [['stop', 'agt_1', 'extra'], /unexpected argument 'extra'/],
      [['agents', '--reason', 'x'], /'agents' does not take --reason/],
      [['wait', 'agt_1'], /needs --status/],
      [['wait', 'agt_1', '--status', 'running', '--timeout', 'soon'], /--timeout must be a number/],
      [['deploy', 'x', '--config', '[1]'], /--config must be a JSON object/],
      [['deploy', 'x', '--timeout', '5'], /--timeout only applies with --wait/],
      [['token', 'destroy'], /unknown token sub-command/],
      [['stop', 'agt_1', '--bogus'], /Unknown option '--bogus'/],
      [['agents', '--url', 'not a url'], /not a URL/],
    ];
    for (const [argv, message] of cases) {
      const { code, stderr: err } = await inProcess(argv);
      expect({ argv, code }).toEqual({ argv, code: EXIT.USAGE });
      expect(err).toMatch(message);
    }
  });

  it('prints help and the version', async () => {
    const help = await inProcess(['help']);
    expect(help.code).toBe(EXIT.OK);
    expect(help.stdout).toContain('Exit codes:');
    const verbHelp = await inProcess(['destroy', '--help']);
    expect(verbHelp.stdout).toContain('berth destroy <id> --reason <text>');
    const version = await inProcess(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect((await inProcess([])).code).toBe(EXIT.USAGE);
  });

  it('has a bin that runs without a build step', async () => {
    const bin = fileURLToPath(new URL('../bin/berth.js', import.meta.url));
    const result = await new Promise<Run>((resolve) =>
      execFile(
        process.execPath,
        [bin, 'status'],
        { cwd: repoRoot, timeout: 60_000 },
        (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
      ),
    );
    // It ran the CLI (which refused the command line), rather than failing to start.
    expect(result.code).toBe(EXIT.USAGE);
    expect(result.stderr).toContain("'status' needs an agent id");
  });
});
