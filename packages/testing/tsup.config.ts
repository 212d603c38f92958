import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/vitest.ts', 'src/jest.ts', 'src/node-test.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'node20',
  sourcemap: true,
  // node:test exists only under its node: name; the default strips the prefix.
  removeNodeProtocol: false,
});
