// Compiled by test/type-tests.test.ts on its own (it declares flag names, which would narrow every other program):
// what an app gets from `@flagwise/express/env` and a FlagRegistry. Each @ts-expect-error must be an error.

import { featureFlags, type RequestFlags, requireFeature, requireVariant } from '@flagwise/express';
import type {} from '@flagwise/express/env';
import express from 'express';

declare module '@flagwise/core' {
  interface FlagRegistry {
    'new-pricing': true;
    'beta-page': true;
    'checkout-copy': true;
  }
}

const app = express();
app.use(featureFlags({ context: (req) => ({ properties: { plan: req.get('x-plan') } }) }));

app.get('/', (req, res) => {
  const flags: RequestFlags = req.flags;
  const on: boolean = flags.isEnabled('new-pricing');
  const variant: string = req.flags.variant('checkout-copy').name;
  const property: boolean = req.flags.newPricing;
  // @ts-expect-error a misspelt flag name
  req.flags.isEnabled('new-pricng');
  // @ts-expect-error a misspelt flag property
  req.flags.newPricng;
  // @ts-expect-error a misspelt flag name
  req.flags.explain('beta');
  res.send(`${on} ${variant} ${property} ${JSON.stringify(res.locals.flags)}`);
});

app.get('/beta', requireFeature('beta-page'), (_req, res) => {
  res.send('beta');
});
app.get('/copy', requireVariant('checkout-copy', ['short']), (_req, res) => {
  res.send('short');
});
// @ts-expect-error a misspelt flag name
requireFeature('beta-pag');
// @ts-expect-error onDisabled is an Express handler
requireFeature('beta-page', { onDisabled: 503 });
