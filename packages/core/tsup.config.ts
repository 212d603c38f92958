import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'adapter/index': 'src/adapter/index.ts', app: 'src/app.ts' },
  format: ['esm', 'cjs'],
  // The declarations name Node's types (node:http, node:events, AbortSignal); since TypeScript 6 an app's
  // program holds only the types its files ask for, so each declaration file asks for them itself.
  dts: { banner: '/// <reference types="node" />' },
  clean: true,
  target: 'node20',
  sourcemap: true,
});
