// The built package from ESM and from CommonJS, as Fastify users load plugins: `require()` gives the plugin
// itself (with `.default`, `.featureFlags` and the named exports on it), `import` gives default and named
// exports, and each of them registers into Fastify. Built with the package's own tsup config into a scratch
// folder; @flagwise/core is loaded from source through tsx (test/packed covers the tarballs).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { builtPackage } from '../../../test/support/built-package.js';
import tsupConfig from '../tsup.config.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = builtPackage(packageDir, 'module-formats', tsupConfig);

const registerAndCall = (plugins: string) => `
  const results = [];
  for (const plugin of ${plugins}) {
    const app = Fastify();
    await app.register(plugin, { source: lib.memorySource({ flags: { beta: true } }) });
    app.get('/', { preHandler: lib.requireFeature('beta'), config: { feature: 'beta' } }, async (req) => ({ beta: req.flags.beta }));
    results.push((await app.inject('/')).json());
    await app.close();
  }`;

it('require() gives the plugin itself, with default, featureFlags and the named exports on it', () => {
  const result = run(
    'check.cjs',
    `const lib = require('./dist/index.cjs');
     const Fastify = require('fastify');
     // What TypeScript and Babel compile \`import featureFlags from '@flagwise/fastify'\` to:
     const interopDefault = lib && lib.__esModule ? lib.default : lib;
     (async () => {
       ${registerAndCall('[lib, lib.default, lib.featureFlags, interopDefault]')}
       console.log(JSON.stringify({
         isFunction: typeof lib === 'function',
         same: [lib.default, lib.featureFlags, interopDefault].every((p) => p === lib),
         keys: Object.keys(lib).sort(),
         results,
       }));
     })();`,
  );
  expect(result.isFunction).toBe(true);
  expect(result.same).toBe(true);
  expect(result.keys).toEqual(
    expect.arrayContaining(['default', 'featureFlags', 'requireFeature', 'createFlags']),
  );
  expect(result.keys).not.toContain('flagwiseFastify');
  expect(result.results).toEqual(Array(4).fill({ beta: true }));
});

it('import gives the plugin as the default and as a named export', () => {
  const result = run(
    'check.mjs',
    `import featureFlags, * as lib from './dist/index.js';
     import Fastify from 'fastify';
     ${registerAndCall('[featureFlags, lib.featureFlags]')}
     console.log(JSON.stringify({ same: featureFlags === lib.featureFlags, results }));`,
  );
  expect(result).toEqual({ same: true, results: [{ beta: true }, { beta: true }] });
});
