import { defineConfig } from 'vitest/config';

// The real-server suite, run once against each unleash-server the harness knows (scripts/unleash/server-<major>/):
// test/integration/global-setup.ts starts the servers of the selected projects side by side on a private
// PostgreSQL through scripts/unleash/start.sh, and stops those it started afterwards. Files run one at a time:
// several share a server, and some take it down and back up. `--project unleash-8` runs one server's half.
const servers = ['7', '8'] as const;

export default defineConfig({
  test: {
    globalSetup: ['test/integration/global-setup.ts'],
    fileParallelism: false,
    projects: servers.map((server) => ({
      test: {
        name: `unleash-${server}`,
        include: ['test/integration/**/*.test.ts'],
        provide: { unleashServer: server },
        fileParallelism: false,
        testTimeout: 60_000,
        hookTimeout: 120_000,
      },
    })),
  },
});
