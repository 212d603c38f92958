// An Express app's tests on jest 30: one test per flag state from @flagwise/testing/jest, through jest's global
// test(). One state fails on purpose, so a run shows that state failing alone, under its own name.
import { featureFlags, getFlags, requireFeature } from '@flagwise/express';
import { createTestFlags } from '@flagwise/testing';
import { eachFlagState } from '@flagwise/testing/jest';
import { afterAll, expect } from '@jest/globals';
import express from 'express';
import request from 'supertest';

const copies = { short: 'Buy', long: 'Buy it now' };
const flags = createTestFlags({ 'new-checkout': false });
const app = express();
app.use(featureFlags(flags));
app.get('/checkout', requireFeature('new-checkout'), (_req, res) => {
  res.send('checkout');
});
app.get('/cart', (req, res) => {
  const copy = getFlags(req).variant('checkout-copy');
  res.send(copy.enabled ? copy.payload?.value : 'Add to cart');
});
afterAll(() => flags.close());

eachFlagState('new-checkout', async (state) => {
  await request(app)
    .get('/checkout')
    .set(state.headers)
    .expect(state.enabled ? 200 : 404);
  expect(flags.request(state.title)?.didRead('new-checkout')).toBe(true);
});

eachFlagState('checkout-copy', { variants: copies, title: 'GET /cart' }, async (state) => {
  const response = await request(app).get('/cart').set(state.headers).expect(200);
  expect(response.text).toBe(state.variant ? copies[state.variant as keyof typeof copies] : 'Add to cart');
  if (state.variant === 'long') throw new Error('the long variant fails on purpose');
});
