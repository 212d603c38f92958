// The conformance table's Express rows: the same app on Express 4 and Express 5, wired the way a user would.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { featureFlags, getFlags, mountEndpoint, requireFeature, requireVariant } from '@flagwise/express';
import ejs from 'ejs';
import type { Express, Request, RequestHandler } from 'express';
import { listen } from '../../support/http.js';
import type { AdapterRow, AppHooks, RunningApp } from '../contract.js';
import { contextFromHeaders, flagAnswer, CONTEXT_HEADERS as H, streamDigest } from '../contract.js';
import { readForTelemetry } from '../read-for-telemetry.js';
import { readInOrder } from '../read-in-order.js';

export { listen };

// Both majors side by side through npm aliases; they share one set of types (@types/express 5).
const require = createRequire(import.meta.url);
export const majors = { 'express 4': require('express4'), 'express 5': require('express5') } as Record<
  string,
  () => Express
>;
const views = fileURLToPath(new URL('../../templates/views', import.meta.url));

export const rows: AdapterRow[] = Object.entries(majors).map(([name, express]) => ({
  name,
  start: (client, hooks) => startApp(express(), client, { context: contextFromHeaders }, hooks),
  startEntry: (first, second, hooks) => startApp(express(), first, second, hooks),
  // each endpoint under `app.use(prefix, mountEndpoint(...))`
  startWithEndpoint: (client, endpoint, prefix, more = []) => {
    const app = express();
    app.use(featureFlags(client, { context: contextFromHeaders }));
    for (const mount of [{ endpoint, prefix }, ...more])
      app.use(mount.prefix || '/', mountEndpoint(mount.endpoint));
    app.get('/flag/:name', (req, res) => {
      res.json(flagAnswer(getFlags(req), req.params.name));
    });
    // express.json() is a property of both majors' default export.
    const json = (express as unknown as { json(): RequestHandler }).json();
    app.post('/app/json', json, (req, res) => {
      res.json({ body: req.body ?? null });
    });
    app.post('/app/raw', async (req, res, next) => {
      try {
        res.json(await streamDigest(req));
      } catch (error) {
        next(error);
      }
    });
    return listen(app);
  },
}));

/** The app as the README starts it: the middleware's startup awaited before listening. */
async function startApp(app: Express, first: unknown, second: unknown, hooks: AppHooks): Promise<RunningApp> {
  const flags = featureFlags(first as never, second as never);
  buildApp(app, flags, hooks);
  await flags.ready();
  return listen(app);
}

function buildApp(app: Express, flags: RequestHandler, hooks: AppHooks): Express {
  // pnpm's strict layout: Express cannot require('ejs') itself, so the engine is registered explicitly.
  app.engine('ejs', ejs.renderFile as never);
  app.set('view engine', 'ejs');
  app.set('views', views);
  app.use(flags);
  // Auth after featureFlags(), as passport usually is: sets req.user after an await.
  app.use((req, _res, next) => {
    const user = req.get(H.authUser);
    if (user === undefined) return next();
    setImmediate(() => {
      (req as Request & { user?: unknown }).user = { id: user };
      next();
    });
  });

  app.get('/flag/:name', (req, res) => {
    const flags = getFlags(req);
    res.json({ enabled: flags.isEnabled(req.params.name), variant: flags.variant(req.params.name) });
  });
  app.get('/prop/:property', (req, res) => {
    res.json({ value: getFlags(req)[req.params.property] });
  });
  app.get('/twice/:name', async (req, res, next) => {
    try {
      const flags = getFlags(req);
      const first = flags.isEnabled(req.params.name);
      if (req.query.wait === '1') await hooks.between();
      res.json({ first, second: flags.isEnabled(req.params.name) });
    } catch (error) {
      next(error);
    }
  });
  app.get('/guarded', requireFeature('beta-page'), (_req, res) => {
    res.type('text').send('beta ok');
  });
  app.get(
    '/maintenance',
    requireFeature('checkout-open', {
      onDisabled: (_req, res) => {
        res.status(503).type('text').send('down for maintenance');
      },
    }),
    (_req, res) => {
      res.type('text').send('checkout ok');
    },
  );
  app.get('/variant-b', requireVariant('experiment', ['b']), (_req, res) => {
    res.type('text').send('variant b ok');
  });
  app.get('/page', (_req, res) => {
    res.render('conformance');
  });
  app.get('/explain/:name', (req, res) => {
    const flags = getFlags(req);
    const explained = flags.explain(req.params.name);
    res.json({
      explained: explained.enabled,
      enabled: flags.isEnabled(req.params.name),
      reason: explained.reason,
      detail: explained.detail,
    });
  });
  app.get('/telemetry', (req, res) => {
    res.json(readForTelemetry(getFlags(req), req.query));
  });
  app.get('/reads/:name', (req, res) => {
    res.json(readInOrder(getFlags(req), req.params.name, req.query.order));
  });
  app.get('/late/:name', (req, res) => {
    res.type('text').write('late:');
    res.end(String(getFlags(req).isEnabled(req.params.name)));
  });
  app.get('/typo', requireFeature('beta-pgae'), (_req, res) => {
    res.type('text').send('typo ok');
  });
  app.get('/no-variants', requireVariant('beta-page', ['on']), (_req, res) => {
    res.type('text').send('no variants ok');
  });
  return app;
}
