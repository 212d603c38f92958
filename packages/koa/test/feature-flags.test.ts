import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Router from '@koa/router';
import Koa from 'koa';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { valueNames, withAppValues } from '../../../test/support/exports.js';
import { listen, type RunningServer } from '../../../test/support/http.js';
import { recordingLogger } from '../../../test/support/logging.js';
import { lateSource } from '../../../test/support/sources.js';
import { waitFor } from '../../../test/support/waiting.js';
import {
  ConfigurationError,
  createFlags,
  type FlagsClient,
  type FlagsState,
  featureFlags,
  fileSource,
  inlineSource,
  memorySource,
  requireFeature,
  requireVariant,
} from '../src/index.js';
import { onOff } from './helpers.js';

const SECRET = 'koa-adapter-test-secret-0123456789abcdef';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(app: Koa<any, any>, client?: FlagsClient): Promise<RunningServer> {
  const served = await listen(app);
  cleanups.push(() => served.close());
  if (client) cleanups.push(() => client.close());
  return served;
}

function contextRoute(app: Koa): void {
  app.use((ctx) => {
    ctx.body = ctx.state.flags.context;
  });
}

describe('featureFlags()', () => {
  it('attaches one request state to ctx.flags and ctx.state.flags (its view for templates)', async () => {
    const client = createFlags({
      source: memorySource({ flags: { 'new-pricing': true, 'old-nav': false } }),
    });
    const app = new Koa<FlagsState, FlagsState>();
    app.use(featureFlags(client));
    app.use((ctx) => {
      ctx.body = {
        // One state: the view hands out the very methods the flags bound to it.
        same: ctx.state.flags.isEnabled === ctx.flags.isEnabled,
        newPricing: ctx.state.flags.newPricing,
        oldNav: ctx.flags.isEnabled('old-nav'),
      };
    });
    const { url } = await start(app, client);
    expect((await request(url).get('/')).body).toEqual({ same: true, newPricing: true, oldNav: false });
  });

  it('creates its own client from options and exposes it for shutdown', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flagwise-koa-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'flags.yaml');
    writeFileSync(file, 'flags:\n  dark-mode: true\n  beta: false\n');
    const middleware = featureFlags({ source: fileSource(file) });
    const app = new Koa();
    app.use(middleware);
    app.use((ctx) => {
      ctx.body = { darkMode: ctx.state.flags.darkMode, beta: ctx.state.flags.beta };
    });
    const { url } = await start(app, middleware.client);
    expect((await request(url).get('/')).body).toEqual({ darkMode: true, beta: false });
    expect(middleware.client.isReady).toBe(true);
  });

  it('builds the context from ctx.state.user, the session and ctx.ip', async () => {
    const client = createFlags({ source: memorySource() });
    const app = new Koa();
    app.use(async (ctx, next) => {
      ctx.state.user = { id: 'user-7' }; // as koa-passport does
      ctx.session = { id: 'session-3' };
      await next();
    });
    app.use(featureFlags(client));
    contextRoute(app);
    const { url } = await start(app, client);
    const { body } = await request(url).get('/');
    expect(body.userId).toBe('user-7');
    expect(body.sessionId).toBe('session-3');
    expect(body.remoteAddress).toMatch(/127\.0\.0\.1$/);
  });

  it('takes the client IP from X-Forwarded-For only when app.proxy is set', async () => {
    const client = createFlags({ source: memorySource() });
    const trusting = new Koa({ proxy: true });
    const direct = new Koa();
    for (const app of [trusting, direct]) {
      app.use(featureFlags(client));
      contextRoute(app);
    }
    const behindProxy = await start(trusting, client);
    const exposed = await start(direct);
    const forwarded = { 'x-forwarded-for': '203.0.113.9' };
    expect((await request(behindProxy.url).get('/').set(forwarded)).body.remoteAddress).toBe('203.0.113.9');
    expect((await request(exposed.url).get('/').set(forwarded)).body.remoteAddress).toMatch(/127\.0\.0\.1$/);
  });

  it('adds what the context hook returns on top of the defaults', async () => {
    const client = createFlags({
      source: memorySource({ flags: { 'pro-only': { when: { plan: 'pro' } } } }),
    });
    const app = new Koa();
    app.use(async (ctx, next) => {
      ctx.state.user = { id: 'user-1' };
      await next();
    });
    app.use(featureFlags(client, { context: (ctx) => ({ properties: { plan: ctx.get('x-plan') } }) }));
    app.use((ctx) => {
      ctx.body = { context: ctx.state.flags.context, proOnly: ctx.state.flags.proOnly };
    });
    const { url } = await start(app, client);
    const pro = (await request(url).get('/').set('x-plan', 'pro')).body;
    expect(pro.context).toMatchObject({ userId: 'user-1', properties: { plan: 'pro' } });
    expect(pro.proOnly).toBe(true);
    expect((await request(url).get('/').set('x-plan', 'basic')).body.proOnly).toBe(false);
  });

  it('takes the context hook from options when it creates the client', async () => {
    const middleware = featureFlags({
      source: memorySource(),
      context: (ctx) => ({ userId: ctx.get('x-user') }),
    });
    const app = new Koa();
    app.use(middleware);
    contextRoute(app);
    const { url } = await start(app, middleware.client);
    expect((await request(url).get('/').set('x-user', 'u-42')).body.userId).toBe('u-42');
  });

  it('answers with the default context and logs when the hook throws', async () => {
    const { logger, lines } = recordingLogger();
    const client = createFlags({ source: memorySource(), logger });
    const app = new Koa();
    app.use(
      featureFlags(client, {
        context: () => {
          throw new Error('hook broke');
        },
      }),
    );
    contextRoute(app);
    const { url } = await start(app, client);
    const res = await request(url).get('/');
    expect(res.status).toBe(200);
    expect(res.body.remoteAddress).toMatch(/127\.0\.0\.1$/);
    expect(lines.some((line) => line.level === 'error' && line.message.includes('context hook'))).toBe(true);
  });

  it('holds requests until the flags load', async () => {
    const source = lateSource();
    const middleware = featureFlags({ source, readyTimeoutMs: 10_000 });
    let arrived = 0;
    const app = new Koa();
    app.use(async (_ctx, next) => {
      arrived++;
      await next();
    });
    app.use(middleware);
    app.use((ctx) => {
      ctx.body = { on: ctx.state.flags.isEnabled('launch') };
    });
    const { url } = await start(app, middleware.client);
    const pending = request(url)
      .get('/')
      .then((res) => res.body);
    await waitFor(() => arrived === 1, 'the request to arrive');
    source.deliver(onOff({ launch: true }));
    expect(await pending).toEqual({ on: true });
  });

  it('proceeds with fallbacks and a warning when the flags do not load in time', async () => {
    const { logger, lines } = recordingLogger();
    const source = lateSource();
    const middleware = featureFlags({ source, logger, readyTimeoutMs: 50 });
    const app = new Koa();
    app.use(middleware);
    app.use((ctx) => {
      ctx.body = { on: ctx.state.flags.launch, reason: ctx.state.flags.explain('launch').reason };
    });
    const { url } = await start(app, middleware.client);
    // client.close() waits for start() to settle, so the never-loading source must give up first.
    cleanups.push(() => source.fail(new Error('test over')));
    const res = await request(url).get('/');
    expect(res.body).toEqual({ on: false, reason: 'not-ready' });
    const warnings = lines.filter((line) => line.level === 'warn');
    expect(warnings.some((line) => line.message.includes('fallback'))).toBe(true);
  });

  it('does not wait for a source that failed to start', async () => {
    const source = lateSource();
    const { logger, lines } = recordingLogger();
    const middleware = featureFlags({ source, logger, readyTimeoutMs: 60_000 });
    const app = new Koa();
    app.use(middleware);
    app.use((ctx) => {
      ctx.body = { on: ctx.state.flags.launch };
    });
    const { url } = await start(app, middleware.client);
    source.fail(new Error('flags server unreachable'));
    expect((await request(url).get('/')).body).toEqual({ on: false });
    expect(lines.some((line) => line.message.includes('flags server unreachable'))).toBe(true);
  });

  it('without ready() awaited, answers 500 with an invalid file’s error until it is fixed, then serves', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flagwise-koa-startup-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'flags.yaml');
    writeFileSync(file, 'flags:\n  launch: maybe\n');
    const { logger, lines } = recordingLogger();
    const middleware = featureFlags({ source: fileSource(file, { debounceMs: 20 }), logger });
    const app = new Koa();
    const errors: Error[] = [];
    app.on('error', (error: Error) => errors.push(error));
    app.use(middleware);
    app.use((ctx) => {
      ctx.body = { on: ctx.state.flags.launch };
    });
    const { url } = await start(app, middleware.client);
    for (let i = 0; i < 2; i++) expect((await request(url).get('/')).status).toBe(500);
    expect(errors.map((error) => error.message)).toEqual([
      expect.stringMatching(/flags\.yaml:2:3: launch must be true, false or a flag object/),
      expect.stringMatching(/flags\.yaml:2:3: launch must be true, false or a flag object/),
    ]);
    // flagwise itself says it once, and never that it serves fallbacks.
    expect(lines.filter((line) => line.level === 'error')).toHaveLength(1);
    expect(lines.some((line) => line.message.includes('fallbacks'))).toBe(false);
    await expect(middleware.ready()).rejects.toMatchObject({ code: 'INVALID_FLAGS_FILE' });

    writeFileSync(file, 'flags:\n  launch: true\n');
    await waitFor(() => middleware.client.isReady, 'the fixed file to load');
    expect((await request(url).get('/')).body).toEqual({ on: true });
  });

  it('appends the override cookie next to Set-Cookie headers already set', async () => {
    const client = createFlags({
      source: memorySource({ flags: { beta: false } }),
      overrides: { secret: SECRET, allow: (ctx: Koa.Context) => ctx.get('x-qa') === 'yes' },
    });
    const app = new Koa();
    app.use(async (ctx, next) => {
      ctx.append('Set-Cookie', 'theme=dark; Path=/');
      await next();
    });
    app.use(featureFlags(client));
    app.use((ctx) => {
      ctx.body = { beta: ctx.state.flags.beta };
    });
    const { url } = await start(app, client);
    const res = await request(url).get('/?flagwise=beta:on').set('x-qa', 'yes');
    expect(res.body).toEqual({ beta: true });
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    expect(cookies.map((c) => c.split('=')[0])).toEqual(['theme', 'flagwise_overrides']);
  });

  it('refuses what is not options or a client, with a message that says what to pass', () => {
    expect(() => featureFlags('flags.yaml' as never)).toThrow(ConfigurationError);
    expect(() => featureFlags('flags.yaml' as never)).toThrow(/fileSource/);
    expect(() => featureFlags({ source: memorySource(), context: 'user' as never })).toThrow(
      /context must be a function/,
    );
  });
});

describe('requireFeature() and requireVariant()', () => {
  async function guardedApp(client: FlagsClient, withRouter: boolean): Promise<RunningServer> {
    const app = new Koa();
    app.use(featureFlags(client));
    if (withRouter) {
      const router = new Router();
      router.get('/beta', requireFeature('beta'), (ctx) => {
        ctx.body = 'beta';
      });
      app.use(router.routes()).use(router.allowedMethods());
    } else {
      app.use(requireFeature('beta'));
      app.use((ctx) => {
        if (ctx.path === '/beta') ctx.body = 'beta';
      });
    }
    return start(app);
  }

  for (const withRouter of [true, false]) {
    it(`answers exactly Koa's 404 for an unknown route when off (${withRouter ? 'with' : 'without'} @koa/router)`, async () => {
      const source = memorySource({ flags: { beta: true } });
      const client = createFlags({ source });
      cleanups.push(() => client.close());
      const { url } = await guardedApp(client, withRouter);
      expect((await request(url).get('/beta')).text).toBe('beta');
      source.set('beta', false);
      const guarded = await request(url).get('/beta');
      const unknown = await request(url).get('/nowhere');
      expect(guarded.status).toBe(404);
      expect(guarded.text).toBe('Not Found');
      expect([guarded.status, guarded.text, guarded.headers['content-type']]).toEqual([
        unknown.status,
        unknown.text,
        unknown.headers['content-type'],
      ]);
    });
  }

  it('runs onDisabled instead of the route: maintenance, redirect', async () => {
    const client = createFlags({ source: memorySource({ flags: { checkout: false, 'new-nav': false } }) });
    const router = new Router<FlagsState>();
    router.get(
      '/checkout',
      requireFeature('checkout', {
        onDisabled: (ctx) => {
          ctx.status = 503;
          ctx.body = 'down for maintenance';
        },
      }),
      (ctx) => {
        ctx.body = 'checkout';
      },
    );
    router.get(
      '/nav',
      requireFeature('new-nav', { onDisabled: (ctx) => ctx.redirect('/old-nav') }),
      (ctx) => {
        ctx.body = 'new nav';
      },
    );
    const app = new Koa();
    app.use(featureFlags(client)).use(router.routes());
    const { url } = await start(app, client);
    const maintenance = await request(url).get('/checkout');
    expect([maintenance.status, maintenance.text]).toEqual([503, 'down for maintenance']);
    const redirect = await request(url).get('/nav');
    expect([redirect.status, redirect.headers.location]).toEqual([302, '/old-nav']);
  });

  it('lets through only the listed variants', async () => {
    const source = memorySource({ flags: { flow: { variant: 'one-page' } } });
    const client = createFlags({ source });
    const router = new Router();
    router.get('/flow', requireVariant('flow', ['one-page', 'wizard']), (ctx) => {
      ctx.body = 'flow';
    });
    router.get('/wizard', requireVariant('flow', 'wizard'), (ctx) => {
      ctx.body = 'wizard';
    });
    const app = new Koa();
    app.use(featureFlags(client)).use(router.routes());
    const { url } = await start(app, client);
    expect((await request(url).get('/flow')).text).toBe('flow');
    expect((await request(url).get('/wizard')).status).toBe(404);
    source.set('flow', false);
    expect((await request(url).get('/flow')).status).toBe(404);
  });

  it('obeys a QA override, like every other read', async () => {
    const client = createFlags({
      source: memorySource({ flags: { beta: false } }),
      overrides: { secret: SECRET, allow: () => true },
    });
    const app = new Koa();
    app.use(featureFlags(client));
    app.use(requireFeature('beta'));
    app.use((ctx) => {
      ctx.body = 'beta';
    });
    const { url } = await start(app, client);
    expect((await request(url).get('/')).status).toBe(404);
    expect((await request(url).get('/?flagwise=beta:on')).text).toBe('beta');
  });

  it('guards a flag whose name is also a method of the flags object', async () => {
    const source = memorySource({ flags: { context: true } });
    const client = createFlags({ source });
    const app = new Koa();
    app.use(featureFlags(client));
    app.use(requireFeature('context'));
    app.use((ctx) => {
      ctx.body = 'context flag on';
    });
    const { url } = await start(app, client);
    expect((await request(url).get('/')).text).toBe('context flag on');
    source.set('context', false);
    expect((await request(url).get('/')).status).toBe(404);
  });

  it('fails each request a guard before featureFlags() sees, saying to add it first, and logs that once', async () => {
    const { logger, lines } = recordingLogger();
    const app = new Koa();
    const errors: Error[] = [];
    app.on('error', (error: Error) => errors.push(error));
    // Used before the middleware: Koa cannot tell at startup.
    app.use(requireFeature('beta'));
    const middleware = featureFlags({ source: memorySource({ flags: { beta: true } }), logger });
    app.use(middleware);
    app.use((ctx) => {
      ctx.body = 'beta';
    });
    const { url } = await start(app, middleware.client);
    for (let i = 0; i < 2; i++) expect((await request(url).get('/')).status).toBe(500);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBeInstanceOf(ConfigurationError);
    expect(errors[0].message).toBe(
      "requireFeature('beta') ran before featureFlags(), so the request has no flags and fails: add " +
        '`app.use(featureFlags())` before your routes (before app.use(router.routes()))',
    );
    const reports = lines.filter((line) => line.level === 'error');
    expect(reports.map((line) => line.message)).toEqual([`flagwise: ${errors[0].message}`]);
  });

  it('refuses bad arguments at startup', () => {
    expect(() => requireFeature('')).toThrow(/requireFeature\('beta-page'\)/);
    expect(() => requireFeature('beta', { onDisabled: 503 as never })).toThrow(/onDisabled must be/);
    expect(() => requireVariant('flow', [])).toThrow(/non-empty list/);
  });
});

describe('exports', () => {
  it('re-exports what a Koa app needs from the core, so one install is enough', async () => {
    expect(valueNames(await import('../src/index.js'))).toEqual(
      withAppValues([
        'featureFlags',
        'flagsDashboard',
        'flagsFrontendApi',
        'flagsOfrep',
        'mountEndpoint',
        'requireFeature',
        'requireVariant',
      ]),
    );
    const client = createFlags({ source: inlineSource({ flags: { on: true } }) });
    await client.ready({ timeoutMs: 1000 });
    expect(client.isEnabled('on')).toBe(true);
    await client.close();
  });
});

describe('two apps in one process', () => {
  // Guards the tests above made while no adapter was open go to the next one set up: only "checkout" is ours.
  const guardWarnings = (log: ReturnType<typeof recordingLogger>) =>
    log.lines.filter((line) => line.level === 'warn' && line.message.includes('names flag "checkout"'));

  async function appWith(flags: Record<string, boolean>) {
    const log = recordingLogger();
    const source = memorySource({ flags });
    const client = createFlags({ source, logger: log.logger });
    cleanups.push(() => client.close());
    await client.ready();
    return {
      app: new Koa<FlagsState, FlagsState>(),
      router: new Router<FlagsState, FlagsState>(),
      client,
      source,
      log,
    };
  }

  /** Waits until a change of the client's flags has been checked, and the checks it schedules have run. */
  async function afterAChange(client: FlagsClient, source: ReturnType<typeof memorySource>) {
    const changed = new Promise((resolve) => client.once('changed', resolve));
    source.set('unrelated', true);
    await changed;
    await new Promise((resolve) => setImmediate(resolve));
  }

  it('warns about a guard in the app it guards, never in the other app', async () => {
    const a = await appWith({ home: true });
    a.app.use(featureFlags(a.client));
    a.router.get('/checkout', requireFeature('checkout'), (ctx) => {
      ctx.body = 'checkout';
    });
    a.app.use(a.router.routes());
    const b = await appWith({ home: true });
    b.app.use(featureFlags(b.client));
    b.app.use((ctx) => {
      ctx.body = 'home';
    });

    await waitFor(() => guardWarnings(a.log).length === 1, 'the guard warning in app a');
    expect(guardWarnings(a.log)[0].message).toMatch(
      /requireFeature\('checkout'\) names flag "checkout", which is not defined/,
    );
    await afterAChange(b.client, b.source);
    expect(guardWarnings(b.log)).toEqual([]);
    const { url } = await start(a.app);
    expect((await request(url).get('/checkout')).status).toBe(404);
  });
});
