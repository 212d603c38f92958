import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The packed-package check: after `pnpm build`, packs every package, installs the tarballs from scratch and
// imports them from ESM and CJS. Needs the npm registry for third-party dependencies.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/packed/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
