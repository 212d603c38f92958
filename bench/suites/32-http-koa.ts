// HTTP: what featureFlags() costs a Koa 3 app. The same small app served two ways in the same run, with the
// workload of the Express suite (30-http-express.ts) so the two read alike:
//   bare      — Koa 3 + @koa/router, no flags: JSON with fixed values
//   flagwise  — featureFlags() over 200 defined flags with a context hook, a requireFeature guard on the route,
//               3 flags read per request (a rollout, a plan constraint, a variant)
// Each server runs in its own process (bench/lib/http-bench.ts); rounds are interleaved, ratios are paired.
import { createRequire } from 'node:module';
import { type FlagsState, featureFlags, memorySource, requireFeature } from '@flagwise/koa';
import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import {
  HTTP_METHOD_NOTE,
  type HttpRequestSpec,
  httpBenchTable,
  listen,
  runHttpBench,
  type StartServer,
} from '../lib/http-bench.js';
import { definitions, FLAG_COUNT, GUARD_FLAG, PRODUCTS, USERS, VARIANT_FLAG } from '../lib/workload.js';
import type { BenchSection } from '../run.js';

const KOA_VERSION = (createRequire(import.meta.url)('koa/package.json') as { version: string }).version;
const TARGET_RATIO = 0.97;

const contextOf = (ctx: Context) => ({
  userId: ctx.get('x-user-id'),
  properties: { plan: ctx.get('x-plan') },
});

/** Target: Koa 3 without flags; the same JSON with fixed values. */
export const startBare: StartServer = async () => {
  const app = new Koa();
  const router = new Router();
  router.get('/products', (ctx) => {
    ctx.body = { products: PRODUCTS, rollout: true, plan: false, variant: 'control' };
  });
  app.use(router.routes());
  return listen(app);
};

/** Target: featureFlags() with 200 flags and a context hook, a requireFeature guard, 3 reads per request. */
export const startWithFlags: StartServer = async () => {
  const flagsMiddleware = featureFlags(
    { source: memorySource({ version: 2, features: definitions() }) },
    { context: contextOf },
  );
  await flagsMiddleware.client.ready({ timeoutMs: 5000 });
  const app = new Koa();
  app.use(flagsMiddleware);
  const router = new Router<FlagsState>();
  router.get('/products', requireFeature(GUARD_FLAG), (ctx) => {
    const { flags } = ctx.state;
    ctx.body = {
      products: PRODUCTS,
      rollout: flags.flag001,
      plan: flags.flag002,
      variant: flags.variant(VARIANT_FLAG).name,
    };
  });
  app.use(router.routes());
  const running = await listen(app);
  return {
    url: running.url,
    close: async () => {
      await running.close?.();
      await flagsMiddleware.client.close();
    },
  };
};

// Users and plans vary, so rollouts and constraints take both branches.
const requests: HttpRequestSpec[] = USERS.map((user, i) => ({
  path: '/products',
  headers: { 'x-user-id': user, 'x-plan': i % 3 === 0 ? 'basic' : 'pro' },
}));

export default async function httpKoaBench(): Promise<BenchSection> {
  const module = new URL(import.meta.url);
  const results = await runHttpBench({
    targets: [
      { name: `koa ${KOA_VERSION} (bare)`, module, export: 'startBare' },
      { name: `koa ${KOA_VERSION} + featureFlags()`, module, export: 'startWithFlags' },
    ],
    requests,
  });
  const withFlags = results[1];
  return {
    title: 'HTTP: Koa 3 bare vs with featureFlags()',
    markdown: [
      httpBenchTable(results),
      '',
      `Both apps answer GET /products through @koa/router with the same JSON. With the adapter: ${FLAG_COUNT} flags ` +
        `defined, a context hook (user id and plan from headers), \`requireFeature('${GUARD_FLAG}')\` on the route, ` +
        `and 3 flags read per request (a rollout, a plan constraint, a variant). ${HTTP_METHOD_NOTE}`,
    ].join('\n'),
    targets: [
      {
        label:
          `Koa 3 + featureFlags() ≥ ${TARGET_RATIO * 100}% of bare Koa 3 throughput (measured ${(withFlags.ratio * 100).toFixed(1)}%; ` +
          `by server CPU per request ${(withFlags.cpuRatio * 100).toFixed(1)}%)`,
        met: withFlags.ratio >= TARGET_RATIO && withFlags.cpuRatio >= TARGET_RATIO,
      },
    ],
  };
}
