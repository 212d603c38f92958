// The CommonJS entry: `require('@flagwise/fastify')` is the plugin itself, as with every @fastify/* plugin
// (fastify-cookie's plugin.js ends the same way), with `default`, `featureFlags` and every named export of the
// ES module entry (index.ts) on it. The build takes this file for the CommonJS format and index.ts for ESM.
const lib: typeof import('./index.js') = require('./index.js');

const plugin = lib.featureFlags as typeof lib.featureFlags & Record<string, unknown>;
for (const [key, value] of Object.entries(lib)) if (!(key in plugin)) plugin[key] = value;
plugin.default = plugin;
// fastify-plugin's own alias (`plugin.flagwiseFastify`) stays usable, but out of the export list.
for (const key of Object.keys(plugin)) {
  if (!(key in lib)) Object.defineProperty(plugin, key, { enumerable: false });
}

module.exports = plugin;
