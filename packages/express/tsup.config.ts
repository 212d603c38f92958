import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  // `@flagwise/express/env` is declarations only (the opt-in typing of req.flags), built like the others once
  // per module format, so an ES module app and a CommonJS one each import it as their own kind.
  dts: { entry: { index: 'src/index.ts', env: 'env.d.ts' } },
  clean: true,
  target: 'node20',
  sourcemap: true,
});
