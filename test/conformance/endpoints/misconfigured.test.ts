// A mount without featureFlags() before it fails with a message that says what to add: at startup where the
// framework lets a plugin or module check (Fastify, Nest), on the first request otherwise (Express, Koa).
import type { Endpoint } from '@flagwise/core/adapter';
import { mountEndpoint as mountExpress } from '@flagwise/express';
import { mountEndpoint as mountFastify } from '@flagwise/fastify';
import { mountEndpoint as mountKoa } from '@flagwise/koa';
import type { ErrorRequestHandler } from 'express';
import { describe, expect, it } from 'vitest';
import { majors as expressMajors, listen } from '../rows/express.js';
import { majors as fastifyMajors } from '../rows/fastify.js';
import { loadKoa } from '../rows/koa.js';
import { majors } from '../rows/nest.js';

const endpoint: Endpoint<any> = { name: 'testEndpoint()', handle: () => ({ status: 200, body: 'ok' }) };

describe('an endpoint mounted without featureFlags()', () => {
  it('Express: the first request fails, saying to add featureFlags() first', async () => {
    const app = expressMajors['express 5']();
    let message = '';
    app.use('/_m', mountExpress(endpoint));
    app.use(((error, _req, res, _next) => {
      message = error.message;
      res.status(500).end();
    }) as ErrorRequestHandler);
    const running = await listen(app);
    try {
      expect((await fetch(`${running.url}/_m`)).status).toBe(500);
      expect(message).toContain("add `app.use(featureFlags())` before `app.use('/_m', testEndpoint())`");
    } finally {
      await running.close();
    }
  });

  it('Fastify: startup fails, saying to register featureFlags first', async () => {
    const app = fastifyMajors[1].fastify();
    app.register(mountFastify(endpoint), { prefix: '/_m' });
    await expect(app.ready()).rejects.toThrow(/register featureFlags first/);
  });

  it('Koa: the first request fails, saying to add featureFlags() first', async () => {
    const Koa = await loadKoa('koa3');
    const app = new Koa();
    app.silent = true;
    let message = '';
    app.on('error', (error: Error) => {
      message = error.message;
    });
    app.use(mountKoa(endpoint, { prefix: '/_m' }));
    const running = await listen(app);
    try {
      expect((await fetch(`${running.url}/_m/x`)).status).toBe(500);
      expect(message).toContain('add `app.use(featureFlags())` before `app.use(testEndpoint())`');
    } finally {
      await running.close();
    }
  });

  it.each(majors.map((nest) => [nest.major, nest] as const))(
    'Nest %i: startup fails, saying to import FeatureFlagsModule',
    async (_major, nest) => {
      const { Module } = nest.common;
      class AppModule {}
      Module({ imports: [nest.flagwise.FlagsEndpointModule.forRoot({ path: '_m', endpoint })] })(AppModule);
      await expect(
        nest.core.NestFactory.create(AppModule, new nest.platformExpress.ExpressAdapter(), {
          logger: false,
          abortOnError: false,
        }),
      ).rejects.toThrow(/import FeatureFlagsModule/);
    },
  );
});
