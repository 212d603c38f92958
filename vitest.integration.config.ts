import { defineConfig } from 'vitest/config';

// The real-server suite: test/integration/global-setup.ts starts unleash-server 7.5.1 on a private PostgreSQL
// through scripts/unleash/start.sh, and stops it afterwards if it started it. Files run one at a time because
// they share that server and one of them takes it down and back up.
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    globalSetup: ['test/integration/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    // the first start installs unleash-server (npm ci) before anything runs
    hookTimeout: 120_000,
  },
});
