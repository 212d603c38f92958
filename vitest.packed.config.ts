import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The packed-package suite: after `pnpm build`, test/packed/global-setup.ts packs every package and installs the
// tarballs from scratch into one app with what the README snippets import; the files then import them from ESM
// and CJS, compile the README snippets against them with TypeScript 5 and 7, and check their published shape.
// Needs the npm registry for third-party dependencies.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/packed/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['test/packed/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
