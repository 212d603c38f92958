// request.flags is typed as it behaves: null until the plugin's hook has run, the flags after it.
import { featureFlags, type RequestFlags } from '@flagwise/fastify';
import Fastify from 'fastify';

const app = Fastify();
await app.register(featureFlags);

app.addHook('onRequest', async (request) => {
  // @ts-expect-error null until the plugin's hook has run: a hook of the app's own may run first
  request.flags.newPricing;
  const flags: RequestFlags | null = request.flags;
  if (flags !== null) flags.isEnabled('new-pricing');
});

app.get('/', async (request) => request.flags!.newPricing);
