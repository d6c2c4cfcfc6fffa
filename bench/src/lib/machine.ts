/**
 * The machine and the software a run measured: CPU, cores, memory, Node, package versions, commit.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/** What the document says about where it was measured. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memory: string;
  readonly node: string;
  readonly os: string;
  readonly commit: string;
  readonly date: string;
  readonly versions: readonly (readonly [string, string])[];
}

function version(root: string, pkg: string, from = 'bench'): string {
  try {
    const json = JSON.parse(readFileSync(join(root, from, 'node_modules', pkg, 'package.json'), 'utf8')) as {
      version: string;
    };
    return json.version;
  } catch {
    return '?';
  }
}

function sh(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '?';
  }
}

/** Describe this machine and the versions under test (`root` is the repository). */
export function machineInfo(root: string): MachineInfo {
  const berth = ['core', 'driver-memory', 'driver-docker', 'adapter-express'].map((p) => {
    const json = JSON.parse(readFileSync(join(root, 'packages', p, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    return [json.name, json.version] as const;
  });
  const dirty = sh('git', ['status', '--porcelain', '--', 'packages', 'bench'], root) !== '';
  return {
    cpu: cpus()[0]?.model ?? '?',
    cores: cpus().length,
    memory: `${Math.round(totalmem() / 1024 ** 3)} GiB`,
    node: process.version,
    os: sh('uname', ['-sr'], root),
    commit: `${sh('git', ['rev-parse', '--short', 'HEAD'], root)}${dirty ? ' (with uncommitted changes)' : ''}`,
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    versions: [
      ...berth,
      ['xstate', version(root, 'xstate')],
      ['express', version(root, 'express')],
      ['zod', version(root, 'zod')],
      ['dockerode', version(root, 'dockerode')],
      ['autocannon', version(root, 'autocannon')],
      ['fast-check', version(root, 'fast-check')],
      ['vitest', version(root, 'vitest', '.')],
      ['esbuild', version(root, 'esbuild')],
      ['docker', sh('docker', ['version', '--format', '{{.Server.Version}}'], root) || 'no engine'],
    ],
  };
}
