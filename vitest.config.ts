import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@berth/source'] },
  ssr: { resolve: { conditions: ['@berth/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // .ci/run sets BERTH_TEST_REPORT: the results also go to that JSON file, which it turns into
    // its closing line. (Opt-in, so a caller's own --reporter/--outputFile is never overridden.)
    reporters: process.env.BERTH_TEST_REPORT
      ? ['default', ['json', { outputFile: process.env.BERTH_TEST_REPORT }]]
      : ['default'],
  },
});
