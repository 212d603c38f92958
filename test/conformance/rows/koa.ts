// Koa 2 and Koa 3 rows of the conformance table: a real Koa app of each major (npm aliases koa2 / koa3),
// routed with @koa/router and rendering with @ladjs/koa-views + EJS, wired the way a user would wire it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { FlagsClient } from '@flagwise/core';
import {
  type FlagContext,
  type FlagsState,
  featureFlags,
  mountEndpoint,
  requireFeature,
  requireVariant,
} from '@flagwise/koa';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import views from '@ladjs/koa-views';
import type Koa from 'koa';
import type { Context } from 'koa';
import { listen } from '../../support/http.js';
import type { AdapterRow, AppHooks, RunningApp } from '../contract.js';
import { flagAnswer, CONTEXT_HEADERS as H, streamDigest } from '../contract.js';
import { readForTelemetry } from '../read-for-telemetry.js';
import { readInOrder } from '../read-in-order.js';

const PAGE_TEMPLATE =
  "pricing:<%= flags.newPricing ? 'new' : 'old' %> copy:<%= flags.variant('checkout-copy').name %> json:<%- JSON.stringify(flags) %>";

// Both majors are installed under aliases; the adapter itself imports no runtime code from koa.
export async function loadKoa(moduleName: 'koa2' | 'koa3'): Promise<typeof Koa> {
  const { version } = createRequire(import.meta.url)(`${moduleName}/package.json`) as { version: string };
  if (`koa${version.split('.')[0]}` !== moduleName) {
    throw new Error(`${moduleName} resolves to koa ${version}: check the npm alias in test/package.json`);
  }
  const mod = (await import(moduleName)) as { default: typeof Koa };
  return mod.default;
}

export function contextFromHeaders(ctx: Context): Partial<FlagContext> {
  const extra: Partial<FlagContext> = {};
  const userId = ctx.get(H.userId);
  if (userId) extra.userId = userId;
  const plan = ctx.get(H.plan);
  if (plan) extra.properties = { plan };
  return extra;
}

async function startKoaApp(
  KoaClass: typeof Koa,
  first: unknown,
  second: unknown,
  hooks: AppHooks,
): Promise<RunningApp> {
  const viewsDir = mkdtempSync(path.join(os.tmpdir(), 'flagwise-koa-views-'));
  writeFileSync(path.join(viewsDir, 'page.ejs'), PAGE_TEMPLATE);

  const app = new KoaClass();
  const flags = featureFlags(first as never, second as never);
  app.use(flags);
  // Auth after featureFlags(), as koa-passport usually is: sets ctx.state.user after an await.
  app.use(async (ctx, next) => {
    const user = ctx.get(H.authUser);
    if (user) {
      await new Promise((resolve) => setImmediate(resolve));
      ctx.state.user = { id: user };
    }
    await next();
  });
  app.use(views(viewsDir, { extension: 'ejs' }));

  const router = new Router<FlagsState>();
  router.get('/flag/:name', (ctx) => {
    const { flags } = ctx.state;
    ctx.body = { enabled: flags.isEnabled(ctx.params.name), variant: flags.variant(ctx.params.name) };
  });
  router.get('/prop/:property', (ctx) => {
    ctx.body = { value: ctx.state.flags[ctx.params.property] };
  });
  router.get('/twice/:name', async (ctx) => {
    const first = ctx.state.flags.isEnabled(ctx.params.name);
    if (ctx.query.wait === '1') await hooks.between();
    const second = ctx.state.flags.isEnabled(ctx.params.name);
    ctx.body = { first, second };
  });
  router.get('/guarded', requireFeature('beta-page'), (ctx) => {
    ctx.body = 'beta ok';
  });
  router.get(
    '/maintenance',
    requireFeature('checkout-open', {
      onDisabled: (ctx) => {
        ctx.status = 503;
        ctx.body = 'down for maintenance';
      },
    }),
    (ctx) => {
      ctx.body = 'checkout ok';
    },
  );
  router.get('/variant-b', requireVariant('experiment', ['b']), (ctx) => {
    ctx.body = 'variant b ok';
  });
  router.get('/page', async (ctx) => {
    await ctx.render('page');
  });
  router.get('/explain/:name', (ctx) => {
    const { flags } = ctx.state;
    const explained = flags.explain(ctx.params.name);
    ctx.body = {
      explained: explained.enabled,
      enabled: flags.isEnabled(ctx.params.name),
      reason: explained.reason,
      detail: explained.detail,
    };
  });
  router.get('/telemetry', (ctx) => {
    ctx.body = readForTelemetry(ctx.state.flags, ctx.query);
  });
  router.get('/reads/:name', (ctx) => {
    ctx.body = readInOrder(ctx.state.flags, ctx.params.name, ctx.query.order);
  });
  router.get('/late/:name', (ctx) => {
    const { flags } = ctx.state;
    const name = ctx.params.name;
    ctx.type = 'text';
    // Koa sends the headers when it starts piping the body: the flag is first read after that.
    ctx.body = Readable.from(
      (async function* () {
        yield 'late:';
        await new Promise((resolve) => setImmediate(resolve));
        yield String(flags.isEnabled(name));
      })(),
    );
  });
  router.get('/typo', requireFeature('beta-pgae'), (ctx) => {
    ctx.body = 'typo ok';
  });
  router.get('/no-variants', requireVariant('beta-page', ['on']), (ctx) => {
    ctx.body = 'no variants ok';
  });
  app.use(router.routes()).use(router.allowedMethods());

  // As the README starts the app: the middleware's startup awaited before listening.
  try {
    await flags.ready();
  } catch (error) {
    rmSync(viewsDir, { recursive: true, force: true });
    throw error;
  }
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(viewsDir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}

export const rows: AdapterRow[] = (['koa2', 'koa3'] as const).map((major) => ({
  name: `koa ${major.slice(3)}`,
  start: async (client: FlagsClient, hooks: AppHooks) =>
    startKoaApp(await loadKoa(major), client, { context: contextFromHeaders }, hooks),
  startEntry: async (first: unknown, second: unknown, hooks: AppHooks) =>
    startKoaApp(await loadKoa(major), first, second, hooks),
  // the endpoint as `app.use(mountEndpoint(..., { prefix }))`
  // each endpoint as `app.use(mountEndpoint(..., { prefix }))`
  startWithEndpoint: async (client, endpoint, prefix, more = []) => {
    const Koa = await loadKoa(major);
    const app = new Koa();
    app.use(featureFlags(client, { context: contextFromHeaders }));
    const mounts = [{ endpoint, prefix }, ...more].map((mount) =>
      mountEndpoint(mount.endpoint, { prefix: mount.prefix }),
    );
    for (const mount of mounts) app.use(mount);
    const router = new Router<FlagsState>();
    router.get('/flag/:name', (ctx) => {
      ctx.body = flagAnswer(ctx.state.flags, ctx.params.name);
    });
    router.post('/app/json', bodyParser(), (ctx) => {
      ctx.body = { body: ctx.request.body ?? null };
    });
    router.post('/app/raw', async (ctx) => {
      ctx.body = await streamDigest(ctx.req);
    });
    app.use(router.routes()).use(router.allowedMethods());
    const running = await listen(app);
    return {
      url: running.url,
      close: async () => {
        for (const mount of mounts) mount.close();
        await running.close();
      },
    };
  },
}));
