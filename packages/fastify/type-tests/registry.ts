// A FlagRegistry declared through this package narrows flag names in guards, route configs and request.flags.
import { requireFeature } from '@flagwise/fastify';
import Fastify from 'fastify';

declare module '@flagwise/fastify' {
  interface FlagRegistry {
    'new-pricing': true;
    'beta-page': true;
  }
}

const app = Fastify();
app.get('/pricing', { preHandler: requireFeature('new-pricing') }, async (request) => ({
  on: request.flags!.isEnabled('new-pricing'),
  property: request.flags!.newPricing as boolean,
}));
app.get(
  '/beta',
  { config: { feature: { name: 'beta-page', onDisabled: (_request, reply) => reply.code(503).send() } } },
  async () => 'beta',
);
// @ts-expect-error not a declared flag
requireFeature('nope');
// @ts-expect-error not a declared flag
app.get('/typo', { config: { feature: 'beta-pgae' } }, async () => 'x');
// @ts-expect-error not a declared flag
app.get('/typo2', async (request) => request.flags!.isEnabled('new-prising'));
// @ts-expect-error not a declared flag property
app.get('/typo3', async (request) => request.flags!.newPricng);
