// The README's snippets, as pasted (wrapped in functions only where they need an app); compiled by
// test/types.test.ts.
import fastifyView from '@fastify/view';
import { featureFlags, flagsFrontendApi, requireFeature } from '@flagwise/fastify';
import ejs from 'ejs';
import Fastify from 'fastify';

export async function use() {
  const app = Fastify({ logger: true });
  // Await it before declaring routes: its onRoute hook must see them. app.ready() waits for the flags.
  await app.register(featureFlags); // flags.yaml, reloaded when it changes

  app.get('/api/price', async (request) => ({
    price: request.flags!.newPricing ? 9 : 10, // set by the plugin's hook before every handler
    copy: request.flags!.variant('checkout-copy').name,
  }));

  // Guards: Fastify's normal 404 (your not-found handler) while the flag is off for this request.
  app.get('/beta', { config: { feature: 'beta-page' } }, async () => 'beta');
  app.get(
    '/checkout/b',
    { config: { feature: { name: 'checkout-copy', variants: ['short'] } } },
    async () => 'short copy',
  );
  app.post(
    '/checkout',
    {
      config: {
        feature: {
          name: 'checkout-open',
          onDisabled: (_request, reply) => reply.code(503).send('down for maintenance'),
        },
      },
    },
    async () => ({ paid: true }),
  );
  // The same as a hook, where you prefer it imperative (preHandler always runs after the plugin's hook):
  app.get('/beta/api', { preHandler: requireFeature('beta-page') }, async () => ({ beta: true }));

  await app.listen({ port: 3000 });
  return app;
}

export async function views(app: Awaited<ReturnType<typeof use>>) {
  await app.register(fastifyView, { engine: { ejs }, root: 'views' });
  app.get('/pricing', (_request, reply) => reply.view('pricing.ejs'));
}

export async function overrides() {
  const app = Fastify();
  await app.register(featureFlags, {
    overrides: {
      secret: process.env.FLAGWISE_SECRET!, // at least 32 characters
      allow: (request) => request.headers['x-qa'] === 'yes', // e.g. a QA role from your login
    },
  });
}

export async function frontendApi() {
  const app = Fastify();
  await app.register(featureFlags); // first: the Frontend API answers with each request's flags
  await app.register(flagsFrontendApi({ clientKeys: ['shop-web'] }), { prefix: '/api/frontend' });
}
