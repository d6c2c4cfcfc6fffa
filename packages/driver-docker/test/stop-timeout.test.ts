/**
 * Stop is graceful: SIGTERM first, SIGKILL only after `stopTimeoutSeconds`. An agent that exits on
 * SIGTERM ends with its own exit code; one that ignores SIGTERM is killed (137) and stop still
 * succeeds.
 */
import { beforeAll, expect, it } from 'vitest';
import { createDockerDriver } from '../src/index.js';
import {
  buildTestImage,
  runScopedDriver,
  dockerCli,
  dockerDescribe,
  GRACEFUL_CMD,
  makeTarget,
  op,
  RUN_LABEL,
  runId,
  STUBBORN_CMD,
} from './support/docker-env.js';

const describeDocker = await dockerDescribe();
const GRACEFUL = `berth-test/graceful:${runId}`;
const STUBBORN = `berth-test/stubborn:${runId}`;
/** No signal handler at all (like any program in its first milliseconds). */
const NAIVE = `berth-test/naive:${runId}`;

describeDocker('stop timeout', () => {
  const driver = runScopedDriver({ stopTimeoutSeconds: 1 });
  beforeAll(async () => {
    await buildTestImage(GRACEFUL, { cmd: GRACEFUL_CMD });
    await buildTestImage(STUBBORN, { cmd: STUBBORN_CMD });
    await buildTestImage(NAIVE, { cmd: ['/bin/sh', '-c', 'sleep 1000 & wait $!'] });
  });

  const exitCode = async (name: string) =>
    Number(await dockerCli(['inspect', '--format', '{{.State.ExitCode}}', name]));

  it('an agent that handles SIGTERM stops with its own exit code', async () => {
    const target = makeTarget(GRACEFUL);
    await driver.provision(target, op('provision'));
    await driver.stop(target, op('stop'));
    expect(await exitCode(driver.containerName(target.agentId))).toBe(0);
    expect(await driver.inspect(target.agentId)).toMatchObject({ state: 'stopped', exitCode: 0 });
    await driver.destroy(target, op('destroy'));
  });

  it('an agent that ignores SIGTERM is killed after the timeout, and stop succeeds', async () => {
    const target = makeTarget(STUBBORN);
    await driver.provision(target, op('provision'));
    const name = driver.containerName(target.agentId);
    expect(await dockerCli(['inspect', '--format', '{{.Config.StopTimeout}}', name])).toBe('1');
    await driver.stop(target, op('stop'));
    expect(await exitCode(name), 'SIGKILL after the stop timeout').toBe(137);
    // Stopped by the driver: `stopped`, not `exited`, whatever the exit code.
    expect(await driver.inspect(target.agentId)).toMatchObject({ state: 'stopped', exitCode: 137 });
    await driver.start(target, op('start'));
    expect((await driver.inspect(target.agentId)).state).toBe('running');
    await driver.destroy(target, op('destroy'));
    expect((await driver.inspect(target.agentId)).state).toBe('missing');
  });

  it('with the default init, a program without a SIGTERM handler still stops on SIGTERM', async () => {
    const target = makeTarget(NAIVE);
    await driver.provision(target, op('provision'));
    await driver.stop(target, op('stop'));
    expect(await exitCode(driver.containerName(target.agentId)), 'terminated by SIGTERM, not killed').toBe(
      143,
    );
    await driver.destroy(target, op('destroy'));

    // Without it the program is PID 1, which ignores a signal it has no handler for: SIGKILL it is.
    const bare = createDockerDriver({ labels: { [RUN_LABEL]: runId }, stopTimeoutSeconds: 1, init: false });
    const other = makeTarget(NAIVE);
    try {
      await bare.provision(other, op('provision'));
      await bare.stop(other, op('stop'));
      expect(await exitCode(bare.containerName(other.agentId))).toBe(137);
    } finally {
      await bare.destroy(other, op('destroy'));
      await bare.dispose();
    }
  });
});
