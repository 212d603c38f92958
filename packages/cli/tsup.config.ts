import { defineConfig } from 'tsup';

// The bin carries its own copy of @flagwise/core and @flagwise/unleash (their packages point at TypeScript
// sources inside the repo), so `flagwise` runs the same engine from the repo and once installed. Their third-party
// dependencies stay external and are listed in this package's dependencies.
export default defineConfig({
  entry: { bin: 'src/bin.ts' },
  format: ['esm'],
  clean: true,
  target: 'node20',
  sourcemap: true,
  noExternal: [/^@flagwise\//],
  banner: { js: '#!/usr/bin/env node' },
});
