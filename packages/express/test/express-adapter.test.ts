// The Express adapter against real Express 4 and 5 apps over HTTP: guard semantics in every place a guard can
// be mounted, the request context defaults, overrides' Set-Cookie, and holding requests until flags are ready.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createFlags, type FlagsClient, type Logger } from '@flagwise/core';
import type { Express, NextFunction, Request, Response } from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { messagesAt, recordingLogger } from '../../../test/support/logging.js';
import { lateSource } from '../../../test/support/sources.js';
import { waitFor } from '../../../test/support/waiting.js';
import {
  ConfigurationError,
  featureFlags,
  fileSource,
  getFlags,
  inlineSource,
  memorySource,
  requireFeature,
  requireVariant,
} from '../src/index.js';

const require = createRequire(import.meta.url);
const majors: [string, typeof import('express')][] = [
  ['express 4', require('express4')],
  ['express 5', require('express')],
];

const SECRET = 'express-adapter-test-secret-0123456789abcdef';
const clients: FlagsClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function readyClient(flags: Record<string, boolean | { variant: string }>, options = {}) {
  const client = createFlags({ source: memorySource({ flags }), ...options });
  clients.push(client);
  await client.ready({ timeoutMs: 2000 });
  return client;
}

const notFoundPage = (_req: Request, res: Response) => {
  res.status(404).type('text').send('custom not found');
};

describe.each(majors)('%s', (_name, express) => {
  const appWith = (client: FlagsClient) => {
    const app: Express = express();
    app.use(featureFlags(client));
    return app;
  };

  describe('requireFeature', () => {
    it('on a route: runs the handler when on; when off skips to later routes and the app’s own 404', async () => {
      const client = await readyClient({ 'beta-page': false, 'new-checkout': true });
      const app = appWith(client);
      app.get('/beta', requireFeature('beta-page'), (_req, res) => void res.send('beta'));
      app.get('/checkout', requireFeature('new-checkout'), (_req, res) => void res.send('new checkout'));
      app.get('/checkout-old', requireFeature('beta-page'), (_req, res) => void res.send('never'));
      app.get('/checkout-old', (_req, res) => void res.send('old checkout'));
      app.use(notFoundPage);

      expect((await request(app).get('/checkout')).text).toBe('new checkout');
      const beta = await request(app).get('/beta');
      expect([beta.status, beta.text]).toEqual([404, 'custom not found']);
      expect((await request(app).get('/checkout-old')).text).toBe('old checkout');
    });

    it('without a custom 404: the same status and body as a route that does not exist', async () => {
      const client = await readyClient({ 'beta-page': false });
      const app = appWith(client);
      app.get('/beta', requireFeature('beta-page'), (_req, res) => void res.send('beta'));
      const guarded = await request(app).get('/beta');
      const missing = await request(app).get('/missing');
      expect(guarded.status).toBe(404);
      expect(guarded.text).toBe(missing.text.replace('/missing', '/beta'));
    });

    it('on a Router’s route and as router.use(): leaves the router, so the app’s 404 answers', async () => {
      const client = await readyClient({ 'beta-page': false, admin: false, reports: true });
      const app = appWith(client);
      const routes = express.Router();
      routes.get('/beta', requireFeature('beta-page'), (_req, res) => void res.send('beta'));
      routes.get('/reports', requireFeature('reports'), (_req, res) => void res.send('reports'));
      const admin = express.Router();
      admin.use(requireFeature('admin'));
      admin.get('/users', (_req, res) => void res.send('users'));
      app.use('/app', routes);
      app.use('/admin', admin);
      app.get('/admin/users', (_req, res) => void res.send('app-level route after the router'));
      app.use(notFoundPage);

      expect((await request(app).get('/app/reports')).text).toBe('reports');
      expect((await request(app).get('/app/beta')).text).toBe('custom not found');
      // router.use(guard) skips the whole router; the app goes on after it.
      expect((await request(app).get('/admin/users')).text).toBe('app-level route after the router');
      await client.close();
    });

    it('as app.use(): the handlers behind it never run; Express’s final 404 answers', async () => {
      const client = await readyClient({ admin: false });
      const app = appWith(client);
      app.use('/admin', requireFeature('admin'));
      app.get('/admin/users', (_req, res) => void res.send('users'));
      const res = await request(app).get('/admin/users');
      expect(res.status).toBe(404);
      expect(res.text).toContain('Cannot GET /admin/users');
    });

    it('answers with onDisabled instead: a redirect, a 503', async () => {
      const client = await readyClient({ 'new-checkout': false });
      const app = appWith(client);
      app.get(
        '/checkout',
        requireFeature('new-checkout', { onDisabled: (_req, res) => res.redirect('/waitlist') }),
        (_req, res) => void res.send('checkout'),
      );
      app.get(
        '/pay',
        requireFeature('new-checkout', {
          onDisabled: (_req, res) => void res.status(503).send('maintenance'),
        }),
        (_req, res) => void res.send('pay'),
      );
      const redirect = await request(app).get('/checkout');
      expect([redirect.status, redirect.headers.location]).toEqual([302, '/waitlist']);
      expect([(await request(app).get('/pay')).status]).toEqual([503]);
    });

    it('fails each request a guard before featureFlags() sees, saying to add it first, and logs that once', async () => {
      const errors: string[] = [];
      const logger: Logger = {
        debug() {},
        info() {},
        warn() {},
        error: (_obj, msg) => void errors.push(String(msg)),
      };
      const client = await readyClient({ 'beta-page': true }, { logger });
      const app: Express = express();
      // Declared before the middleware: Express cannot tell at startup.
      app.get('/beta', requireFeature('beta-page'), (_req, res) => void res.send('beta'));
      app.use(featureFlags(client));
      app.get('/read', (req, res) => void res.send(String(getFlags(req).betaPage)));
      app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
        res.status(500).send(`${error.name}: ${error.message}`);
      });
      for (let i = 0; i < 2; i++) {
        const guarded = await request(app).get('/beta');
        expect(guarded.status).toBe(500);
        expect(guarded.text).toContain(
          "requireFeature('beta-page') ran before featureFlags(), so the request has no flags and fails: add `app.use(featureFlags())` before this route",
        );
      }
      expect(errors).toEqual([
        expect.stringMatching(/^flagwise: requireFeature\('beta-page'\) ran before featureFlags\(\)/),
      ]);
      expect((await request(app).get('/read')).text).toBe('true');
    });
  });

  describe('requireVariant', () => {
    it('lets through only the listed variants, else the next route', async () => {
      const client = await readyClient({ 'checkout-flow': { variant: 'one-page' }, 'old-flow': false });
      const app = appWith(client);
      app.get('/a', requireVariant('checkout-flow', ['one-page']), (_req, res) => void res.send('one page'));
      app.get('/b', requireVariant('checkout-flow', 'classic'), (_req, res) => void res.send('classic'));
      app.get('/b', (_req, res) => void res.send('everyone else'));
      app.get('/c', requireVariant('old-flow', ['one-page']), (_req, res) => void res.send('never'));
      expect((await request(app).get('/a')).text).toBe('one page');
      expect((await request(app).get('/b')).text).toBe('everyone else');
      expect((await request(app).get('/c')).status).toBe(404);
    });
  });

  describe('featureFlags()', () => {
    it('builds the context from req.user, the session and req.ip (honouring trust proxy), then the hook', async () => {
      const client = await readyClient({});
      const app: Express = express();
      app.set('trust proxy', 'loopback');
      app.use((req, _res, next) => {
        const extras = req as unknown as Record<string, unknown>;
        if (req.get('x-login')) extras.user = { id: req.get('x-login') };
        if (req.get('x-session')) extras.session = { id: req.get('x-session') };
        if (req.get('x-session-id')) extras.sessionID = req.get('x-session-id');
        next();
      });
      app.use(featureFlags(client, { context: (req) => ({ properties: { plan: req.get('x-plan') } }) }));
      app.get('/context', (req, res) => void res.json(getFlags(req).context));

      const full = await request(app)
        .get('/context')
        .set({ 'x-login': 'u1', 'x-session': 's1', 'x-plan': 'pro', 'x-forwarded-for': '203.0.113.7' });
      expect(full.body).toEqual({
        userId: 'u1',
        sessionId: 's1',
        remoteAddress: '203.0.113.7',
        properties: { plan: 'pro' },
      });
      const sessionId = await request(app).get('/context').set('x-session-id', 's2');
      expect(sessionId.body.sessionId).toBe('s2');
      expect(sessionId.body.remoteAddress).toMatch(/127\.0\.0\.1|::1/);
    });

    it('reads a user that a plugin defines as a getter on the request prototype', async () => {
      const client = await readyClient({});
      const app: Express = express();
      // Some auth libraries answer req.user from a getter on app.request rather than setting it per request.
      Object.defineProperty(app.request, 'user', {
        get(this: Request) {
          const login = this.get('x-login');
          return login ? { id: login } : undefined;
        },
        configurable: true,
      });
      app.use(featureFlags(client));
      app.get('/context', (req, res) => void res.json(getFlags(req).context));
      expect((await request(app).get('/context').set('x-login', 'u7')).body.userId).toBe('u7');
      expect((await request(app).get('/context')).body.userId).toBeUndefined();
    });

    it('ignores X-Forwarded-For without trust proxy, and survives a context hook that throws', async () => {
      const { logger } = recordingLogger();
      const client = await readyClient({}, { logger });
      const app: Express = express();
      app.use(
        featureFlags(client, {
          context: () => {
            throw new Error('hook bug');
          },
        }),
      );
      app.get('/context', (req, res) => void res.json(getFlags(req).context));
      const res = await request(app).get('/context').set('x-forwarded-for', '203.0.113.7');
      expect(res.status).toBe(200);
      expect(res.body.remoteAddress).not.toBe('203.0.113.7');
    });

    it('reads trust proxy the way req.ip does, also in a sub-app that inherits it', async () => {
      const client = await readyClient({});
      const parent: Express = express();
      parent.set('trust proxy', true);
      const child: Express = express();
      child.use(featureFlags(client));
      child.get(
        '/context',
        (req, res) => void res.json({ flags: getFlags(req).context.remoteAddress, ip: req.ip }),
      );
      parent.use('/child', child);
      const res = await request(parent).get('/child/context').set('x-forwarded-for', '198.51.100.9');
      expect(res.body).toEqual({ flags: '198.51.100.9', ip: '198.51.100.9' });
    });

    it('shares one request state between req.flags and res.locals.flags (its view for templates)', async () => {
      const client = await readyClient({ 'new-pricing': true });
      const app = appWith(client);
      app.get('/same', (req, res) => {
        // One state: the view hands out the very methods the flags bound to it.
        res.json({
          same: res.locals.flags.isEnabled === getFlags(req).isEnabled,
          newPricing: res.locals.flags.newPricing,
        });
      });
      expect((await request(app).get('/same')).body).toEqual({ same: true, newPricing: true });
    });

    it('appends the override cookie next to cookies the app set, only for allowed requests', async () => {
      const client = await readyClient(
        { 'new-pricing': false },
        { overrides: { secret: SECRET, allow: (req: Request) => req.get('x-qa') === 'yes' } },
      );
      const app: Express = express();
      app.use((_req, res, next) => {
        res.cookie('theme', 'dark');
        next();
      });
      app.use(featureFlags(client));
      app.get('/', (req, res) => void res.json({ newPricing: getFlags(req).newPricing }));

      const allowed = await request(app).get('/?flagwise=new-pricing:on').set('x-qa', 'yes');
      expect(allowed.body.newPricing).toBe(true);
      const cookies = ([] as string[]).concat(allowed.headers['set-cookie'] ?? []);
      expect(cookies.map((c) => c.split('=')[0]).sort()).toEqual(['flagwise_overrides', 'theme']);

      const refused = await request(app).get('/?flagwise=new-pricing:on');
      expect(refused.body.newPricing).toBe(false);
      expect(
        ([] as string[]).concat(refused.headers['set-cookie'] ?? []).map((c) => c.split('=')[0]),
      ).toEqual(['theme']);
    });

    it('holds requests that arrive before the flags are ready, then answers with them', async () => {
      const gated = lateSource();
      const client = createFlags({ source: gated });
      clients.push(client);
      const app: Express = express();
      let arrived!: () => void;
      const arrival = new Promise<void>((resolve) => (arrived = resolve));
      app.use((_req, _res, next) => {
        arrived();
        next();
      });
      app.use(featureFlags(client));
      app.get('/', (req, res) => void res.json({ launch: getFlags(req).launch, status: client.status }));

      const response = request(app)
        .get('/')
        .then((res) => res.body);
      await arrival;
      expect(client.isReady).toBe(false);
      gated.deliver({ version: 2, features: [{ name: 'launch', enabled: true, strategies: [] }] });
      expect(await response).toEqual({ launch: true, status: 'ready' });
    });

    it('never hangs: after readyTimeoutMs requests proceed with fallbacks and a warning', async () => {
      const gated = lateSource();
      const { logger, lines } = recordingLogger();
      const warnings = () => messagesAt(lines, 'warn');
      const client = createFlags({ source: gated, logger });
      clients.push(client);
      const app: Express = express();
      app.use(featureFlags(client, { readyTimeoutMs: 50 }));
      app.get('/', (req, res) => void res.json({ launch: getFlags(req).launch }));

      expect((await request(app).get('/')).body).toEqual({ launch: false });
      expect((await request(app).get('/')).body).toEqual({ launch: false });
      expect(warnings().filter((w) => w.includes('serving requests with fallbacks'))).toHaveLength(1);
      // client.close() waits for a pending start(); let it finish.
      gated.deliver({ version: 2, features: [] });
    });

    it('without ready() awaited, answers 500 with an invalid file’s error until it is fixed, then serves', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'flagwise-express-startup-'));
      const file = path.join(dir, 'flags.yaml');
      writeFileSync(file, 'flags:\n  launch: maybe\n');
      const { logger, lines } = recordingLogger();
      const middleware = featureFlags({ source: fileSource(file, { debounceMs: 20 }), logger });
      clients.push(middleware.client);
      const app: Express = express();
      app.use(middleware);
      app.get('/', (req, res) => void res.json({ launch: getFlags(req).launch }));
      const errors: Error[] = [];
      app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
        errors.push(error);
        res.sendStatus(500);
      });
      try {
        for (let i = 0; i < 2; i++) expect((await request(app).get('/')).status).toBe(500);
        expect(errors).toHaveLength(2);
        expect(errors[0].message).toMatch(/flags\.yaml:2:3: launch must be true, false or a flag object/);
        expect(messagesAt(lines, 'warn').filter((w) => w.includes('fallbacks'))).toEqual([]);
        await expect(middleware.ready()).rejects.toBe(errors[0]);

        writeFileSync(file, 'flags:\n  launch: true\n');
        await waitFor(() => middleware.client.isReady, 'the fixed file to load');
        expect((await request(app).get('/')).body).toEqual({ launch: true });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('creates its own client from options and exposes it', async () => {
      const middleware = featureFlags({ source: inlineSource({ flags: { 'new-pricing': true } }) });
      clients.push(middleware.client);
      const app: Express = express();
      app.use(middleware);
      app.get('/', (req, res) => void res.send(String(getFlags(req).newPricing)));
      expect((await request(app).get('/')).text).toBe('true');
      expect(middleware.client.isReady).toBe(true);
    });
  });
});

describe.each(majors)('%s: two apps in one process', (_name, express) => {
  const guardWarnings = (warnings: string[]) =>
    warnings.filter((w) => w.includes('the route always answers'));
  /** Waits until a change of the client's flags has been checked, and the checks it schedules have run. */
  async function afterAChange(client: FlagsClient, source: ReturnType<typeof memorySource>) {
    const changed = new Promise((resolve) => client.once('changed', resolve));
    source.set('unrelated', true);
    await changed;
    await new Promise((resolve) => setImmediate(resolve));
  }

  async function appWith(express: typeof import('express'), flags: Record<string, boolean>) {
    const { logger, lines } = recordingLogger();
    const warnings = () => messagesAt(lines, 'warn');
    const source = memorySource({ flags });
    const client = createFlags({ source, logger });
    clients.push(client);
    await client.ready();
    const app: Express = express();
    return { app, client, source, warnings };
  }

  it('warns about a guard in the app it guards, never in the other app', async () => {
    const a = await appWith(express, { home: true });
    a.app.use(featureFlags(a.client));
    a.app.get('/checkout', requireFeature('checkout'), (_req, res) => void res.send('checkout'));
    const b = await appWith(express, { home: true });
    b.app.use(featureFlags(b.client));
    b.app.get('/', (_req, res) => void res.send('home'));

    await waitFor(() => guardWarnings(a.warnings()).length === 1, 'the guard warning');
    expect(guardWarnings(a.warnings())[0]).toMatch(
      /requireFeature\('checkout'\) names flag "checkout", which is not defined/,
    );
    await afterAChange(b.client, b.source);
    expect(guardWarnings(b.warnings())).toEqual([]);
    expect((await request(a.app).get('/checkout')).status).toBe(404);
  });

  it('moves a guard made while another app was set up last to the app whose requests it guards', async () => {
    const a = await appWith(express, { home: true });
    const b = await appWith(express, { home: true });
    a.app.use(featureFlags(a.client));
    b.app.use(featureFlags(b.client));
    // Both adapters set up before a's routes: the guard is taken as b's (b may warn once at startup) until a
    // request shows it is a's; from then on a checks it, and b does not, after any change of its flags.
    a.app.get('/checkout', requireFeature('checkout'), (_req, res) => void res.send('checkout'));
    expect((await request(a.app).get('/checkout')).status).toBe(404);
    await waitFor(() => guardWarnings(a.warnings()).length === 1, 'the guard warning');
    const before = guardWarnings(b.warnings()).length;
    await afterAChange(b.client, b.source);
    expect(guardWarnings(b.warnings())).toHaveLength(before);
    await afterAChange(a.client, a.source);
    expect(guardWarnings(a.warnings())).toHaveLength(2);
  });
});

describe('misconfiguration throws at startup, saying how to fix it', () => {
  it.each([
    ['a number', () => featureFlags(42 as never), /pass options such as/],
    [
      'a second argument with options',
      () => featureFlags({}, { readyTimeoutMs: 1 }),
      /only goes with a client/,
    ],
    ['a context that is not a function', () => featureFlags({ context: 'x' as never }), /must be a function/],
    ['a guard without a name', () => requireFeature('' as never), /requireFeature\('beta-page'\)/],
    [
      'onDisabled that is not a function',
      () => requireFeature('a', { onDisabled: 1 as never }),
      /onDisabled/,
    ],
    ['requireVariant without variants', () => requireVariant('a', []), /non-empty list/],
  ])('%s', (_label, make, message) => {
    expect(make).toThrow(ConfigurationError);
    expect(make).toThrow(message);
  });
});
