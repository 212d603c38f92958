// HTTP: what featureFlags() costs a Koa 3 app. The same small app served six ways in the same run, with the
// workload of the Express suite (30-http-express.ts) so the two read alike:
//   bare      — Koa 3 + @koa/router, no flags: JSON with fixed values
//   flagwise  — featureFlags() over 200 defined flags with a context hook, a requireFeature guard on the route,
//               3 flags read per request (a rollout, a plan constraint, a variant)
//   same shape — by hand, no flagwise: a middleware building the same context, a guard, the same 3 reads
//               evaluated straight on compileFlags (what the API shape alone costs Koa)
//   skeleton  — ctx.state.flags and ctx.flags set to an empty object, a pass-through guard, no flag work: the
//               floor under any implementation of the shape
//   public client — by hand on flagwise's own client: the context from two headers, client.isEnabled/getVariant
// Each server runs in its own process (bench/lib/http-bench.ts); rounds are interleaved, ratios are paired.
import { createRequire } from 'node:module';
import {
  createFlags,
  type FlagContext,
  type FlagsState,
  featureFlags,
  memorySource,
  requireFeature,
} from '@flagwise/koa';
import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import {
  byHandComparison,
  HTTP_METHOD_NOTE,
  type HttpRequestSpec,
  httpBenchTable,
  listen,
  runHttpBench,
  type StartServer,
} from '../lib/http-bench.js';
import {
  definitions,
  FLAG_COUNT,
  GUARD_FLAG,
  type HandWrittenFlags,
  handWrittenEvaluations,
  handWrittenFlagsObject,
  PRODUCTS,
  publicClientEvaluations,
  readThrough,
  USERS,
} from '../lib/workload.js';
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
  const flagsMiddleware = featureFlags({
    source: memorySource({ version: 2, features: definitions() }),
    context: contextOf,
  });
  await flagsMiddleware.client.ready({ timeoutMs: 5000 });
  const app = new Koa();
  app.use(flagsMiddleware);
  const router = new Router<FlagsState>();
  router.get('/products', requireFeature(GUARD_FLAG), (ctx) => {
    const { flags } = ctx.state;
    ctx.body = {
      products: PRODUCTS,
      ...readThrough(flags),
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

/** Target: the same shape by hand — context middleware, guard, 3 reads on compileFlags, no flagwise object. */
export const startSameShape: StartServer = async () => {
  const evaluate = handWrittenEvaluations();
  const app = new Koa();
  app.use((ctx, next) => {
    // Where featureFlags() puts the flags: ctx.state (for views) and ctx itself.
    const context = { remoteAddress: ctx.ip, ...contextOf(ctx) };
    ctx.state.flagContext = context;
    (ctx as Context & { flagContext: FlagContext }).flagContext = context;
    return next();
  });
  const router = new Router();
  router.get(
    '/products',
    (ctx, next) => (evaluate.guard(ctx.state.flagContext) ? next() : undefined),
    (ctx) => {
      ctx.body = { products: PRODUCTS, ...evaluate.reads(ctx.state.flagContext) };
    },
  );
  app.use(router.routes());
  return listen(app);
};

/** Target: the same lazy object by hand — a middleware attaching a memoizing Proxy, a guard, 3 reads through it. */
export const startSameObject: StartServer = async () => {
  const { flagsFor } = handWrittenFlagsObject();
  const app = new Koa();
  app.use((ctx, next) => {
    const flags = flagsFor({ remoteAddress: ctx.ip, ...contextOf(ctx) });
    ctx.state.handFlags = flags;
    (ctx as Context & { handFlags: HandWrittenFlags }).handFlags = flags;
    return next();
  });
  const router = new Router();
  router.get(
    '/products',
    (ctx, next) => (ctx.state.handFlags[GUARD_FLAG] ? next() : undefined),
    (ctx) => {
      const flags: HandWrittenFlags = ctx.state.handFlags;
      ctx.body = {
        products: PRODUCTS,
        ...readThrough(flags),
      };
    },
  );
  app.use(router.routes());
  return listen(app);
};

/**
 * Target: the same app by hand on flagwise's public client — a middleware building `{ userId, properties: { plan } }`
 * from the two headers with the flagwise app's hook (`contextOf`), a guard and the 3 reads through
 * `client.isEnabled` / `client.getVariant`.
 */
export const startPublicClient: StartServer = async () => {
  const client = createFlags({ source: memorySource({ version: 2, features: definitions() }) });
  await client.ready({ timeoutMs: 5000 });
  const evaluate = publicClientEvaluations(client);
  const app = new Koa();
  app.use((ctx, next) => {
    // The context flagwise's hook builds, with the same code: the two rows differ only in flagwise.
    ctx.state.flagContext = contextOf(ctx);
    return next();
  });
  const router = new Router();
  router.get(
    '/products',
    (ctx, next) => (evaluate.guard(ctx.state.flagContext) ? next() : undefined),
    (ctx) => {
      ctx.body = { products: PRODUCTS, ...evaluate.reads(ctx.state.flagContext) };
    },
  );
  app.use(router.routes());
  return listen(app);
};

/**
 * Target: the skeleton of the API shape, with no flag work at all — a middleware that sets `ctx.state.flags` and
 * `ctx.flags` (where apps read them) to an empty object, a pass-through guard, the bare app's fixed JSON. What Koa
 * charges for the places flags must appear; no implementation of the shape can cost less.
 */
export const startSkeleton: StartServer = async () => {
  const app = new Koa();
  app.use((ctx, next) => {
    const flags = {};
    ctx.state.flags = flags;
    (ctx as Context & { flags: object }).flags = flags;
    return next();
  });
  const router = new Router();
  router.get(
    '/products',
    (_ctx, next) => next(),
    (ctx) => {
      ctx.body = { products: PRODUCTS, rollout: true, plan: false, variant: 'control' };
    },
  );
  app.use(router.routes());
  return listen(app);
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
      {
        name: `koa ${KOA_VERSION}, the same shape by hand (compileFlags, no flagwise object)`,
        module,
        export: 'startSameShape',
      },
      {
        name: `koa ${KOA_VERSION}, the skeleton: ctx.state.flags and ctx.flags set, a pass-through guard, no flag work`,
        module,
        export: 'startSkeleton',
      },
      {
        name: `koa ${KOA_VERSION}, the same lazy object by hand (a memoizing Proxy over compileFlags)`,
        module,
        export: 'startSameObject',
      },
      {
        name: `koa ${KOA_VERSION}, the same app by hand on flagwise's public client (isEnabled/getVariant)`,
        module,
        export: 'startPublicClient',
      },
    ],
    requests,
  });
  const withFlags = results[1];
  const sameShape = results[2];
  const skeleton = results[3];
  const byHand = byHandComparison('Koa 3', {
    bare: results[0],
    flagwise: withFlags,
    sameShape,
    sameObject: results[4],
    publicClient: results[5],
  });
  return {
    title: 'HTTP: Koa 3 bare vs with featureFlags()',
    markdown: [
      httpBenchTable(results),
      '',
      `Both apps answer GET /products through @koa/router with the same JSON. With the adapter: ${FLAG_COUNT} flags ` +
        `defined, a context hook (user id and plan from headers), \`requireFeature('${GUARD_FLAG}')\` on the route, ` +
        'and 3 flags read per request (a rollout, a plan constraint, a variant). Same shape by hand: no flagwise ' +
        'at all, a middleware building the same context and putting it where the adapter puts the flags ' +
        '(`ctx.state` and `ctx`), a guard and the same 3 reads evaluated straight on ' +
        '`compileFlags`: the least any library with this shape can cost. Skeleton: only what the shape makes Koa ' +
        'do, with no flag work — a middleware setting `ctx.state.flags` and `ctx.flags` to an empty object and a ' +
        'pass-through guard. Same lazy object by hand: the same middleware and guard with a memoizing Proxy as ' +
        '`ctx.handFlags` read by property (`handWrittenFlagsObject` in bench/lib/workload.ts: no overrides, ' +
        'warnings or metrics). On the public client by hand: an app with no adapter, a middleware building ' +
        "`{ userId, properties: { plan } }` from the two headers with the flagwise app's hook (`ctx.get`), the " +
        'guard and the 3 reads through ' +
        `\`client.isEnabled\` / \`client.getVariant\`. ${HTTP_METHOD_NOTE}`,
      '',
      `flagwise keeps ${(withFlags.ratio * 100).toFixed(1)}% of bare throughput (${(withFlags.cpuRatio * 100).toFixed(1)}% ` +
        `by server CPU); the same shape by hand keeps ${(sameShape.ratio * 100).toFixed(1)}% ` +
        `(${(sameShape.cpuRatio * 100).toFixed(1)}%); the skeleton keeps ${(skeleton.ratio * 100).toFixed(1)}% ` +
        `(${(skeleton.cpuRatio * 100).toFixed(1)}%).`,
      '',
      byHand.markdown,
    ].join('\n'),
    targets: [
      {
        label:
          `Koa 3 + featureFlags() ≥ ${TARGET_RATIO * 100}% of bare Koa 3 throughput (measured ${(withFlags.ratio * 100).toFixed(1)}%; ` +
          `by server CPU per request ${(withFlags.cpuRatio * 100).toFixed(1)}%)`,
        met: withFlags.ratio >= TARGET_RATIO && withFlags.cpuRatio >= TARGET_RATIO,
      },
      ...byHand.targets,
    ],
    perRequest: [byHand.perRequest],
  };
}
