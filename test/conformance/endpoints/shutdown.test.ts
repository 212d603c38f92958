// Open pages never hold an app open: with a dashboard, an OFREP and a Frontend API event stream open, each
// framework's own shutdown (`server.close()` on Express and Koa, `app.close()` on Fastify and Nest) finishes within
// a second and ends the three streams; and `client.close()` ends them while the server keeps serving.
import type { Server } from 'node:http';
import { createFlags, type FlagsClient, inlineSource } from '@flagwise/core';
import * as express from '@flagwise/express';
import * as fastify from '@flagwise/fastify';
import * as koa from '@flagwise/koa';
import { afterEach, describe, expect, it } from 'vitest';
import { majors as expressMajors } from '../rows/express.js';
import { majors as fastifyMajors } from '../rows/fastify.js';
import { loadKoa } from '../rows/koa.js';
import { createApp, nestApps } from '../rows/nest.js';
import { type OpenedStream, openEventStream, within } from './event-stream.js';

const FLAGS = { 'new-nav': { browser: true }, 'staff-tools': true };
const STREAMS = ['/_flags/api/events', '/ofrep/v1/events', '/api/frontend/events'];
const allow = () => true;

interface Started {
  url: string;
  /** the framework's own way to stop: resolves when it has finished */
  shutdown(): Promise<void>;
}

function listening(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.once('listening', () => {
      const address = server.address();
      resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    }),
  );
}

/** `server.close()`, resolved when Node says the server has closed. */
const closeServer = (server: Server) =>
  new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));

const apps: Record<string, (client: FlagsClient) => Promise<Started>> = {
  ...Object.fromEntries(
    Object.entries(expressMajors).map(([name, make]) => [
      `${name}: server.close()`,
      async (client: FlagsClient) => {
        const app = make();
        app.use(express.featureFlags(client));
        app.use('/_flags', express.flagsDashboard({ allow }));
        app.use(express.flagsOfrep());
        app.use('/api/frontend', express.flagsFrontendApi());
        const server = app.listen(0, '127.0.0.1');
        return { url: await listening(server), shutdown: () => closeServer(server) };
      },
    ]),
  ),
  ...Object.fromEntries(
    (['koa2', 'koa3'] as const).map((major) => [
      `koa ${major.slice(3)}: server.close()`,
      async (client: FlagsClient) => {
        const Koa = await loadKoa(major);
        const app = new Koa();
        app.use(koa.featureFlags(client));
        app.use(koa.flagsDashboard({ prefix: '/_flags', allow }));
        app.use(koa.flagsOfrep());
        app.use(koa.flagsFrontendApi());
        const server = app.listen(0, '127.0.0.1');
        return { url: await listening(server), shutdown: () => closeServer(server) };
      },
    ]),
  ),
  ...Object.fromEntries(
    fastifyMajors.map(({ name, fastify: make }) => [
      `${name}: app.close()`,
      async (client: FlagsClient) => {
        const app = make();
        await app.register(fastify.featureFlags, { client });
        await app.register(fastify.flagsDashboard, { prefix: '/_flags', allow });
        await app.register(fastify.flagsOfrep());
        await app.register(fastify.flagsFrontendApi(), { prefix: '/api/frontend' });
        await app.listen({ port: 0, host: '127.0.0.1' });
        const address = app.server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        return { url: `http://127.0.0.1:${port}`, shutdown: () => app.close() };
      },
    ]),
  ),
  ...Object.fromEntries(
    nestApps.map(({ name, nest, platform }) => [
      `${name}: app.close()`,
      async (client: FlagsClient) => {
        const { FeatureFlagsModule, FlagsDashboardModule, FlagsOfrepModule, FlagsFrontendApiModule } =
          nest.flagwise;
        class AppModule {}
        nest.common.Module({
          imports: [
            FeatureFlagsModule.forRoot({ client }),
            FlagsDashboardModule.forRoot({ allow }),
            FlagsOfrepModule.forRoot(),
            FlagsFrontendApiModule.forRoot(),
          ],
        })(AppModule);
        const app = await createApp(nest, platform, AppModule);
        await app.listen(0, '127.0.0.1');
        const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
        return { url, shutdown: () => app.close() };
      },
    ]),
  ),
};

const clients: FlagsClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
});

async function openAll(url: string): Promise<OpenedStream[]> {
  const streams = await Promise.all(STREAMS.map((path) => openEventStream(`${url}${path}`)));
  expect(streams.map((stream) => stream.status)).toEqual([200, 200, 200]);
  // Each stream has started: its first event (the dashboard's version) or its id is in.
  await expect
    .poll(() => streams.every((stream) => stream.events.length > 0 || stream.lastEventId !== undefined))
    .toBe(true);
  return streams;
}

describe.each(Object.entries(apps))('%s', (_name, start) => {
  it('finishes within a second with a dashboard, an OFREP and a Frontend API stream open, ending all three', async () => {
    const client = createFlags({ source: inlineSource({ flags: FLAGS }), logger: false });
    clients.push(client);
    await client.ready();
    const app = await start(client);
    const streams = await openAll(app.url);
    await within(app.shutdown(), 1000, 'the shutdown');
    await within(Promise.all(streams.map((stream) => stream.ended)), 1000, 'the end of the streams');
  });

  it('ends the streams on client.close() while the server goes on', async () => {
    const client = createFlags({ source: inlineSource({ flags: FLAGS }), logger: false });
    await client.ready();
    const app = await start(client);
    try {
      const streams = await openAll(app.url);
      await client.close();
      await within(Promise.all(streams.map((stream) => stream.ended)), 1000, 'the end of the streams');
    } finally {
      await within(app.shutdown(), 1000, 'the shutdown');
    }
  });
});
