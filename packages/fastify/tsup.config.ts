import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'node20',
  sourcemap: true,
  // Fastify plugins are CommonJS-first: the CommonJS build starts from index.cts, which exports the plugin
  // itself; the types of both formats are those of index.ts.
  esbuildOptions(options, { format }) {
    if (format !== 'cjs') return;
    const entries = options.entryPoints as string[] | Record<string, string>;
    const toCjs = (entry: string) => entry.replace(/index\.ts$/, 'index.cts');
    options.entryPoints = Array.isArray(entries)
      ? entries.map(toCjs)
      : Object.fromEntries(Object.entries(entries).map(([name, entry]) => [name, toCjs(entry)]));
  },
});
