// The built package from ESM and from CommonJS, as Fastify users load plugins: `require()` gives the plugin
// itself (with `.default`, `.featureFlags` and the named exports on it), `import` gives default and named
// exports, and each of them registers into Fastify. Built with the package's own tsup config into a scratch
// folder; @flagwise/core is loaded from source through tsx (test/packed covers the tarballs).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { afterAll, beforeAll, expect, it } from 'vitest';
import tsupConfig from '../tsup.config.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scratch = path.join(packageDir, '.tmp', `module-formats-${process.pid}`);

const registerAndCall = (plugins: string) => `
  const results = [];
  for (const plugin of ${plugins}) {
    const app = Fastify();
    await app.register(plugin, { source: lib.memorySource({ flags: { beta: true } }) });
    app.get('/', { preHandler: lib.requireFeature('beta'), config: { feature: 'beta' } }, async (req) => ({ beta: req.flags.beta }));
    results.push((await app.inject('/')).json());
    await app.close();
  }`;

beforeAll(async () => {
  mkdirSync(scratch, { recursive: true });
  const config = tsupConfig as Exclude<typeof tsupConfig, unknown[] | ((...args: never[]) => unknown)>;
  // What tsup does from the package's folder: dependencies and peers stay imports.
  const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  await build({
    ...config,
    config: false,
    external: [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})],
    entry: [path.join(packageDir, 'src/index.ts')],
    outDir: path.join(scratch, 'dist'),
    dts: false,
    sourcemap: false,
    silent: true,
  });
}, 60_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(file: string, source: string): any {
  writeFileSync(path.join(scratch, file), source);
  const output = execFileSync(process.execPath, ['--import', 'tsx', file], {
    cwd: scratch,
    encoding: 'utf8',
  });
  return JSON.parse(output);
}

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
