// The plugin on a real Fastify app (4 and 5) over HTTP: request.flags, app.featureFlags, readiness, closing,
// context defaults, overrides' Set-Cookie, and @fastify/view templates.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFlags, type FlagsClient, memorySource } from '@flagwise/core';
import ejs from 'ejs';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { lateSource } from '../../../test/support/sources.js';
import { featureFlags, fileSource } from '../src/index.js';
import { capturedLog, listen, MAJORS } from './helpers.js';

type ViewReply = { view(page: string, data?: object): unknown };
const views = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views');
const SECRET = 'plugin-test-secret-0123456789abcdef0123456789';

describe.each(MAJORS)('$name', ({ fastify: Fastify, view }) => {
  const apps: { close(): Promise<unknown> }[] = [];
  const track = <T extends { close(): Promise<unknown> }>(app: T) => {
    apps.push(app);
    return app;
  };
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  it('fills request.flags, decorates app.featureFlags, and creates its client from options', async () => {
    const app = track(Fastify());
    await app.register(featureFlags, { source: memorySource({ flags: { 'new-pricing': true } }) });
    app.get('/', async (req) => ({
      property: req.flags!.newPricing,
      byName: req.flags!.isEnabled('new-pricing'),
      unknown: req.flags!.noSuchFlag,
      clientReady: app.featureFlags.isReady,
    }));
    const res = await request(await listen(app)).get('/');
    expect(res.body).toEqual({ property: true, byName: true, unknown: false, clientReady: true });
  });

  it('uses a given client and leaves it open on app.close(); closes the one it created', async () => {
    const given = createFlags({ source: memorySource({ flags: { a: true } }) });
    const app = Fastify();
    await app.register(featureFlags, { client: given });
    expect(app.featureFlags).toBe(given);
    await app.close();
    expect(given.isEnabled('a')).toBe(true);
    await expect(given.ready()).resolves.toBeUndefined();

    const gate = lateSource();
    const owning = Fastify();
    await owning.register(featureFlags, { source: gate, readyTimeoutMs: 20 });
    expect(gate.stopCount).toBe(0);
    // FlagsClient.close() waits for a pending start() before it stops the source, so let start() settle.
    gate.fail(new Error('unreachable'));
    await owning.close();
    expect(gate.stopCount).toBe(1);
    await given.close();
  });

  it('waits in app.ready() for flags that load late', async () => {
    const gate = lateSource();
    const app = track(Fastify());
    app.register(featureFlags, { source: gate, readyTimeoutMs: 10_000 });
    let ready = false;
    const booting = app.ready().then(() => (ready = true));
    // The plugin is still waiting: the app is not ready until the source delivers.
    await new Promise((resolve) => setImmediate(resolve));
    expect(ready).toBe(false);
    gate.deliver({
      version: 2,
      features: [{ name: 'late', enabled: true, strategies: [{ name: 'default' }] }],
    });
    await booting;
    expect(app.featureFlags.isEnabled('late')).toBe(true);
  });

  it('starts without flags after readyTimeoutMs, with a warning in the app log', async () => {
    const log = capturedLog();
    const gate = lateSource();
    const app = track(Fastify({ logger: log.options }));
    await app.register(featureFlags, { source: gate, readyTimeoutMs: 50 });
    app.get('/guarded', { config: { feature: 'anything' } }, async () => 'guarded');
    app.get('/', async (req) => ({ value: req.flags!.anything }));
    const url = await listen(app);
    expect((await request(url).get('/')).body).toEqual({ value: false });
    expect((await request(url).get('/guarded')).status).toBe(404);
    const warning = log.lines.find((line) => line.msg.includes('serving requests with fallbacks'));
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toContain('not ready after 50 ms');
    gate.fail(new Error('unreachable')); // lets app.close() finish: FlagsClient.close() awaits start()
  });

  it('fails app.ready() when failOnNotReady is set, saying why', async () => {
    const app = track(Fastify());
    app.register(featureFlags, {
      source: fileSource(path.join(views, 'no-such-flags.yaml')),
      failOnNotReady: true,
    });
    await expect(app.ready()).rejects.toThrow(/no-such-flags\.yaml: no such file/);
  });

  it('builds the context from request.user, request.session and request.ip (which follows trustProxy)', async () => {
    for (const trustProxy of [false, true]) {
      const app = track(Fastify({ trustProxy }));
      app.decorateRequest('user', null);
      app.decorateRequest('session', null);
      app.addHook('onRequest', (req, _reply, done) => {
        Object.assign(req, { user: { id: 'u-7' }, session: { sessionId: 's-9' } });
        done();
      });
      await app.register(featureFlags, { source: memorySource() });
      app.get('/', async (req) => req.flags!.context);
      const res = await request(await listen(app))
        .get('/')
        .set('x-forwarded-for', '203.0.113.7');
      expect(res.body).toEqual({
        userId: 'u-7',
        sessionId: 's-9',
        remoteAddress: trustProxy ? '203.0.113.7' : '127.0.0.1',
      });
    }
  });

  it('runs the context hook on top of the defaults, and can fill flags in a later hook', async () => {
    const app = track(Fastify());
    app.decorateRequest('user', null);
    await app.register(featureFlags, {
      source: memorySource(),
      hook: 'preHandler',
      context: (req) => ({ properties: { plan: String(req.headers['x-plan']) } }),
    });
    // A route-level onRequest (as with @fastify/jwt) runs after instance-level onRequest hooks: only a
    // later hook sees its user.
    app.get(
      '/',
      {
        onRequest: (req, _reply, done) => {
          Object.assign(req, { user: { sub: 'jwt-user' } });
          done();
        },
      },
      async (req) => req.flags!.context,
    );
    const res = await request(await listen(app))
      .get('/')
      .set('x-plan', 'pro');
    expect(res.body).toEqual({ userId: 'jwt-user', remoteAddress: '127.0.0.1', properties: { plan: 'pro' } });
  });

  it("appends the override cookie to the route's own Set-Cookie headers", async () => {
    const app = track(Fastify());
    await app.register(featureFlags, {
      source: memorySource({ flags: { beta: false } }),
      overrides: { secret: SECRET, allow: (req) => req.headers['x-qa'] === 'yes' },
    });
    app.addHook('onRequest', (_req, reply, done) => {
      reply.header('set-cookie', 'theme=dark; Path=/');
      done();
    });
    app.get('/', async (req, reply) => {
      reply.header('set-cookie', 'seen=1; Path=/');
      return { beta: req.flags!.beta };
    });
    const res = await request(await listen(app))
      .get('/?flagwise=beta:on')
      .set('x-qa', 'yes');
    expect(res.body).toEqual({ beta: true });
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []).map((c) => c.split('=')[0]);
    expect(cookies.sort()).toEqual(['flagwise_overrides', 'seen', 'theme']);
  });

  it('refuses bad options at registration with a message that says what to pass', async () => {
    const cases: [unknown, RegExp][] = [
      [{ client: {} }, /client must be a flags client from createFlags\(\)/],
      [
        { client: createFlags({ source: memorySource() }), source: memorySource() },
        /pass them to createFlags\(\) instead/,
      ],
      [
        { source: memorySource(), hook: 'onSend' },
        /hook must be one of "onRequest", "preValidation", "preHandler"/,
      ],
      [{ source: memorySource(), context: 'plan' }, /context must be a function/],
      [{ source: memorySource(), readyTimeoutMs: -1 }, /readyTimeoutMs must be a number/],
    ];
    for (const [options, message] of cases) {
      const app = track(Fastify());
      app.register(featureFlags, options as never);
      await expect(app.ready()).rejects.toThrow(message);
    }
  });

  it('refuses to be registered twice in one context', async () => {
    const app = track(Fastify());
    app.register(featureFlags, { source: memorySource() });
    app.register(featureFlags, { source: memorySource() });
    await expect(app.ready()).rejects.toThrow(/already registered in this context or a parent/);
  });

  it('gives @fastify/view templates `flags` through reply.locals, whichever is registered first', async () => {
    for (const viewFirst of [true, false]) {
      const app = track(Fastify());
      const registerView = () => app.register(view, { engine: { ejs }, root: views });
      if (viewFirst) await registerView();
      await app.register(featureFlags, {
        source: memorySource({
          flags: { 'new-pricing': { enabled: true, browser: true }, 'server-only': true },
        }),
      });
      if (!viewFirst) await registerView();
      // @fastify/view's type augmentation targets its own copy of fastify's types, hence the cast.
      app.get('/page', (_req, reply) =>
        (reply as unknown as ViewReply).view('page.ejs', { title: 'Prices' }),
      );
      const res = await request(await listen(app)).get('/page');
      expect(res.status, `view registered ${viewFirst ? 'first' : 'second'}`).toBe(200);
      const [before, json] = res.text.trim().split('json:');
      expect(before.trim()).toBe('pricing:new title:Prices');
      expect(JSON.parse(json)).toEqual({ 'new-pricing': { enabled: true } });
    }
  });
});

// The types the package augments, checked by the compiler (`pnpm tsc`): no casts needed in user code.
export function typedUsage(app: import('fastify').FastifyInstance): FlagsClient {
  app.get('/typed', { config: { feature: { name: 'beta', variants: ['b'] } } }, async (req) => {
    const on: boolean = req.flags!.isEnabled('beta');
    return { on, copy: req.flags!.variant('copy').name };
  });
  return app.featureFlags;
}
