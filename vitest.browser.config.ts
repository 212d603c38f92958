import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The browser suite: real Chromium (/usr/bin/chromium through playwright-core) against the examples and test
// apps on 127.0.0.1. Files run one at a time: each starts apps and a browser of its own.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/browser/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
