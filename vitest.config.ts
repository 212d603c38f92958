import { defineConfig } from 'vitest/config';

// One run covers every package and the cross-adapter suites in test/.
// Integration (real Unleash server) and browser suites have their own configs.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/integration/**', 'test/browser/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
