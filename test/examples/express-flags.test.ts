// The Express demo's flags, both paths each, on Express 4 and 5 with @flagwise/testing and supertest.
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { featureFlags } from '@flagwise/express';
import type { Express } from 'express';
import { createDemoApp } from '../../examples/express/src/app.js';
import { describeExampleFlags, supertestGet } from './example-flags.js';

const require = createRequire(import.meta.url);

for (const major of [4, 5]) {
  const express = require(`express${major}`) as () => Express;
  describeExampleFlags(`examples/express on Express ${major}`, 'express', async (flags) => {
    const server: Server = createDemoApp(featureFlags(flags), express()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    return {
      get: supertestGet(server),
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  });
}
