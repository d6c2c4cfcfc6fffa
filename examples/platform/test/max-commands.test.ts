/**
 * `BERTH_MAX_COMMANDS_PER_AGENT` reaches the manager: over the platform's real listener, one
 * pending command more than the limit answers 409 `COMMAND_QUEUE_FULL`; a bad value is a
 * configuration error naming the variable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Platform, startPlatform } from '../src/index.js';

describe('BERTH_MAX_COMMANDS_PER_AGENT', () => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await startPlatform(
      loadConfig({ PORT: '0', BERTH_STORE: 'memory', BERTH_MAX_COMMANDS_PER_AGENT: '2' }),
      {
        log: () => {},
      },
    );
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('caps pending commands per agent (409 COMMAND_QUEUE_FULL beyond it)', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${platform.apiUrl}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const token = (await (await post('/registration-tokens', {})).json()) as { token: string };
    const reg = (await (
      await post('/agents/register', { registrationToken: token.token, code: 'box' })
    ).json()) as {
      agentId: string;
    };
    const statuses: number[] = [];
    let last: { code?: string } = {};
    for (let i = 0; i < 3; i++) {
      const res = await post(`/agents/${reg.agentId}/commands`, { type: `job-${i}` });
      statuses.push(res.status);
      last = (await res.json()) as { code?: string };
    }
    expect(statuses).toEqual([201, 201, 409]);
    expect(last.code).toBe('COMMAND_QUEUE_FULL');
  });

  it('refuses a value that is not a whole number of at least 1, naming the variable', () => {
    expect(() => loadConfig({ BERTH_MAX_COMMANDS_PER_AGENT: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ BERTH_MAX_COMMANDS_PER_AGENT: 'lots' })).toThrow(
      /BERTH_MAX_COMMANDS_PER_AGENT/,
    );
    expect(loadConfig({}).maxCommandsPerAgent).toBeUndefined();
  });
});
