// A Fastify app's tests on node:test (TypeScript through tsx): one test per flag state from
// @flagwise/testing/node-test. One state fails on purpose, so a run shows that state failing alone, under its own
// name.
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { featureFlags } from '@flagwise/fastify';
import { createTestFlags } from '@flagwise/testing';
import { eachFlagState } from '@flagwise/testing/node-test';
import Fastify from 'fastify';

const copies = { short: 'Buy', long: 'Buy it now' };
const flags = createTestFlags({ 'new-checkout': false });
const app = Fastify();
await app.register(featureFlags, { client: flags });
app.get('/checkout', { config: { feature: 'new-checkout' } }, async () => 'checkout');
app.get('/cart', async (request) => {
  const copy = request.flags!.variant('checkout-copy'); // set by the plugin's hook before every handler
  return copy.enabled ? copy.payload?.value : 'Add to cart';
});
after(() => app.close());

eachFlagState('new-checkout', async (state) => {
  const response = await app.inject({ url: '/checkout', headers: state.headers });
  assert.equal(response.statusCode, state.enabled ? 200 : 404);
});

eachFlagState('checkout-copy', { variants: copies, title: 'GET /cart' }, async (state) => {
  const response = await app.inject({ url: '/cart', headers: state.headers });
  assert.equal(response.body, state.variant ? copies[state.variant as keyof typeof copies] : 'Add to cart');
  if (state.variant === 'long') assert.fail('the long variant fails on purpose');
});
