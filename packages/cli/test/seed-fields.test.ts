/**
 * The CLI shows what issue 13 adds, against the example platform on an ephemeral port:
 * `deploy` prints the credentials once, `status` the runtime, region, size and endpoints,
 * `recreate --size` the new credentials, and `berth why` the explanation.
 */
import { createMemoryDriver } from '@berth/driver-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Platform, startPlatform } from '../../../examples/platform/src/index.js';
import { EXIT } from '../src/index.js';
import { runBerth } from './support/run-cli.js';

const cli = runBerth;

describe('credentials, spec fields and why in the CLI', () => {
  let platform: Platform;
  let env: Record<string, string>;
  beforeAll(async () => {
    platform = await startPlatform(loadConfig({ PORT: '0', BERTH_STORE: 'memory' }), {
      driver: createMemoryDriver({ latency: 0 }),
      log: () => {},
    });
    env = { BERTH_URL: platform.apiUrl };
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('deploy prints the credentials once; status shows runtime, region and size', async () => {
    const deployed = await cli(
      ['deploy', 'cli-spec', '--runtime', 'node', '--region', 'eu-west', '--size', 'small', '--wait'],
      env,
    );
    expect(deployed.code, deployed.stderr).toBe(EXIT.OK);
    const password = /password:\s+(\S+)/.exec(deployed.stdout)?.[1];
    const token = /runtime token:\s+(\S+)/.exec(deployed.stdout)?.[1];
    expect(deployed.stdout).toMatch(/Credentials \(shown once/);
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const id = /\((agt_[A-Za-z0-9]+)\)/.exec(deployed.stdout)![1]!;
    // The platform agrees: the runtime token works as the agent's bearer token.
    expect((await platform.manager.authenticateAgent(id, token!)).id).toBe(id);

    const status = await cli(['status', id], env);
    expect(status.code).toBe(EXIT.OK);
    expect(status.stdout).toMatch(/Runtime:\s+node/);
    expect(status.stdout).toMatch(/Region:\s+eu-west/);
    expect(status.stdout).toMatch(/Size:\s+small/);
    expect(status.stdout).not.toContain(password!);

    const recreated = await cli(
      ['recreate', id, '--size', 'large', '--yes', '--confirm', 'cli-spec', '--wait'],
      env,
    );
    expect(recreated.code, recreated.stderr).toBe(EXIT.OK);
    const fresh = /password:\s+(\S+)/.exec(recreated.stdout)?.[1];
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(fresh).not.toBe(password);
    expect((await cli(['status', id], env)).stdout).toMatch(/Size:\s+large/);

    // A field the action does not take is refused by the CLI before it asks.
    const wrong = await cli(['restart', id, '--size', 'xl'], env);
    expect(wrong.code).toBe(EXIT.USAGE);
  });

  it('why prints the summary and the causes', async () => {
    const agent = await platform.manager.create({ name: 'cli-why' });
    await platform.manager.waitFor(agent.id, 'running', { timeout: 10_000 });
    await platform.manager.dispatch(agent.id, 'pause', { reason: 'budget review', actor: 'user:ada' });
    const why = await cli(['why', agent.id], env);
    expect(why.code, why.stderr).toBe(EXIT.OK);
    expect(why.stdout).toMatch(
      /^paused since \d\d:\d\d: pause by user:ada, running → paused: budget review\n/,
    );
    expect(why.stdout).toMatch(/transition\s+pause by user:ada/);
    const json = await cli(['why', agent.id, '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'paused', causes: expect.any(Array) });
    expect((await cli(['why', 'agt_missing'], env)).code).toBe(EXIT.NOT_FOUND);
  });
});
