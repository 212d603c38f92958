import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// NestJS code needs decorator metadata (emitDecoratorMetadata), which esbuild does not emit: SWC compiles those
// files (the Nest adapter, its copies injected into test/nest10, 11 and 12, Nest rows and tables, the example, the
// OpenFeature Nest SDK app); esbuild keeps compiling everything else. The README snippets of @flagwise/testing run
// in apps of their own with the README's vitest config (packages/testing/test/runners.test.ts).
const nestFiles =
  /(?:packages|@flagwise)\/nestjs\/(?:src|test)\/|\/test\/nest1\d\/|\/test\/conformance\/(?:(?:endpoints\/)?rows\/nest|nest-)|\/examples\/nestjs\/|\/packages\/openfeature\/test\/nest-/;
const swcForNest = {
  ...swc.vite({
    include: nestFiles,
    exclude: [],
    tsconfigFile: false,
    jsc: {
      target: 'es2022',
      keepClassNames: true,
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
  }),
  enforce: 'pre' as const,
  // The plugin would switch esbuild off for every file; only Nest files are its business.
  config: undefined,
};

// One run covers every package and the cross-adapter suites in test/.
// Integration (real Unleash server), packed-package and browser suites have their own configs.
export default defineConfig({
  plugins: [swcForNest],
  esbuild: { exclude: [/\.js$/, nestFiles] },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
    setupFiles: ['test/support/yield-between-tests.ts', 'test/support/output-per-test.ts'],
    // A passing run prints one line per file and the summary; a failing test also prints what it logged.
    silent: 'passed-only',
    // packages/testing/test/runners/ holds apps whose tests other runners (and other vitest majors) run
    exclude: [
      '**/node_modules/**',
      'test/integration/**',
      'test/browser/**',
      'test/packed/**',
      'packages/testing/test/runners/**',
    ],
    // Sized for a loaded 2-core machine (another full run or a benchmark beside this one): the bounds catch a
    // test that hangs, not one that is slow. Tests wait for events, never for time. Files run in child processes
    // (forks: a file that starts servers or Chromium cannot disturb another's event loop), one per core; the
    // slow-test lines are for a quiet machine's profile, not for every run.
    pool: 'forks',
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    slowTestThreshold: 60_000,
  },
});
