// The published surface: the export names (a change here is a change for users), and the built package from
// ESM and from CommonJS serving a real Express app. Built with the package's own tsup config into a scratch
// folder; @flagwise/core is loaded from source through tsx (test/packed covers the tarballs).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { afterAll, beforeAll, expect, it } from 'vitest';
import tsupConfig from '../tsup.config.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scratch = path.join(packageDir, '.tmp', `exports-${process.pid}`);

const EXPORTS = [
  'ConfigurationError',
  'FlagsClient',
  'FlagwiseError',
  'consoleLogger',
  'createFlags',
  'defaultFileSource',
  'featureFlags',
  'fileSource',
  'flagsDashboard',
  'flagsFrontendApi',
  'flagsJson',
  'flagsOfrep',
  'getFlags',
  'handlebarsHelpers',
  'inlineSource',
  'memorySource',
  'mountEndpoint',
  'requireFeature',
  'requireVariant',
];

it('exports these names, and nothing else', async () => {
  expect(Object.keys(await import('../src/index.js')).sort()).toEqual([...EXPORTS].sort());
});

beforeAll(async () => {
  mkdirSync(scratch, { recursive: true });
  const config = tsupConfig as Exclude<typeof tsupConfig, unknown[] | ((...args: never[]) => unknown)>;
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

function run(file: string, source: string): unknown {
  writeFileSync(path.join(scratch, file), source);
  return JSON.parse(
    execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: scratch, encoding: 'utf8' }),
  );
}

// Serves one guarded route on a real port and prints what two requests answered.
const serve = `
  const app = express();
  app.use(lib.featureFlags({ source: lib.memorySource({ flags: { beta: true, off: false } }) }));
  app.get('/beta', lib.requireFeature('beta'), (req, res) => res.json({ beta: lib.getFlags(req).beta }));
  app.get('/off', lib.requireFeature('off'), (req, res) => res.json({ off: true }));
  const server = app.listen(0, '127.0.0.1', async () => {
    const url = 'http://127.0.0.1:' + server.address().port;
    const beta = await (await fetch(url + '/beta')).json();
    const off = (await fetch(url + '/off')).status;
    server.close();
    console.log(JSON.stringify({ names: Object.keys(lib).filter((k) => k !== 'default' && k !== '__esModule').sort(), beta, off }));
  });`;

it('works from CommonJS: require() and an Express app', () => {
  const result = run(
    'check.cjs',
    `const lib = require('./dist/index.cjs'); const express = require('express'); ${serve}`,
  );
  expect(result).toEqual({ names: [...EXPORTS].sort(), beta: { beta: true }, off: 404 });
});

it('works from ESM: import and an Express app', () => {
  const result = run(
    'check.mjs',
    `import * as lib from './dist/index.js'; import express from 'express'; ${serve}`,
  );
  expect(result).toEqual({ names: [...EXPORTS].sort(), beta: { beta: true }, off: 404 });
});
