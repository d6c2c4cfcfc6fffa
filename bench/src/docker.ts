/**
 * Measurement 5 — Docker: provision (container created and started), restart, stop and destroy
 * through the Docker driver, through raw dockerode making the essential engine calls, and
 * through the docker CLI, on the same local image, interleaved. Only where an engine answers.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { DriverOperation, DriverTarget, OperationContext } from '@berth/core';
import { createDockerDriver, LABELS } from '@berth/driver-docker';
import Dockerode from 'dockerode';
import { type BenchMode, log, median, ms, runMeasurement, type Section, times } from './lib/bench.js';
import { buildBenchImage } from './lib/docker-image.js';

const run = promisify(execFile);
const RUN_LABEL = 'berth.bench-run';
const runId = `${process.pid}-${randomBytes(4).toString('hex')}`;
const OPS = ['provision', 'restart', 'stop', 'destroy'] as const;
type Op = (typeof OPS)[number];
const STOP_TIMEOUT = 10;
const WORKSPACE = '/workspace';

/** Counts the HTTP requests a dockerode client makes to the engine. */
function countingClient(): { client: Dockerode; calls: () => number } {
  const client = new Dockerode();
  const modem = client.modem as unknown as { dial: (...args: unknown[]) => unknown };
  const dial = modem.dial.bind(modem);
  let calls = 0;
  modem.dial = (...args: unknown[]) => {
    calls++;
    return dial(...args);
  };
  return { client, calls: () => calls };
}

interface Agent {
  readonly id: string;
  readonly container: string;
  readonly volume: string;
  readonly target: DriverTarget;
}

function newAgent(image: string): Agent {
  const hex = randomBytes(6).toString('hex');
  const id = `agt_bench${hex}`;
  return {
    id,
    container: `berth-${id}`,
    volume: `berth-ws_bench${hex}`,
    target: {
      agentId: id,
      owner: 'bench',
      name: `bench-${hex}`,
      workspaceId: `ws_bench${hex}`,
      spec: { image, config: {} },
      revision: { id: `rev_bench${hex}`, image, config: {} },
      credentials: { agentId: id, agentToken: `tok_${hex}` },
      secrets: {},
    },
  };
}

/** The environment and labels the driver gives a container (what raw dockerode and the CLI send too). */
function envOf(a: Agent): string[] {
  const t = a.target;
  return [
    `BERTH_AGENT_ID=${t.agentId}`,
    `BERTH_AGENT_NAME=${t.name}`,
    `BERTH_AGENT_TOKEN=${t.credentials!.agentToken}`,
    `BERTH_OWNER=${t.owner}`,
    `BERTH_REVISION=${t.revision.id}`,
    `BERTH_WORKSPACE=${WORKSPACE}`,
  ];
}

function labelsOf(a: Agent): Record<string, string> {
  return {
    [RUN_LABEL]: runId,
    [LABELS.managed]: 'true',
    [LABELS.agentId]: a.id,
    [LABELS.owner]: a.target.owner,
    [LABELS.workspaceId]: a.target.workspaceId,
  };
}

type Runner = Record<Op, (a: Agent) => Promise<void>>;

function driverRunner(client: Dockerode): Runner {
  const driver = createDockerDriver({
    client,
    labels: { [RUN_LABEL]: runId },
    stopTimeoutSeconds: STOP_TIMEOUT,
  });
  const ctx = (operation: DriverOperation): OperationContext => ({
    operation,
    operationId: `op_bench${randomBytes(6).toString('hex')}`,
    signal: new AbortController().signal,
  });
  return {
    provision: async (a) => void (await driver.provision(a.target, ctx('provision'))),
    restart: async (a) => void (await driver.restart(a.target, ctx('restart'))),
    stop: async (a) => void (await driver.stop(a.target, ctx('stop'))),
    destroy: async (a) => void (await driver.destroy(a.target, ctx('destroy'))),
  };
}

function rawRunner(docker: Dockerode, image: string): Runner {
  return {
    async provision(a) {
      await docker.createVolume({ Name: a.volume, Labels: labelsOf(a) });
      const container = await docker.createContainer({
        name: a.container,
        Image: image,
        Env: envOf(a),
        Labels: labelsOf(a),
        WorkingDir: WORKSPACE,
        Hostname: a.id.replace(/_/g, '-'),
        StopTimeout: STOP_TIMEOUT,
        NetworkDisabled: true,
        HostConfig: {
          NetworkMode: 'none',
          Mounts: [{ Type: 'volume', Source: a.volume, Target: WORKSPACE }],
          RestartPolicy: { Name: 'no' },
          Init: true,
          LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
        },
      });
      await container.start();
    },
    restart: async (a) => void (await docker.getContainer(a.container).restart({ t: STOP_TIMEOUT })),
    stop: async (a) => void (await docker.getContainer(a.container).stop({ t: STOP_TIMEOUT })),
    async destroy(a) {
      await docker.getContainer(a.container).remove({ force: true, v: false });
      await docker.getVolume(a.volume).remove();
    },
  };
}

function cliRunner(image: string): Runner {
  const docker = (...args: string[]) => run('docker', args);
  return {
    async provision(a) {
      const labels = Object.entries(labelsOf(a)).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
      await docker('volume', 'create', ...labels, a.volume);
      await docker(
        'create',
        '--name',
        a.container,
        ...labels,
        ...envOf(a).flatMap((e) => ['--env', e]),
        '--workdir',
        WORKSPACE,
        '--hostname',
        a.id.replace(/_/g, '-'),
        '--stop-timeout',
        String(STOP_TIMEOUT),
        '--network',
        'none',
        '--mount',
        `type=volume,src=${a.volume},dst=${WORKSPACE}`,
        '--restart',
        'no',
        '--init',
        '--log-opt',
        'max-size=10m',
        '--log-opt',
        'max-file=2',
        image,
      );
      await docker('start', a.container);
    },
    restart: async (a) => void (await docker('restart', '-t', String(STOP_TIMEOUT), a.container)),
    stop: async (a) => void (await docker('stop', '-t', String(STOP_TIMEOUT), a.container)),
    async destroy(a) {
      await docker('rm', '-f', a.container);
      await docker('volume', 'rm', a.volume);
    },
  };
}

/** Remove every container, volume and image this run labelled. */
async function cleanup(docker: Dockerode, tag: string): Promise<void> {
  const label = [`${RUN_LABEL}=${runId}`];
  for (const c of await docker.listContainers({ all: true, filters: { label } }))
    await docker
      .getContainer(c.Id)
      .remove({ force: true, v: true })
      .catch(() => {});
  for (const v of (await docker.listVolumes({ filters: { label } })).Volumes ?? [])
    await docker
      .getVolume(v.Name)
      .remove()
      .catch(() => {});
  await docker
    .getImage(tag)
    .remove({ force: true })
    .catch(() => {});
}

async function engineAnswers(docker: Dockerode): Promise<string | null> {
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5_000).unref()),
    ]);
    return null;
  } catch (error) {
    return `no Docker engine answered at ${process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'} (${error instanceof Error ? error.message : String(error)})`;
  }
}

const NAMES = { driver: 'Berth Docker driver', raw: 'raw dockerode', cli: 'docker CLI' } as const;
type Name = keyof typeof NAMES;

async function measure(mode: BenchMode): Promise<Section> {
  const probe = new Dockerode();
  const missing = await engineAnswers(probe);
  const title = '5. Docker';
  if (missing !== null) {
    if (process.env.BERTH_REQUIRE_INFRA === '1') throw new Error(`BERTH_REQUIRE_INFRA=1 but ${missing}`);
    return {
      id: 'docker',
      title,
      method: [
        `Not measured on this run: ${missing}. Start one with \`scripts/ci/start-docker.sh\` and run \`pnpm bench\` again.`,
      ],
      tables: [],
      targets: [
        {
          name: 'Docker driver vs raw dockerode',
          measured: 'not measured (no engine)',
          reference: '—',
          ratio: '—',
          target: '≤ 1.15×',
          met: null,
        },
      ],
      notes: [],
    };
  }
  const iterations = mode.quick ? 2 : 20;
  const tag = `berth-bench/agent:${runId}`;
  const { client, calls } = countingClient();
  const times_ = new Map<string, number[]>();
  const requests = new Map<Op, number[]>(OPS.map((op) => [op, []]));
  const engine = (await probe.version()) as { Version?: string };
  try {
    const image = await buildBenchImage(tag, RUN_LABEL, runId);
    const runners: Record<Name, Runner> = {
      driver: driverRunner(client),
      raw: rawRunner(new Dockerode(), image),
      cli: cliRunner(image),
    };
    const order: Name[] = ['driver', 'raw', 'cli'];
    // One untimed lifecycle each to warm the engine, the image and the code paths.
    for (const name of order) {
      const agent = newAgent(name === 'driver' ? tag : image);
      for (const op of OPS) await runners[name][op](agent);
    }
    for (let i = 0; i < iterations; i++) {
      for (let k = 0; k < order.length; k++) {
        const name = order[(i + k) % order.length]!;
        const agent = newAgent(name === 'driver' ? tag : image);
        for (const op of OPS) {
          const before = calls();
          const t0 = performance.now();
          await runners[name][op](agent);
          const took = performance.now() - t0;
          const key = `${name}:${op}`;
          times_.set(key, [...(times_.get(key) ?? []), took]);
          if (name === 'driver') requests.get(op)!.push(calls() - before);
        }
      }
      if ((i + 1) % 5 === 0 || mode.quick) log(`docker: iteration ${i + 1}/${iterations}`);
    }
  } finally {
    await cleanup(probe, tag);
  }
  const med = (name: Name, op: Op) => median(times_.get(`${name}:${op}`) ?? []);
  const total = (name: Name) => OPS.reduce((sum, op) => sum + med(name, op), 0);
  const RAW_CALLS: Record<Op, number> = { provision: 3, restart: 1, stop: 1, destroy: 2 };
  return {
    id: 'docker',
    title,
    method: [
      `Docker Engine ${engine.Version ?? '?'} on this machine (\`dockerd --bridge=none\`, as \`scripts/ci/start-docker.sh\` starts it). A tiny busybox image built locally with \`docker import\` (no registry); its process exits at once on SIGTERM (the engine's init forwards it), so stop and restart do not wait out the ${STOP_TIMEOUT} s timeout. Network mode \`none\`, a named workspace volume, \`Init\` on — the driver's defaults — for all three contenders.`,
      `${iterations} iterations (after one untimed warm-up lifecycle each); in each, every contender takes a fresh agent through provision → restart → stop → destroy, the contenders' order rotating. Raw dockerode makes the essential engine calls (provision: create volume, create container, start; restart; stop; destroy: remove container, remove volume); the CLI runs the equivalent \`docker\` commands (one process each). Everything labelled \`${RUN_LABEL}=${runId}\` is removed at the end (containers, volumes, the image).`,
    ],
    tables: [
      {
        caption: 'Median wall time per operation',
        columns: [
          'operation',
          NAMES.driver,
          NAMES.raw,
          NAMES.cli,
          'driver ÷ raw',
          'engine requests: driver / raw',
        ],
        rows: [
          ...OPS.map((op) => [
            op,
            ms(med('driver', op)),
            ms(med('raw', op)),
            ms(med('cli', op)),
            times(med('driver', op) / med('raw', op)),
            `${median(requests.get(op)!)} / ${RAW_CALLS[op]}`,
          ]),
          [
            'whole lifecycle',
            ms(total('driver')),
            ms(total('raw')),
            ms(total('cli')),
            times(total('driver') / total('raw')),
            '—',
          ],
        ],
      },
    ],
    targets: [
      ...OPS.map((op) => ({
        name: `Docker ${op} vs raw dockerode`,
        measured: ms(med('driver', op)),
        reference: `raw ${ms(med('raw', op))}`,
        ratio: times(med('driver', op) / med('raw', op)),
        target: '≤ 1.15×',
        met: med('driver', op) / med('raw', op) <= 1.15,
      })),
      {
        name: 'Docker whole lifecycle vs raw dockerode',
        measured: ms(total('driver')),
        reference: `raw ${ms(total('raw'))}`,
        ratio: times(total('driver') / total('raw')),
        target: '≤ 1.15×',
        met: total('driver') / total('raw') <= 1.15,
      },
    ],
    notes: [],
  };
}

await runMeasurement(measure);
