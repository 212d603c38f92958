// biome-ignore-all lint/correctness/noUnusedFunctionParameters: the README snippets, exactly as users paste them
// The README's TypeScript snippets, pasted as they are (compiled by test/types.test.ts without a FlagRegistry).
import {
  createFlags,
  featureFlags,
  flagsFrontendApi,
  flagsJson,
  getFlags,
  handlebarsHelpers,
  requireFeature,
  requireVariant,
} from '@flagwise/express';
import { sourceFromEnv } from '@flagwise/unleash';
import express, { type RequestHandler } from 'express';
import { engine } from 'express-handlebars';

declare const showBeta: RequestHandler;
declare const onePageCheckout: RequestHandler;
declare const classicCheckout: RequestHandler;
declare const pay: RequestHandler;

const app = express();
app.set('view engine', 'ejs');
app.use(featureFlags()); // flags.yaml, reloaded when it changes

app.get('/pricing', (req, res) => res.render('pricing')); // the template sees `flags`
app.get('/beta', requireFeature('beta-page'), (req, res) => res.send('beta')); // 404 when off
app.get('/api/price', (req, res) => {
  const flags = getFlags(req); // or req.flags with the typing below
  res.json({ price: flags.newPricing ? 9 : 10, copy: flags.variant('checkout-copy').name });
});

app.use(
  featureFlags({
    context: (req) => ({ properties: { plan: req.get('x-plan'), country: req.get('cf-ipcountry') } }),
  }),
);

app.get('/beta', requireFeature('beta-page'), showBeta);
app.get('/checkout', requireVariant('checkout-flow', ['one-page']), onePageCheckout);
app.get('/checkout', classicCheckout); // everyone else lands here
app.post(
  '/pay',
  requireFeature('payments-open', {
    onDisabled: (req, res) => res.status(503).send('Payments are paused for maintenance'),
  }),
  pay,
);

app.engine('hbs', engine({ extname: '.hbs', helpers: handlebarsHelpers }));
app.locals.flagsJson = flagsJson;

app.use(
  featureFlags({
    overrides: {
      secret: process.env.FLAGWISE_OVERRIDE_SECRET!, // at least 32 characters
      allow: (req) => req.hostname === 'staging.example.com', // who may; default: nobody
    },
  }),
);

const flags = createFlags({ source: sourceFromEnv(), appName: 'shop' }); // UNLEASH_URL, UNLEASH_API_TOKEN, ...
app.use(featureFlags(flags, { context: (req) => ({ properties: { plan: req.get('x-plan') } }) }));
process.on('SIGTERM', () => flags.close());

app.use(featureFlags()); // first: the Frontend API answers with each request's flags
app.use('/api/frontend', flagsFrontendApi({ clientKeys: ['shop-web'] }));

app.listen(3000);
