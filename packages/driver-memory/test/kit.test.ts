// The conformance kit, tested on itself: a nested vitest runs fixture suites (test/fixtures/*.kit.ts)
// and we check each test's outcome. A kit that cannot fail a broken driver would prove nothing.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { RunnerTask, RunnerTestFile } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVitest, type Vitest } from 'vitest/node';

const root = fileURLToPath(new URL('../../..', import.meta.url));
type Outcome = { state: string; note: string | undefined };

/** Every test and suite of the fixture files by "suite > … > test" path. */
function outcomes(files: readonly RunnerTestFile[]): {
  tests: Map<string, Outcome>;
  suites: Map<string, string>;
} {
  const tests = new Map<string, Outcome>();
  const suites = new Map<string, string>();
  const walk = (task: RunnerTask, path: string[]) => {
    const here = [...path, task.name];
    if (task.type === 'suite') {
      suites.set(here.join(' > '), task.result?.state ?? task.mode);
      for (const child of task.tasks) walk(child, here);
    } else {
      // The skip note is on the runtime result (vitest ≥ 3.1), not in its public type.
      const note = (task.result as { note?: string } | undefined)?.note;
      tests.set(here.join(' > '), { state: task.result?.state ?? task.mode, note });
    }
  };
  for (const file of files) for (const task of file.tasks) walk(task, []);
  return { tests, suites };
}

let vitest: Vitest | undefined;
let results = new Map<string, Outcome>();
let suites = new Map<string, string>();

beforeAll(async () => {
  vitest = await startVitest('test', [], {
    root,
    config: `${root}/vitest.config.ts`,
    include: ['packages/driver-memory/test/fixtures/*.kit.ts'],
    watch: false,
    reporters: [{}],
  });
  ({ tests: results, suites } = outcomes(vitest.state.getFiles()));
}, 120_000);

afterAll(async () => {
  await vitest?.close();
});

function outcome(path: string): Outcome {
  const found = results.get(path);
  if (!found) throw new Error(`no test '${path}' in the fixture run (have: ${[...results.keys()].length})`);
  return found;
}

describe('capability gaps', () => {
  const suite = 'driver conformance: memory-minimal';
  it.each([
    ['restart', 'restart leaves the agent running on the same resource'],
    ['redeploy', 'redeploy runs the new revision'],
    ['recreate', 'recreate builds a new resource'],
    ['watch', 'watch returns an unsubscribe function'],
    ['list', 'list leaves out a destroyed agent'],
  ])('a driver without %s skips that area with the reason', (capability, title) => {
    expect(outcome(`${suite} > ${capability} > ${title}`)).toEqual({
      state: 'skip',
      note: `driver memory-minimal does not declare ${capability}`,
    });
  });

  it('a driver without createDriverWithCapacity skips the capacity area with the reason', () => {
    expect(outcome(`${suite} > capacity > provision beyond capacity throws NO_CAPACITY`)).toEqual({
      state: 'skip',
      note: 'driver memory-minimal does not declare capacity (no createDriverWithCapacity option)',
    });
  });

  it('a written-down skip shows its reason, and the required areas still run', () => {
    expect(outcome(`${suite} > provision > two agents get two resources`)).toEqual({
      state: 'skip',
      note: 'fixture: written-down gap',
    });
    expect(outcome(`${suite} > provision > provision runs the agent`).state).toBe('pass');
    expect(outcome(`${suite} > destroy > destroy leaves the agent missing`).state).toBe('pass');
  });
});

describe('cleanup and documentation', () => {
  it('every block destroys what it provisioned (the fixture fails a block that leaves an agent)', () => {
    const blocks = [...suites].filter(([path]) => path.startsWith('driver conformance: memory-minimal > '));
    expect(blocks.length).toBeGreaterThanOrEqual(11);
    expect(blocks.filter(([, state]) => state === 'fail')).toEqual([]);
  });

  it('the "write your own driver" guide lists every conformance test by its title', async () => {
    const guide = await readFile(`${root}/docs/drivers/write-your-own.md`, 'utf8');
    const titles = [...results.keys()]
      .filter((path) => path.startsWith('driver conformance: memory-minimal > '))
      .map((path) => path.split(' > ').slice(1));
    expect(titles.length).toBeGreaterThanOrEqual(30);
    const missing = titles.filter(
      ([area, title]) => !guide.includes(`| ${area} |`) || !guide.includes(`${title}`),
    );
    expect(missing).toEqual([]);
  });
});

describe('broken drivers fail', () => {
  it.each([
    [
      'forgets-operation-ids',
      'provision > provision repeated with the same operation id finds the first resource',
    ],
    ['leaky-destroy', 'destroy > destroy leaves the agent missing'],
    ['leaky-destroy', 'destroy > provision after destroy starts from a new resource'],
    ['ignores-abort', 'abort > an aborted provision rejects or leaves no resource'],
    ['sticky-stop', 'start and stop > stop leaves the agent stopped, and stopping again succeeds'],
    ['sticky-stop', 'start and stop > any sequence of start and stop ends where the last one says'],
    ['no-capacity-limit', 'capacity > provision beyond capacity throws NO_CAPACITY'],
    ['deaf-unsubscribe', 'watch > an unsubscribed listener receives nothing'],
  ])('%s fails "%s"', (driver, test) => {
    expect(outcome(`driver conformance: ${driver} > ${test}`).state).toBe('fail');
  });

  it('the parts a broken driver keeps still pass', () => {
    expect(outcome('driver conformance: sticky-stop > provision > provision runs the agent').state).toBe(
      'pass',
    );
    expect(
      outcome('driver conformance: leaky-destroy > inspect > inspect of an unknown agent says missing').state,
    ).toBe('pass');
  });
});
