// The Koa demo's flags, both paths each, on Koa 2 and 3 with @flagwise/testing and supertest.
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { featureFlags } from '@flagwise/koa';
import type Koa from 'koa';
import { createDemoApp, type DemoState } from '../../examples/koa/src/app.js';
import { describeExampleFlags, supertestGet } from './example-flags.js';

// Both majors are installed under npm aliases (koa2, koa3); they share @types/koa.
const require = createRequire(import.meta.url);
async function loadKoa(major: number): Promise<new () => Koa<DemoState>> {
  const name = `koa${major}`;
  const { version } = require(`${name}/package.json`) as { version: string };
  if (version.split('.')[0] !== String(major)) throw new Error(`${name} resolves to koa ${version}`);
  return ((await import(name)) as { default: new () => Koa<DemoState> }).default;
}
const majors = { 2: await loadKoa(2), 3: await loadKoa(3) } as Record<number, new () => Koa<DemoState>>;

for (const major of [2, 3]) {
  describeExampleFlags(`examples/koa on Koa ${major}`, 'koa', async (flags) => {
    const server: Server = createDemoApp(featureFlags(flags), new majors[major]()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    return {
      get: supertestGet(server),
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  });
}
