/**
 * The platform's environment: documented defaults, every variable parsed, every bad value a
 * ConfigError naming the variable.
 */
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig, memoryLatency } from '../src/index.js';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      port: 3000,
      host: '127.0.0.1',
      driver: 'memory',
      operatorKeys: null,
      slotsPerOwner: undefined,
      memoryCapacity: undefined,
      memoryLatencyMs: { min: 300, max: 800 },
      heartbeatTimeoutMs: 90_000,
      requireReason: ['pause'],
      store: { kind: 'sqlite', path: '.berth/berth.sqlite' },
      headersTimeoutSeconds: 10,
      requestTimeoutSeconds: 30,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      BERTH_DRIVER: 'docker',
      BERTH_OPERATOR_KEYS: 'acme:k-acme, globex:k-globex',
      BERTH_SLOTS_PER_OWNER: '3',
      BERTH_MEMORY_CAPACITY: '2',
      BERTH_MEMORY_LATENCY_MS: '0',
      BERTH_HEARTBEAT_TIMEOUT_MS: '5000',
      BERTH_REQUIRE_REASON: 'pause, stop,destroy',
    });
    expect(config.port).toBe(8080);
    expect(config.host).toBe('0.0.0.0');
    expect(config.driver).toBe('docker');
    expect([...(config.operatorKeys ?? [])]).toEqual([
      ['k-acme', 'acme'],
      ['k-globex', 'globex'],
    ]);
    expect(config.slotsPerOwner).toBe(3);
    expect(config.memoryCapacity).toBe(2);
    expect(config.memoryLatencyMs).toEqual({ min: 0, max: 0 });
    expect(config.heartbeatTimeoutMs).toBe(5000);
    expect(config.requireReason).toEqual(['pause', 'stop', 'destroy']);
    expect(loadConfig({ BERTH_REQUIRE_REASON: '' }).requireReason).toEqual([]);
    expect(loadConfig({ BERTH_MEMORY_LATENCY_MS: '100-200' }).memoryLatencyMs).toEqual({
      min: 100,
      max: 200,
    });
  });

  it('names the variable and the problem for every bad value', () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ PORT: 'eighty' }, 'PORT', /port number/],
      [{ PORT: '70000' }, 'PORT', /port number/],
      [{ PORT: '-1' }, 'PORT', /port number/],
      [{ HOST: ' ' }, 'HOST', /empty/],
      [{ BERTH_DRIVER: 'kubernetes' }, 'BERTH_DRIVER', /'memory' or 'docker'/],
      [{ BERTH_OPERATOR_KEYS: '' }, 'BERTH_OPERATOR_KEYS', /owner:key/],
      [{ BERTH_OPERATOR_KEYS: 'acme' }, 'BERTH_OPERATOR_KEYS', /not owner:key/],
      [{ BERTH_OPERATOR_KEYS: 'acme:' }, 'BERTH_OPERATOR_KEYS', /not owner:key/],
      [{ BERTH_OPERATOR_KEYS: 'a:k1,b:k1' }, 'BERTH_OPERATOR_KEYS', /share one key/],
      [{ BERTH_SLOTS_PER_OWNER: '0' }, 'BERTH_SLOTS_PER_OWNER', /at least 1/],
      [{ BERTH_SLOTS_PER_OWNER: '2.5' }, 'BERTH_SLOTS_PER_OWNER', /whole number/],
      [{ BERTH_MEMORY_CAPACITY: 'lots' }, 'BERTH_MEMORY_CAPACITY', /whole number/],
      [{ BERTH_MEMORY_LATENCY_MS: '800-300' }, 'BERTH_MEMORY_LATENCY_MS', /low to high/],
      [{ BERTH_MEMORY_LATENCY_MS: 'fast' }, 'BERTH_MEMORY_LATENCY_MS', /milliseconds/],
      [{ BERTH_HEARTBEAT_TIMEOUT_MS: '10' }, 'BERTH_HEARTBEAT_TIMEOUT_MS', /at least 1000/],
      [{ BERTH_REQUIRE_REASON: 'pause,nap' }, 'BERTH_REQUIRE_REASON', /'nap' is not an action/],
    ];
    for (const [env, variable, message] of cases) {
      let caught: unknown;
      try {
        loadConfig(env);
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(env)).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).variable).toBe(variable);
      expect((caught as ConfigError).message).toMatch(message);
      expect((caught as ConfigError).message.startsWith(`${variable}: `)).toBe(true);
    }
  });

  it('never prints an operator key in an error', () => {
    try {
      loadConfig({ BERTH_OPERATOR_KEYS: 'acme:supersecret,nocolon-secret' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('secret');
    }
  });

  it('lists the variables it reads (the docs table names each)', () => {
    expect(CONFIG_VARIABLES).toEqual([
      'PORT',
      'HOST',
      'BERTH_DRIVER',
      'BERTH_OPERATOR_KEYS',
      'BERTH_SLOTS_PER_OWNER',
      'BERTH_MEMORY_CAPACITY',
      'BERTH_MEMORY_LATENCY_MS',
      'BERTH_HEARTBEAT_TIMEOUT_MS',
      'BERTH_REQUIRE_REASON',
      'BERTH_MAX_COMMANDS_PER_AGENT',
      'BERTH_STORE',
      'BERTH_HEADERS_TIMEOUT_SECONDS',
      'BERTH_REQUEST_TIMEOUT_SECONDS',
      'BERTH_DOCKER_LABELS',
      'BERTH_LEASE_MS',
      'BERTH_HTTP',
    ]);
  });

  it('spreads the memory latency range over operations, slow ones at the top', () => {
    const latency = memoryLatency({ min: 300, max: 800 });
    expect(latency.provision).toBe(800);
    expect(latency.destroy).toBe(300);
    for (const ms of Object.values(latency)) {
      expect(ms).toBeGreaterThanOrEqual(300);
      expect(ms).toBeLessThanOrEqual(800);
    }
  });
});
