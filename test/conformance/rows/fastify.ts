// The conformance table's Fastify rows: the same app on Fastify 4 and Fastify 5, wired the way a user would,
// with @fastify/view (the major that goes with each Fastify) rendering EJS.
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { featureFlags, mountEndpoint, requireFeature } from '@flagwise/fastify';
import ejs from 'ejs';
import type { FastifyInstance } from 'fastify5';
import type { AdapterRow, AppHooks, RunningApp } from '../contract.js';
import { contextFromHeaders, flagAnswer, CONTEXT_HEADERS as H, streamDigest } from '../contract.js';
import { readForTelemetry } from '../read-for-telemetry.js';
import { readInOrder } from '../read-in-order.js';

// Both majors side by side through npm aliases; typed with Fastify 5's types (the plugin's augmentation).
const require = createRequire(import.meta.url);
type FastifyFactory = () => FastifyInstance;
export const majors: { name: string; fastify: FastifyFactory; view: unknown }[] = [
  { name: 'fastify 4', fastify: require('fastify4'), view: require('fastify-view9') },
  { name: 'fastify 5', fastify: require('fastify5'), view: require('fastify-view12') },
];
const views = fileURLToPath(new URL('../../templates/views', import.meta.url));

export const rows: AdapterRow[] = majors.map(({ name, fastify, view }) => ({
  name,
  start: async (client, hooks) => {
    const app = fastify();
    await buildApp(app, view, { client, context: contextFromHeaders }, hooks);
    return listen(app);
  },
  startEntry: async (first, second, hooks) => {
    const app = fastify();
    try {
      await buildApp(
        app,
        view,
        second === undefined ? first : { client: first, ...(second as object) },
        hooks,
      );
      return await listen(app);
    } catch (error) {
      await app.close();
      throw error;
    }
  },
  // the endpoint as `app.register(mountEndpoint(...), { prefix })`
  // each endpoint as `app.register(mountEndpoint(...), { prefix })`
  startWithEndpoint: async (client, endpoint, prefix, more = []) => {
    const app = fastify();
    await app.register(featureFlags, { client, context: contextFromHeaders });
    for (const mount of [{ endpoint, prefix }, ...more])
      await app.register(mountEndpoint(mount.endpoint), { prefix: mount.prefix });
    app.get<{ Params: { name: string } }>('/flag/:name', async (request) =>
      flagAnswer(request.flags!, request.params.name),
    );
    app.post('/app/json', async (request) => ({ body: request.body ?? null }));
    // An octet-stream body left unread for the route, which reads the stream itself.
    await app.register(async (raw) => {
      raw.addContentTypeParser('application/octet-stream', (_request, _payload, done) => done(null));
      raw.post('/app/raw', async (request) => streamDigest(request.raw));
    });
    return listen(app);
  },
}));

async function buildApp(app: FastifyInstance, view: unknown, entry: unknown, hooks: AppHooks): Promise<void> {
  await app.register(view as never, { engine: { ejs }, root: views });
  await app.register(featureFlags, entry as never);
  // Auth after the plugin, as @fastify/passport or @fastify/jwt hooks usually are: sets request.user after an await.
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (request) => {
    const user = header(request.headers[H.authUser]);
    if (user === undefined) return;
    await new Promise((resolve) => setImmediate(resolve));
    (request as unknown as { user: unknown }).user = { id: user };
  });

  app.get<{ Params: { name: string } }>('/flag/:name', async (request) => ({
    enabled: request.flags!.isEnabled(request.params.name),
    variant: request.flags!.variant(request.params.name),
  }));
  app.get<{ Params: { property: string } }>('/prop/:property', async (request) => ({
    value: request.flags![request.params.property],
  }));
  app.get<{ Params: { name: string }; Querystring: { wait?: string } }>('/twice/:name', async (request) => {
    const first = request.flags!.isEnabled(request.params.name);
    if (request.query.wait === '1') await hooks.between();
    return { first, second: request.flags!.isEnabled(request.params.name) };
  });
  app.get('/guarded', { config: { feature: 'beta-page' } }, async (_request, reply) => {
    return reply.type('text/plain').send('beta ok');
  });
  app.get(
    '/maintenance',
    {
      preHandler: requireFeature('checkout-open', {
        onDisabled: (_request, reply) => reply.code(503).type('text/plain').send('down for maintenance'),
      }),
    },
    async (_request, reply) => reply.type('text/plain').send('checkout ok'),
  );
  app.get(
    '/variant-b',
    { config: { feature: { name: 'experiment', variants: ['b'] } } },
    async (_request, reply) => reply.type('text/plain').send('variant b ok'),
  );
  app.get('/page', (_request, reply) =>
    (reply as unknown as { view(page: string): unknown }).view('conformance.ejs'),
  );
  app.get<{ Params: { name: string } }>('/explain/:name', async (request) => {
    const explained = request.flags!.explain(request.params.name);
    return {
      explained: explained.enabled,
      enabled: request.flags!.isEnabled(request.params.name),
      reason: explained.reason,
      detail: explained.detail,
    };
  });
  app.get<{ Querystring: Record<string, unknown> }>('/telemetry', async (request) =>
    readForTelemetry(request.flags!, request.query),
  );
  app.get<{ Params: { name: string }; Querystring: { order?: string } }>('/reads/:name', async (request) =>
    readInOrder(request.flags!, request.params.name, request.query.order),
  );
  app.get<{ Params: { name: string } }>('/late/:name', (request, reply) => {
    const flags = request.flags!;
    const name = request.params.name;
    // Fastify sends the headers when it starts piping the stream: the flag is first read after that.
    return reply.type('text/plain').send(
      Readable.from(
        (async function* () {
          yield 'late:';
          await new Promise((resolve) => setImmediate(resolve));
          yield String(flags.isEnabled(name));
        })(),
      ),
    );
  });
  app.get('/typo', { config: { feature: 'beta-pgae' } }, async () => 'typo ok');
  app.get(
    '/no-variants',
    { config: { feature: { name: 'beta-page', variants: ['on'] } } },
    async () => 'no variants ok',
  );
}

export function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export async function listen(app: FastifyInstance): Promise<RunningApp> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('fastify row: expected a TCP address');
  return { url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}
