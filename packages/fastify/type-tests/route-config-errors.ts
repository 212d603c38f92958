// A misspelled flag in a route's config.feature, under a typed FlagRegistry, reads as a flag name that is not
// declared, with the nearest one (checked message by message: see test/type-tests.test.ts).
import { featureFlags } from '@flagwise/fastify';
import Fastify from 'fastify';

declare module '@flagwise/fastify' {
  interface FlagRegistry {
    'new-pricing': true;
    'beta-page': true;
  }
}

const app = Fastify();
await app.register(featureFlags);
app.get('/beta', { config: { feature: 'beta-page' } }, async () => 'beta');
app.get('/object', { config: { feature: { name: 'beta-page', variants: ['b'] } } }, async () => 'b');
// error reads: Type '"beta-pgae"' is not assignable to type 'FeatureRouteConfig'. Did you mean '"beta-page"'?
app.get('/typo', { config: { feature: 'beta-pgae' } }, async () => 'x');
// error reads: Type '"beta-pgae"' is not assignable to type 'keyof FlagRegistry'. Did you mean '"beta-page"'?
app.get('/typo-object', { config: { feature: { name: 'beta-pgae' } } }, async () => 'x');
