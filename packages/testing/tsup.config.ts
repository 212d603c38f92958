import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/vitest.ts', 'src/jest.ts', 'src/node-test.ts'],
  format: ['esm', 'cjs'],
  // node-test's declarations name node:test's types, and the rest reach Node's through @flagwise/core's; since
  // TypeScript 6 an app's program holds only the types its files ask for, so each declaration file asks itself.
  dts: { banner: '/// <reference types="node" />' },
  clean: true,
  target: 'node20',
  sourcemap: true,
  // node:test exists only under its node: name; the default strips the prefix.
  removeNodeProtocol: false,
});
