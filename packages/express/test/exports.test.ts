// The published surface: the export names (a change here is a change for users), and the built package from
// ESM and from CommonJS serving a real Express app. Built with the package's own tsup config into a scratch
// folder; @flagwise/core is loaded from source through tsx (test/packed covers the tarballs).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { builtPackage } from '../../../test/support/built-package.js';
import { valueNames, withAppValues } from '../../../test/support/exports.js';
import tsupConfig from '../tsup.config.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = builtPackage(packageDir, 'exports', tsupConfig);

const EXPORTS = withAppValues([
  'featureFlags',
  'flagsDashboard',
  'flagsFrontendApi',
  'flagsOfrep',
  'getFlags',
  'mountEndpoint',
  'requireFeature',
  'requireVariant',
]);

it('exports these names, and nothing else', async () => {
  expect(valueNames(await import('../src/index.js'))).toEqual(EXPORTS);
});

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
  expect(result).toEqual({ names: EXPORTS, beta: { beta: true }, off: 404 });
});

it('works from ESM: import and an Express app', () => {
  const result = run(
    'check.mjs',
    `import * as lib from './dist/index.js'; import express from 'express'; ${serve}`,
  );
  expect(result).toEqual({ names: EXPORTS, beta: { beta: true }, off: 404 });
});
