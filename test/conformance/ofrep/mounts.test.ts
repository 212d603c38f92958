// Each adapter's own OFREP mount (`flagsOfrep()`: an Express middleware, a Fastify plugin, a Koa middleware;
// `FlagsOfrepModule.forRoot()` on every Nest row), as an app writes it, at the root and below a path: the bulk
// answer holds the request user's browser flags only, and a flag that is not browser-visible is not found.
import { createFlags, type FlagsClient, inlineSource } from '@flagwise/core';
import * as express from '@flagwise/express';
import * as fastify from '@flagwise/fastify';
import * as koa from '@flagwise/koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NestMajor } from '../../nest11/src/index.js';
import type { RunningApp } from '../contract.js';
import { CONTEXT_HEADERS as H } from '../contract.js';
import { openEventStream } from '../endpoints/event-stream.js';
import { majors as expressMajors, listen as listenExpress } from '../rows/express.js';
import { majors as fastifyMajors, header, listen as listenFastify } from '../rows/fastify.js';
import { contextFromHeaders, loadKoa } from '../rows/koa.js';
import { listen as listenNest, nestApps, type Platform } from '../rows/nest.js';

const FLAGS = {
  'new-nav': { browser: true, users: ['u1'] },
  'dark-mode': { browser: true },
  'staff-tools': { users: ['u1'] },
};

type Mount = (client: FlagsClient, path: string) => Promise<RunningApp & { dispose?(): void }>;

const mounts: Record<string, Mount> = {
  'express 5: app.use(path, flagsOfrep())': (client, path) => {
    const app = expressMajors['express 5']();
    app.use(express.featureFlags(client, { context: (req) => ({ userId: req.get(H.userId) }) }));
    app.use(path, express.flagsOfrep());
    return listenExpress(app);
  },
  'fastify 5: app.register(flagsOfrep(), { prefix })': async (client, path) => {
    const app = fastifyMajors[1].fastify();
    await app.register(fastify.featureFlags, {
      client,
      context: (request) => ({ userId: header(request.headers[H.userId]) }),
    });
    await app.register(fastify.flagsOfrep(), { prefix: path === '/' ? '' : path });
    return listenFastify(app);
  },
  'koa 3: app.use(flagsOfrep({ prefix }))': async (client, path) => {
    const Koa = await loadKoa('koa3');
    const app = new Koa();
    app.use(koa.featureFlags(client, { context: contextFromHeaders }));
    const mount = path === '/' ? koa.flagsOfrep() : koa.flagsOfrep({ prefix: path });
    app.use(mount);
    const running = await listenExpress(app);
    return {
      ...running,
      close: () => {
        mount.close();
        return running.close();
      },
    };
  },
  ...Object.fromEntries(
    nestApps.map(({ name, nest, platform }) => [
      `${name}: imports: [FlagsOfrepModule.forRoot({ path })]`,
      (client: FlagsClient, path: string) => startNest(nest, platform, client, path),
    ]),
  ),
};

async function startNest(
  nest: NestMajor,
  platform: Platform,
  client: FlagsClient,
  path: string,
): Promise<RunningApp> {
  const { FeatureFlagsModule, FlagsOfrepModule } = nest.flagwise;
  class AppModule {}
  nest.common.Module({
    imports: [
      FeatureFlagsModule.forRoot({
        client,
        context: (req: { headers: Record<string, string | undefined> }) => ({
          userId: req.headers[H.userId],
        }),
      }),
      path === '/' ? FlagsOfrepModule.forRoot() : FlagsOfrepModule.forRoot({ path: path.slice(1) }),
    ],
  })(AppModule);
  return listenNest(nest, platform, AppModule);
}

describe.each(Object.entries(mounts))('%s', (_name, mount) => {
  let client: FlagsClient;
  beforeAll(async () => {
    client = createFlags({ source: inlineSource({ flags: FLAGS }) });
    await client.ready();
  });
  afterAll(() => client.close());

  it.each(['/', '/features'])('serves OFREP below %s', async (path) => {
    const app = await mount(client, path);
    try {
      const base = `${app.url}${path === '/' ? '' : path}/ofrep/v1/evaluate/flags`;
      const post = (url: string) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [H.userId]: 'u1' },
          body: JSON.stringify({ context: { targetingKey: 'u2' } }),
        });
      const bulk = await post(base);
      expect(bulk.status).toBe(200);
      const { eventStreams, ...answer } = await bulk.json();
      // The stream follows the mount point: a page's provider reaches it through its own baseUrl's origin.
      const mountPath = path === '/' ? '' : path;
      expect(eventStreams).toEqual([
        {
          type: 'sse',
          endpoint: {
            requestUri: expect.stringMatching(new RegExp(`^${mountPath}/ofrep/v1/events\\?since=`)),
          },
          inactivityDelaySec: 120,
        },
      ]);
      const stream = await openEventStream(`${app.url}${eventStreams[0].endpoint.requestUri}`, {
        [H.userId]: 'u1',
      });
      expect(stream.status).toBe(200);
      await expect.poll(() => stream.lastEventId).toBeDefined();
      stream.close();
      expect(answer).toEqual({
        flags: [
          {
            key: 'new-nav',
            value: true,
            reason: 'TARGETING_MATCH',
            metadata: { reason: 'strategy-matched', enabled: true },
          },
          {
            key: 'dark-mode',
            value: true,
            reason: 'STATIC',
            metadata: { reason: 'strategy-matched', enabled: true },
          },
        ],
      });
      const hidden = await post(`${base}/staff-tools`);
      expect(hidden.status).toBe(404);
      expect(await hidden.json()).toMatchObject({ key: 'staff-tools', errorCode: 'FLAG_NOT_FOUND' });
    } finally {
      await app.close();
    }
  });
});
