import { defineConfig } from 'tsup';

// Fastify plugins are CommonJS-first: `require('@flagwise/fastify')` must be the plugin itself (with
// `.default`, `.featureFlags` and the other named exports on it), as `module.exports = plugin` gives in
// @fastify/* packages. esbuild's CJS output is a namespace object, so the footer swaps it for the plugin.
const cjsPluginExport = `
{
  const namespace = module.exports;
  const plugin = namespace.featureFlags;
  for (const key of Object.keys(namespace)) if (!(key in plugin)) plugin[key] = namespace[key];
  plugin.default = plugin;
  // fastify-plugin's own alias (plugin.flagwiseFastify) stays usable but out of the export list.
  for (const key of Object.keys(plugin)) if (!(key in namespace)) Object.defineProperty(plugin, key, { enumerable: false });
  module.exports = plugin;
}`;

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'node20',
  sourcemap: true,
  footer: ({ format }) => (format === 'cjs' ? { js: cjsPluginExport } : {}),
});
