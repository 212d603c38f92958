// Nest's guards and @Flags() outside plain HTTP routes, on every Nest row: GraphQL resolvers (@nestjs/graphql
// with Apollo, over HTTP) are served like routes; a microservice over TCP on loopback and a WebSocket gateway
// (socket.io) refuse every guarded call and `@Flags()`, with a warning naming the handler as the app starts; and
// two Nest apps in one process each check their own guards' flag names.
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createFlags, type FlagsClient, type Logger, memorySource } from '@flagwise/core';
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { NestMajor } from '../nest11/src/index.js';
import { messagesAt, recordingLogger } from '../support/logging.js';
import { CONTEXT_HEADERS as H, type RunningApp } from './contract.js';
import { createApp, majors, nestApps } from './rows/nest.js';

type NestModuleClass = Parameters<NestMajor['core']['NestFactory']['create']>[0];
type Contexts = Awaited<ReturnType<NestMajor['loadContexts']>>;
type RequestFlags = import('@flagwise/core').RequestFlags;

const FLAGS = {
  'beta-page': true,
  'pro-only': { when: { plan: ['pro'] } },
  'only-here': true,
};

/** A logger whose warnings the tests read. */
function warningsLogger(): { logger: Logger; warnings: () => string[] } {
  const { logger, lines } = recordingLogger();
  return { logger, warnings: () => messagesAt(lines, 'warn') };
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function readyClient(flags: object, logger: Logger): Promise<FlagsClient> {
  const client = createFlags({ source: memorySource({ flags: flags as never }), logger });
  cleanups.push(() => client.close());
  await client.ready({ timeoutMs: 5000 });
  return client;
}

async function serve(nest: NestMajor, platform: 'express' | 'fastify', module: NestModuleClass) {
  const app = await createApp(nest, platform, module);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  cleanups.push(() => app.close());
  return { app, url } satisfies Partial<RunningApp> & { app: unknown };
}

const contextsOf = new Map<NestMajor, Promise<Contexts>>();
function loadContexts(nest: NestMajor): Promise<Contexts> {
  if (!contextsOf.has(nest)) contextsOf.set(nest, nest.loadContexts());
  return contextsOf.get(nest)!;
}

describe.each(nestApps.map((app) => [app.name, app] as const))('%s', (_name, { nest, platform }) => {
  const { Module } = nest.common;
  const { FeatureFlagsModule, FeatureRequired, VariantRequired, Flags } = nest.flagwise;

  it('serves guards and @Flags() in GraphQL resolvers (Apollo, over HTTP) like routes', async () => {
    const { graphql, apollo } = await loadContexts(nest);
    const { Resolver, Query, GraphQLModule } = graphql;

    @Resolver()
    class BetaResolver {
      @Query('beta')
      @FeatureRequired('beta-page')
      beta() {
        return 'beta ok';
      }

      @Query('variantB')
      @VariantRequired('beta-page', ['b'])
      variantB() {
        return 'variant b ok';
      }

      @Query('plan')
      plan(@Flags() flags: RequestFlags) {
        return flags.isEnabled('pro-only') ? 'pro' : 'basic';
      }
    }

    const source = memorySource({ flags: FLAGS });
    const client = createFlags({ source, logger: false });
    cleanups.push(() => client.close());
    @Module({
      imports: [
        FeatureFlagsModule.forRoot({
          client,
          context: (req: { headers: Record<string, string | undefined> }) => ({
            properties: { plan: req.headers[H.plan] },
          }),
        }),
        GraphQLModule.forRoot({
          driver: apollo.ApolloDriver,
          typeDefs: 'type Query { beta: String, variantB: String, plan: String }',
        }),
      ],
      providers: [BetaResolver],
    })
    class GraphqlModule {}

    const { url } = await serve(nest, platform, GraphqlModule);
    const query = async (text: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: text }),
      });
      return (await response.json()) as {
        data?: Record<string, unknown>;
        errors?: { message: string; extensions?: { status?: number } }[];
      };
    };

    expect(await query('{ beta }')).toEqual({ data: { beta: 'beta ok' } });
    expect(await query('{ plan }', { [H.plan]: 'pro' })).toEqual({ data: { plan: 'pro' } });
    expect(await query('{ plan }', { [H.plan]: 'basic' })).toEqual({ data: { plan: 'basic' } });
    // A flag without the variant: the field answers as absent.
    const variant = await query('{ variantB }');
    expect(variant.data).toEqual({ variantB: null });
    expect(variant.errors?.[0].message).toBe('Cannot query field "variantB" on type "Query"');

    source.set('beta-page', false);
    const off = await query('{ beta plan }');
    expect(off.data).toEqual({ beta: null, plan: 'basic' });
    expect(off.errors?.map((error) => error.message)).toEqual(['Cannot query field "beta" on type "Query"']);
    // Nest's GraphQL error for a NotFoundException.
    expect(off.errors?.[0].extensions?.status).toBe(404);
  });

  it('refuses a guarded WebSocket (socket.io) message and @Flags() there, naming the handlers as the app starts', async () => {
    const { websockets, platformSocketIo } = await loadContexts(nest);
    const { WebSocketGateway, SubscribeMessage } = websockets;
    let guardedRuns = 0;

    @WebSocketGateway()
    class ChatGateway {
      @SubscribeMessage('beta')
      @FeatureRequired('beta-page')
      beta() {
        guardedRuns++;
        return 'beta ok';
      }

      @SubscribeMessage('flags')
      flags(@Flags() flags: RequestFlags) {
        return flags.isEnabled('beta-page');
      }

      @SubscribeMessage('plain')
      plain() {
        return 'plain ok';
      }
    }

    const { logger, warnings } = warningsLogger();
    const client = await readyClient(FLAGS, logger);
    @Module({ imports: [FeatureFlagsModule.forRoot({ client })], providers: [ChatGateway] })
    class ChatModule {}

    const app = await createApp(nest, platform, ChatModule);
    app.useWebSocketAdapter(new platformSocketIo.IoAdapter(app) as never);
    await app.listen(0, '127.0.0.1');
    cleanups.push(() => app.close());
    expect(warnings()).toEqual([
      expect.stringContaining(
        "@FeatureRequired('beta-page') on ChatGateway.beta, a WebSocket message handler: flagwise reads flags from HTTP requests and GraphQL resolvers, which this call is not, so it refuses every call",
      ),
      expect.stringContaining(
        '@Flags() on ChatGateway.flags, a WebSocket message handler: flagwise reads flags from HTTP requests and GraphQL resolvers, which this call is not, so it throws on every call',
      ),
    ]);

    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const socket = io(url, { transports: ['websocket'], reconnection: false });
    cleanups.push(() => socket.close());
    await once(socket as never, 'connect');
    const exceptions: { status: string; message: string }[] = [];
    socket.on('exception', (exception) => exceptions.push(exception));

    socket.emit('beta', {});
    // Messages are handled in order: once the next answers, the refusal has been sent.
    expect(await socket.emitWithAck('plain', {})).toBe('plain ok');
    expect(exceptions).toEqual([expect.objectContaining({ status: 'error', message: 'Forbidden resource' })]);
    expect(guardedRuns).toBe(0);

    socket.emit('flags', {});
    expect(await socket.emitWithAck('plain', {})).toBe('plain ok');
    expect(exceptions).toHaveLength(2);
    expect(exceptions[1].status).toBe('error');
  });

  it('credits each app its own guards: a flag one app does not define is warned about only in the app that guards it', async () => {
    const first = warningsLogger();
    const second = warningsLogger();
    const { Controller, Get } = nest.common;

    // The first app runs while the second app's controller is made (its decorators run as its file loads).
    @Controller()
    class FirstController {
      @Get('plain')
      plain() {
        return 'plain';
      }
    }
    @Module({
      imports: [
        FeatureFlagsModule.forRoot({ client: await readyClient({ 'beta-page': true }, first.logger) }),
      ],
      controllers: [FirstController],
    })
    class FirstModule {}
    const firstApp = await serve(nest, platform, FirstModule);

    @Controller()
    class SecondController {
      @Get('only-here')
      @FeatureRequired('only-here')
      onlyHere() {
        return 'only here ok';
      }

      @Get('missing')
      @FeatureRequired('nowhere-defined')
      missing() {
        return 'missing';
      }
    }
    const secondClient = await readyClient(FLAGS, second.logger);
    @Module({
      imports: [FeatureFlagsModule.forRoot({ client: secondClient })],
      controllers: [SecondController],
    })
    class SecondModule {}
    const secondApp = await serve(nest, platform, SecondModule);

    expect(await (await fetch(`${secondApp.url}/only-here`)).text()).toBe('only here ok');
    expect((await fetch(`${secondApp.url}/missing`)).status).toBe(404);
    expect(await (await fetch(`${firstApp.url}/plain`)).text()).toBe('plain');
    // Each client checks its guards on the next turn after they are made or served.
    await new Promise((resolve) => setImmediate(resolve));
    const guardWarnings = (warnings: string[]) => warnings.filter((w) => w.includes('which is not defined'));
    expect(guardWarnings(first.warnings())).toEqual([]);
    expect(guardWarnings(second.warnings())).toEqual([
      expect.stringContaining(`@FeatureRequired('nowhere-defined') names flag "nowhere-defined"`),
    ]);
  });
});

describe.each(majors.map((nest) => [`nest ${nest.major}`, nest] as const))(
  '%s microservice over TCP',
  (_name, nest) => {
    it('refuses a guarded message and @Flags() there, naming the handlers as it starts', async () => {
      const { microservices } = await loadContexts(nest);
      const { Controller, Module } = nest.common;
      const { FeatureFlagsModule, FeatureRequired, Flags } = nest.flagwise;
      const { MessagePattern, Transport, ClientProxyFactory } = microservices;
      let guardedRuns = 0;

      @Controller()
      class OrdersController {
        @MessagePattern('beta')
        @FeatureRequired('beta-page')
        beta() {
          guardedRuns++;
          return 'beta ok';
        }

        @MessagePattern('flags')
        flags(@Flags() flags: RequestFlags) {
          return flags.isEnabled('beta-page');
        }

        @MessagePattern('plain')
        plain() {
          return 'plain ok';
        }
      }

      const { logger, warnings } = warningsLogger();
      const client = await readyClient(FLAGS, logger);
      @Module({ imports: [FeatureFlagsModule.forRoot({ client })], controllers: [OrdersController] })
      class OrdersModule {}

      const port = await freePort();
      const options = { transport: Transport.TCP, options: { host: '127.0.0.1', port } };
      const app = await nest.core.NestFactory.createMicroservice(OrdersModule, {
        ...options,
        logger: false,
      } as never);
      await app.listen();
      cleanups.push(() => app.close());
      expect(warnings()).toEqual([
        expect.stringContaining(
          "@FeatureRequired('beta-page') on OrdersController.beta, a microservice message handler: flagwise reads flags from HTTP requests and GraphQL resolvers, which this call is not, so it refuses every call",
        ),
        expect.stringContaining('@Flags() on OrdersController.flags, a microservice message handler'),
      ]);

      const proxy = ClientProxyFactory.create(options as never);
      cleanups.push(() => proxy.close());
      const send = (pattern: string) =>
        new Promise((resolve, reject) => proxy.send(pattern, {}).subscribe({ next: resolve, error: reject }));
      expect(await send('plain')).toBe('plain ok');
      await expect(send('beta')).rejects.toMatchObject({ status: 'error', message: 'Forbidden resource' });
      expect(guardedRuns).toBe(0);
      await expect(send('flags')).rejects.toMatchObject({ status: 'error' });
    });
  },
);

/** A TCP port free on loopback just now (Nest's TCP transport needs one given). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
