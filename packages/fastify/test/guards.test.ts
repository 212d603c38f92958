// Guards on a real Fastify app (4 and 5) over HTTP: route config and requireFeature/requireVariant answer the
// app's own 404 when off, onDisabled answers instead when given, and wrong shapes fail when the route is declared.
import { type FlagsClient, type MemorySource, memorySource } from '@flagwise/core';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { featureFlags, requireFeature, requireVariant } from '../src/index.js';
import { capturedLog, listen, MAJORS } from './helpers.js';

describe.each(MAJORS)('$name', ({ fastify: Fastify }) => {
  const apps: { close(): Promise<unknown> }[] = [];
  const newApp = (options?: Parameters<typeof Fastify>[0]) => {
    const app = Fastify(options);
    apps.push(app);
    return app;
  };
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  it("answers the app's own not-found handler when off, for GET and the automatic HEAD route", async () => {
    const source = memorySource({ flags: { beta: false } });
    const app = newApp();
    await app.register(featureFlags, { source });
    app.setNotFoundHandler((req, reply) => reply.code(404).send({ custom: true, url: req.url }));
    app.get('/beta', { config: { feature: 'beta' } }, async () => ({ beta: true }));
    const url = await listen(app);

    const off = await request(url).get('/beta');
    expect(off.status).toBe(404);
    expect(off.body).toEqual({ custom: true, url: '/beta' });
    expect((await request(url).head('/beta')).status).toBe(404);
    source.set('beta', true);
    expect((await request(url).get('/beta')).body).toEqual({ beta: true });
    expect((await request(url).head('/beta')).status).toBe(200);
  });

  it('never runs the handler or parses the body of a route that is off', async () => {
    const app = newApp();
    let handled = 0;
    let parsed = 0;
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      parsed++;
      done(null, JSON.parse(body as string));
    });
    await app.register(featureFlags, { source: memorySource({ flags: { checkout: false } }) });
    app.post('/checkout', { config: { feature: 'checkout' } }, async () => {
      handled++;
      return 'paid';
    });
    const res = await request(await listen(app))
      .post('/checkout')
      .send({ amount: 1 });
    expect(res.status).toBe(404);
    expect({ handled, parsed }).toEqual({ handled: 0, parsed: 0 });
  });

  it('lets onDisabled answer: a returned payload, a sent reply, or (doing nothing) the 404', async () => {
    const app = newApp();
    await app.register(featureFlags, { source: memorySource({ flags: { shop: false } }) });
    // An async onSend hook delays the write: a sent reply must still end the guard.
    app.addHook('onSend', async (_req, reply, payload) => {
      await new Promise((resolve) => setImmediate(resolve));
      reply.header('x-seen', 'yes');
      return payload;
    });
    const handler = async () => 'open';
    app.get(
      '/returns',
      {
        config: {
          feature: {
            name: 'shop',
            onDisabled: async (_req, reply) => {
              reply.code(503);
              return 'closed for now';
            },
          },
        },
      },
      handler,
    );
    app.get(
      '/sends',
      {
        preHandler: requireFeature('shop', {
          onDisabled: (_req, reply) => reply.redirect('/waitlist', 302),
        }),
      },
      handler,
    );
    app.get('/nothing', { config: { feature: { name: 'shop', onDisabled: () => undefined } } }, handler);
    app.get(
      '/throws',
      {
        config: {
          feature: {
            name: 'shop',
            onDisabled: () => {
              throw Object.assign(new Error('no shop today'), { statusCode: 409 });
            },
          },
        },
      },
      handler,
    );
    const url = await listen(app);

    const returned = await request(url).get('/returns');
    expect([returned.status, returned.text, returned.headers['x-seen']]).toEqual([
      503,
      'closed for now',
      'yes',
    ]);
    const sent = await request(url).get('/sends');
    expect([sent.status, sent.headers.location]).toEqual([302, '/waitlist']);
    expect((await request(url).get('/nothing')).status).toBe(404);
    const thrown = await request(url).get('/throws');
    expect([thrown.status, thrown.body.message]).toEqual([409, 'no shop today']);
  });

  it('guards by variant, from route config and from requireVariant', async () => {
    const source = memorySource({ flags: { layout: { variant: 'wide' } } });
    const app = newApp();
    await app.register(featureFlags, { source });
    app.get(
      '/by-config',
      { config: { feature: { name: 'layout', variants: ['wide'] } } },
      async () => 'wide',
    );
    app.get('/by-hook', { preHandler: requireVariant('layout', 'wide') }, async () => 'wide');
    const url = await listen(app);
    expect((await request(url).get('/by-config')).text).toBe('wide');
    expect((await request(url).get('/by-hook')).text).toBe('wide');
    source.set('layout', { variant: 'narrow' });
    expect((await request(url).get('/by-config')).status).toBe(404);
    expect((await request(url).get('/by-hook')).status).toBe(404);
    source.set('layout', false);
    expect((await request(url).get('/by-config')).status).toBe(404);
  });

  it('fails when a route is declared with a config.feature of the wrong shape, naming the route', async () => {
    const app = newApp();
    await app.register(featureFlags, { source: memorySource() });
    const declare = (feature: unknown) => () =>
      app.get('/wrong', { config: { feature: feature as never } }, async () => 'x');
    expect(declare(42)).toThrow(
      "route GET /wrong: config.feature must be a flag name ('beta-page') or { name, variants?, onDisabled? }; got number 42",
    );
    expect(declare(['beta'])).toThrow(/must be a flag name .* got an array \["beta"\]/);
    expect(declare('')).toThrow(
      `route GET /wrong: config.feature must be a flag name, e.g. 'beta-page'; got ""`,
    );
    expect(declare({ flag: 'beta' })).toThrow(
      /unknown option "flag"; valid options: name, variants, onDisabled/,
    );
    expect(declare({ name: 'beta', variant: 'b' })).toThrow(
      /unknown option "variant" \(did you mean "variants"\?\)/,
    );
    expect(declare({ variants: ['b'] })).toThrow(/config\.feature\.name must be a flag name/);
    expect(declare({ name: 'beta', variants: [] })).toThrow(
      /variants must be a variant name or a non-empty list/,
    );
    expect(declare({ name: 'beta', onDisabled: 503 })).toThrow(/onDisabled must be a function/);
  });

  it('refuses wrong requireFeature arguments when called', () => {
    expect(() => requireFeature('' as never)).toThrow(/name must be a flag name/);
    expect(() => requireFeature('beta', null as never)).toThrow(/options must be an object/);
    expect(() => requireVariant('beta', [])).toThrow(/variants must be a variant name or a non-empty list/);
  });

  it('fails at startup, where the route is declared, for a guard in a hook that runs before the plugin’s', async () => {
    for (const [hook, stage, fix] of [
      ['preHandler', 'onRequest', "preHandler, or register the plugin with { hook: 'onRequest' }"],
      [
        'preValidation',
        'preParsing',
        "preValidation, preHandler, or register the plugin with { hook: 'onRequest' }",
      ],
    ] as const) {
      const app = newApp();
      await app.register(featureFlags, { source: memorySource({ flags: { beta: true } }), hook });
      // Thrown where the route is declared, as for a config.feature of the wrong shape.
      expect(() => app.get('/early', { [stage]: requireFeature('beta') }, async () => 'x')).toThrow(
        `route GET /early: requireFeature('beta') is in ${stage}, which runs before the featureFlags plugin sets ` +
          `request.flags (in ${hook}, its hook option): put the guard in ${fix}`,
      );
    }
  });

  it('answers 500 with a message that says to register the plugin where a guard runs without it, logged once', async () => {
    const log = capturedLog();
    const app = newApp({ logger: log.options } as never);
    // A sibling context the plugin does not reach: Fastify cannot tell at startup.
    await app.register(async (child) => {
      await child.register(featureFlags, { source: memorySource({ flags: { beta: true } }) });
      child.get('/late', { preHandler: requireFeature('beta') }, async () => 'late ok');
    });
    app.get('/orphan', { preHandler: requireFeature('beta') }, async () => 'x');
    const url = await listen(app);
    for (let i = 0; i < 2; i++) {
      const res = await request(url).get('/orphan');
      expect(res.status).toBe(500);
      expect(res.body.message).toMatch(
        /^requireFeature\('beta'\) ran before featureFlags, so the request has no flags and fails: register the plugin first with `await app\.register\(featureFlags\)`/,
      );
    }
    const reports = log.lines.filter((line) =>
      line.msg.startsWith("flagwise: requireFeature('beta') ran before"),
    );
    expect(reports).toHaveLength(1);
    expect((await request(url).get('/late')).text).toBe('late ok');
  });
});

describe.each(MAJORS)('$name: two apps in one process', ({ fastify: Fastify }) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  /** An app whose plugin logs into `log.lines` (Fastify's own logger, as the plugin uses it). */
  async function appWith(flags: Record<string, boolean>) {
    const log = capturedLog();
    const app = Fastify({ logger: log.options });
    cleanups.push(() => app.close());
    const source = memorySource({ flags });
    await app.register(featureFlags, { source });
    // Guards the tests above made while no plugin was open go to the next one set up: only "in-…" are ours.
    const guardWarnings = () => log.lines.filter((line) => /names flag "in-/.test(line.msg));
    return { app, source, guardWarnings };
  }

  /** Waits until a change of the app's flags has been checked, and the checks it schedules have run. */
  async function afterAChange(app: { featureFlags: FlagsClient }, source: MemorySource) {
    const changed = new Promise((resolve) => app.featureFlags.once('changed', resolve));
    source.set('unrelated', true);
    await changed;
    await new Promise((resolve) => setImmediate(resolve));
  }

  it('warns about a route’s guards in the app the route is on, never in the other app', async () => {
    const a = await appWith({ home: true });
    const b = await appWith({ home: true });
    // b's plugin was registered last: the routes are a's all the same (the plugin's onRoute hook sees them)
    a.app.get('/config', { config: { feature: 'in-config' } }, async () => 'config');
    a.app.get('/hook', { preHandler: requireFeature('in-hook') }, async () => 'hook');
    b.app.get('/', async () => 'home');
    await a.app.ready();
    await b.app.ready();

    await waitFor(() => a.guardWarnings().length === 2);
    expect(a.guardWarnings().map((line) => line.msg)).toEqual([
      // Said once for the route, not again for the HEAD route Fastify adds for it.
      expect.stringMatching(
        /^flagwise: route GET \/config: config\.feature names flag "in-config", which is not defined/,
      ),
      expect.stringMatching(/requireFeature\('in-hook'\) names flag "in-hook", which is not defined/),
    ]);
    await afterAChange(b.app, b.source);
    expect(b.guardWarnings()).toEqual([]);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('not within 5000 ms');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
