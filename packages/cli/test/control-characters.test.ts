/**
 * The CLI never prints a control character it did not write. First against the real platform:
 * registering a self-hosted agent (over HTTP) under a code full of terminal escapes — it would
 * become the name — is refused (400); reasons still carry escapes into the audit trail. Then against a hostile
 * server on 127.0.0.1 that puts control characters in every string of every answer, every
 * problem and every event, run through each verb in human and `--json` output.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createMemoryDriver } from '@berth/driver-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Platform, startPlatform } from '../../../examples/platform/src/index.js';
import { EXIT } from '../src/index.js';
import { runBerth } from './support/run-cli.js';
import { escapeControl, safeJson } from '../src/terminal-text.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** Erase the line, return to its start, paint a fake row green; a bell, a C1 CSI, a bidi override. */
const SPOOF = '\u001b[2K\r\u001b[32m prod-db running\u001b[0m\u0007\u009b2J\u202e\nforged';

// biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the colours the CLI itself writes
const OWN_SGR = /\u001b\[[0-9;]*m/g;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

async function inProcess(args: readonly string[], env: Record<string, string>, tty = false): Promise<Run> {
  return runBerth(args, env, { tty });
}

function berth(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=@berth/source', '--import', 'tsx', MAIN, ...args],
      { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      },
    );
  });
}

/** Nothing but newlines (and, on a terminal, the CLI's own colours) in what a run printed. */
function expectClean(run: Run, what: string): void {
  for (const [stream, text] of [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
  ] as const) {
    const bad = CONTROL.exec(text);
    expect(
      bad,
      `${what}: ${stream} holds U+${bad?.[0].charCodeAt(0).toString(16)}: ${JSON.stringify(text)}`,
    ).toBe(null);
  }
}

describe('control characters through the real platform', () => {
  let platform: Platform;
  let env: Record<string, string>;
  let id: string;

  beforeAll(async () => {
    platform = await startPlatform(loadConfig({ PORT: '0', BERTH_STORE: 'memory' }), {
      driver: createMemoryDriver({ latency: 0 }),
      log: () => {},
    });
    env = { BERTH_URL: platform.apiUrl };
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${platform.apiUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, string> };
    };
    const minted = await post('/registration-tokens', {});
    expect(minted.status).toBe(201);
    // The server refuses a code (which would become the name) with control characters.
    const refused = await post('/agents/register', { registrationToken: minted.body.token, code: SPOOF });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('"code"');
    expect(await platform.manager.list()).toHaveLength(0);
    const registered = await post('/agents/register', {
      registrationToken: minted.body.token,
      code: 'prod-db',
    });
    expect(registered.status).toBe(201);
    id = registered.body.agentId!;
    // Reasons may still hold anything: they reach the audit trail as sent.
    const disabled = await inProcess(['disable', id, '--reason', SPOOF, '--json'], env);
    expect(disabled.code).toBe(EXIT.OK);
  });

  afterAll(async () => {
    await platform?.close();
  });

  it('berth audit (a real process) shows the reason escaped, on its own row', async () => {
    const run = await berth(['audit', id], env);
    expect(run.code).toBe(EXIT.OK);
    expectClean(run, 'audit');
    const row = run.stdout.split('\n').filter((l) => l.includes('disable'));
    expect(row).toHaveLength(1);
    expect(row[0]).toContain(escapeControl(SPOOF));
    expect(row[0]).toContain('\\x1b[2K\\r\\x1b[32m prod-db running');
  });

  it('status, audit and errors are escaped; colour on a terminal is only the CLI’s own', async () => {
    for (const args of [['status', id], ['audit', id], ['agents']]) {
      const plain = await inProcess(args, env);
      expectClean(plain, args.join(' '));
      if (args[0] === 'audit') expect(plain.stdout).toContain('\\x1b[2K');
      const coloured = await inProcess(args, env, true);
      expect(coloured.stdout.replace(OWN_SGR, '')).toBe(plain.stdout);
    }
    const enabled = await inProcess(['enable', id, '--reason', SPOOF], env);
    expect(enabled.code).toBe(EXIT.OK);
    expectClean(enabled, 'enable');
    // A refusal quotes nothing raw either.
    const refused = await inProcess(['pause', id, '--reason', SPOOF], env);
    expect(refused.code).toBe(EXIT.REFUSED);
    expectClean(refused, 'refused pause');
    // An unknown verb echoes the command line escaped.
    expectClean(await inProcess([SPOOF], env), 'unknown verb');
  });

  it('--json keeps the value exact (it parses back to the raw name) and still prints no control character', async () => {
    const run = await inProcess(['status', id, '--json'], env);
    expect(run.code).toBe(EXIT.OK);
    expectClean(run, 'status --json');
    const audit = await inProcess(['audit', id, '--json'], env);
    expectClean(audit, 'audit --json');
    const entries = (JSON.parse(audit.stdout) as { entries: { reason: string | null }[] }).entries;
    expect(entries.some((e) => e.reason === SPOOF)).toBe(true);
  });
});

/** A server that answers every route with control characters in every string. */
function hostileServer(): Promise<{ url: string; server: Server }> {
  const agent = {
    id: `agt_${SPOOF}`,
    name: SPOOF,
    owner: SPOOF,
    status: 'running',
    kind: 'self_hosted',
    version: 1,
    availableActions: [SPOOF],
    actions: [{ action: 'pause', allowed: true, needsReason: false }],
    revision: SPOOF,
    image: SPOOF,
    lastHeartbeatAt: SPOOF,
    createdAt: SPOOF,
    updatedAt: SPOOF,
    vendorStatus: SPOOF,
    operation: null,
  };
  const problem = {
    type: SPOOF,
    title: SPOOF,
    status: 409,
    code: SPOOF,
    detail: SPOOF,
    allowedActions: [SPOOF],
    errors: [{ path: SPOOF, message: SPOOF }],
  };
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(JSON.stringify(body));
    };
    req.resume();
    if (url.includes('refuse')) return send(409, problem, 'application/problem+json');
    if (url.endsWith('/events')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const event = (type: string, data: unknown, id: number) =>
        res.write(`event: ${type}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`);
      event('snapshot', { status: 'running', at: SPOOF, version: 1 }, 1);
      event('status', { status: 'stopped', from: 'running', action: SPOOF, at: SPOOF, version: 2 }, 2);
      event('status', { status: 'deleted', from: 'stopped', action: SPOOF, at: SPOOF, version: 3 }, 3);
      res.end();
      return;
    }
    if (url.startsWith('/registration-tokens'))
      return send(201, { id: SPOOF, token: SPOOF, expiresAt: SPOOF, code: SPOOF });
    if (url.includes('/audit'))
      return send(200, {
        entries: [
          { seq: 1, at: SPOOF, actor: SPOOF, action: SPOOF, from: SPOOF, to: SPOOF, reason: SPOOF },
          {
            seq: 2,
            at: SPOOF,
            actor: SPOOF,
            action: SPOOF,
            from: SPOOF,
            to: null,
            reason: SPOOF,
            denied: true,
            code: SPOOF,
          },
        ],
        next: null,
      });
    if (url.includes('/revisions'))
      return send(200, {
        revisions: [{ id: SPOOF, number: 1, image: SPOOF, action: SPOOF, outcome: SPOOF, createdAt: SPOOF }],
      });
    if (url.includes('/actions/') || req.method === 'DELETE')
      return send(202, { agent, operation: { id: SPOOF, action: SPOOF } });
    if (url === '/agents' && req.method === 'POST') return send(201, agent);
    if (url.startsWith('/agents?') || url === '/agents') return send(200, { agents: [agent, agent] });
    return send(200, agent);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    ),
  );
}

describe('control characters from a hostile server', () => {
  let server: Server;
  let env: Record<string, string>;

  beforeAll(async () => {
    const started = await hostileServer();
    server = started.server;
    env = { BERTH_URL: started.url };
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const runs: readonly (readonly string[])[] = [
    ['agents'],
    ['agents', '--profile', 'opstage'],
    ['status', 'agt_1', '--profile', 'opstage'],
    ['deploy', 'bot'],
    ['wait', 'agt_1', '--status', 'running'],
    ['audit', 'agt_1'],
    ['revisions', 'agt_1'],
    ['watch', 'agt_1'],
    ['token', 'create'],
    ['pause', 'agt_1', '--reason', 'r'],
    ['stop', 'agt_1', '--wait', '--timeout', '5'],
    ['destroy', 'agt_1', '--reason', 'r', '--yes', '--confirm', 'x'],
    ['status', 'agt_refuse'],
    ['pause', 'agt_refuse', '--reason', 'r'],
  ];

  for (const args of runs) {
    it(`berth ${args.join(' ')} (human and --json)`, async () => {
      const human = await inProcess(args, env);
      expectClean(human, args.join(' '));
      expect(human.stdout + human.stderr).toContain('\\x1b');
      const json = await inProcess([...args, '--json'], env);
      expectClean(json, `${args.join(' ')} --json`);
      // --json is still JSON that means exactly what the server sent.
      const doc = json.stdout.trim() || json.stderr.trim();
      for (const line of doc.split('\n')) expect(() => JSON.parse(line)).not.toThrow();
      expect(doc).toContain(safeJson(SPOOF).slice(1, -1));
    });
  }
});
