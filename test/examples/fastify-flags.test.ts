// The Fastify demo's flags, both paths each, on Fastify 4 and 5 with @flagwise/testing and Fastify's inject.
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import { createDemoApp, type DemoFramework } from '../../examples/fastify/src/app.js';
import { describeExampleFlags } from './example-flags.js';

const require = createRequire(import.meta.url);
const majors: Record<number, DemoFramework> = {
  4: { fastify: require('fastify4'), cookie: require('fastify-cookie9'), view: require('fastify-view9') },
  5: { fastify: require('fastify5'), cookie: require('fastify-cookie11'), view: require('fastify-view12') },
};

for (const major of [4, 5]) {
  describeExampleFlags(`examples/fastify on Fastify ${major}`, 'fastify', async (flags) => {
    const app = await createDemoApp({ client: flags }, majors[major]);
    expect(app.version.split('.')[0]).toBe(String(major));
    return {
      get: async (url, headers) => {
        const res = await app.inject({ method: 'GET', url, headers });
        return { status: res.statusCode, text: res.body };
      },
      close: () => app.close(),
    };
  });
}
