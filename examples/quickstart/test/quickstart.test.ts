import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const dir = fileURLToPath(new URL('..', import.meta.url));

it('walks an agent through its life and prints a verified audit trail', async () => {
  const { stdout } = await run(
    process.execPath,
    ['--conditions=@berth/source', '--import', 'tsx', 'src/main.ts'],
    {
      cwd: dir,
      timeout: 60_000,
    },
  );
  expect(stdout).toMatch(/created support-bot \(agt_/);
  expect(stdout).toContain('running      → paused       (pause)');
  expect(stdout).toContain('refused: CONFIRMATION_REQUIRED');
  expect(stdout).toMatch(/REFUSED destroy \(CONFIRMATION_REQUIRED\)/);
  expect(stdout).toMatch(/rollback: running → redeploying/);
  expect(stdout).toMatch(/destroy: running → deleting — "retired"/);
  expect(stdout).toMatch(/hash chain: verified \(\d+ entries\)/);
});
