/**
 * A tiny local image for the Docker measurement, built the way the Docker driver's tests build
 * theirs: the machine's static busybox imported with `docker import` (no registry), labelled
 * with the bench run id so cleanup finds it.
 *
 * @module
 */
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A shell loop that exits 0 on SIGTERM at once (the engine's init forwards the signal). */
export const GRACEFUL_CMD = ['/bin/sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1 & wait $!; done'];

const APPLETS = ['sh', 'sleep', 'true'];

/**
 * Build `tag` from /bin/busybox with `GRACEFUL_CMD` as its CMD and `label=value` as a label.
 * @returns The image id.
 */
export async function buildBenchImage(tag: string, label: string, value: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'berth-bench-rootfs-'));
  try {
    for (const dir of ['bin', 'tmp', 'workspace', 'etc', 'proc', 'sys', 'dev']) await mkdir(join(root, dir));
    await copyFile('/bin/busybox', join(root, 'bin/busybox'));
    await run('chmod', ['755', join(root, 'bin/busybox')]);
    for (const applet of APPLETS) await symlink('busybox', join(root, 'bin', applet));
    const changes = [`CMD ${JSON.stringify(GRACEFUL_CMD)}`, `LABEL ${label}=${value}`];
    await new Promise<void>((resolve, reject) => {
      const tar = spawn('tar', ['-C', root, '--numeric-owner', '-c', '.'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const docker = spawn('docker', ['import', ...changes.flatMap((c) => ['--change', c]), '-', tag], {
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      let stderr = '';
      docker.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      tar.stdout.pipe(docker.stdin);
      docker.on('error', reject);
      docker.on('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`docker import ${tag}: ${stderr}`)),
      );
    });
    const { stdout } = await run('docker', ['image', 'inspect', '--format', '{{.Id}}', tag]);
    return stdout.trim();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
