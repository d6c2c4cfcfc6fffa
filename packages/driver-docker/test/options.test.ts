/**
 * Options are checked when the driver is created (a typo fails at once, naming the field); the
 * engine is contacted only on first use, and an unreachable one is a typed driver error.
 */
import { DriverError, ValidationError } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { createDockerDriver, DOCKER_ERRORS, engineOptions } from '../src/index.js';
import { makeTarget, op } from './support/docker-env.js';

describe('driver options', () => {
  it.each([
    [{ networkMode: 'bridge' }, 'networkMode'],
    [{ stopTimeoutSeconds: -1 }, 'stopTimeoutSeconds'],
    [{ stopTimeoutSeconds: 1.5 }, 'stopTimeoutSeconds'],
    [{ capacity: -2 }, 'capacity'],
    [{ workspacePath: 'relative' }, 'workspacePath'],
    [{ namePrefix: '-x' }, 'namePrefix'],
    [{ env: { 'A-B': '1' } }, 'env.A-B'],
    [{ labels: { 'berth.agent-id': 'x' } }, 'labels.berth.agent-id'],
    [{ resyncIntervalMs: 0 }, 'resyncIntervalMs'],
    [{ host: 'ftp://example' }, 'host'],
  ])('%j is refused, naming %s', (options, field) => {
    let error: unknown;
    try {
      createDockerDriver(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors?.map((i) => i.path)).toContain(field);
  });

  it('reads DOCKER_HOST-style addresses', () => {
    expect(engineOptions('unix:///run/user/1000/docker.sock')).toEqual({
      socketPath: '/run/user/1000/docker.sock',
    });
    expect(engineOptions('tcp://127.0.0.1:2375')).toEqual({
      host: '127.0.0.1',
      port: '2375',
      protocol: 'http',
    });
    expect(engineOptions('https://127.0.0.1')).toEqual({
      host: '127.0.0.1',
      port: '2376',
      protocol: 'https',
    });
    expect(engineOptions('ssh://me@127.0.0.1')).toEqual({
      host: '127.0.0.1',
      port: '22',
      protocol: 'ssh',
      username: 'me',
    });
  });

  it('connects lazily: creating a driver for an absent engine is fine, using it is ENGINE_UNAVAILABLE', async () => {
    const driver = createDockerDriver({ host: 'unix:///nonexistent/berth-test/docker.sock' });
    expect(driver.name).toBe('docker');
    const outcome = await driver.inspect('agt_nobody').catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(DriverError);
    expect(outcome).toMatchObject({ code: 'DRIVER_ERROR', driverCode: DOCKER_ERRORS.ENGINE_UNAVAILABLE });
    await expect(driver.provision(makeTarget('any'), op('provision'))).rejects.toMatchObject({
      driverCode: DOCKER_ERRORS.ENGINE_UNAVAILABLE,
    });
    await driver.dispose();
  });

  it('an operation whose signal is already aborted does nothing and says ABORTED', async () => {
    const driver = createDockerDriver({ host: 'unix:///nonexistent/berth-test/docker.sock' });
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    await expect(
      driver.provision(makeTarget('any'), op('provision', undefined, controller.signal)),
    ).rejects.toMatchObject({
      driverCode: DOCKER_ERRORS.ABORTED,
    });
    await driver.dispose();
  });
});
