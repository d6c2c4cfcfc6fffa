import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['development'] },
  ssr: { resolve: { conditions: ['development'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // In CI the results also go to a JSON file, which .ci/run turns into its closing line.
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: 'test-artifacts/vitest-results.json' }]]
      : ['default'],
  },
});
