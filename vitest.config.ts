import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', '.state/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Golden files are reviewed like code: CI never rewrites them (`npx vitest -u` does, locally).
    update: false,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
