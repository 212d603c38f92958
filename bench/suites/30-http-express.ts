// HTTP: what featureFlags() costs an Express 5 app. One small app served seven ways in the same run:
//   bare          — no flags at all
//   flagwise      — featureFlags() over 200 defined flags, a requireFeature guard, 3 flags read per request
//   same shape    — by hand, no flagwise: a middleware building the same context, a guard, the same 3 reads,
//                   evaluated straight on compileFlags (what the API shape alone costs Express)
//   skeleton      — req.flags and res.locals.flags set to an empty object, a pass-through guard, no flag work:
//                   the floor under any implementation of the shape
//   hand-written  — the common pattern: unleash-client 6.12.2 evaluating 20 flags eagerly per request in a
//                   middleware (offline through its `repository` option, metrics off), the same guard and reads
//   public client — by hand on flagwise's own client: the context from two headers, client.isEnabled/getVariant
// Each server runs in its own process (bench/lib/http-bench.ts); rounds are interleaved, ratios are paired.
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import {
  createFlags,
  type FeatureDefinition,
  type FlagContext,
  featureFlags,
  getFlags,
  memorySource,
  requireFeature,
} from '@flagwise/express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Unleash } from 'unleash-client';
import {
  byHandComparison,
  HTTP_METHOD_NOTE,
  httpBenchTable,
  listen,
  type RunningServer,
  runHttpBench,
} from '../lib/http-bench.js';
import {
  definitions,
  FLAG_COUNT,
  GUARD_FLAG,
  type HandWrittenFlags,
  handWrittenEvaluations,
  handWrittenFlagsObject,
  PLAN_FLAG,
  PRODUCTS,
  publicClientEvaluations,
  REQUESTS,
  ROLLOUT_FLAG,
  readThrough,
  USERS,
  VARIANT_FLAG,
} from '../lib/workload.js';
import type { BenchSection } from '../run.js';

const EXPRESS_VERSION = (createRequire(import.meta.url)('express/package.json') as { version: string })
  .version;
const EAGER_COUNT = 20;
const TARGET_RATIO = 0.97;

const contextOf = (req: Request) => ({
  userId: req.get('x-user-id'),
  properties: { plan: req.get('x-plan') },
});

/** Target: Express 5 without flags; the same JSON with fixed values. */
export async function startBare(): Promise<RunningServer> {
  const app = express();
  app.get('/products', (_req, res) => {
    res.json({ products: PRODUCTS, rollout: true, plan: false, variant: 'control' });
  });
  return listen(app);
}

/** Target: featureFlags() with 200 flags, a requireFeature guard, 3 reads per request. */
export async function startFlagwise(): Promise<RunningServer> {
  const client = createFlags({ source: memorySource({ version: 2, features: definitions() }) });
  await client.ready({ timeoutMs: 5000 });
  const app = express();
  app.use(featureFlags(client, { context: contextOf }));
  app.get('/products', requireFeature(GUARD_FLAG), (req, res) => {
    const flags = getFlags(req);
    res.json({
      products: PRODUCTS,
      ...readThrough(flags),
    });
  });
  return listen(app);
}

/** Target: the same shape by hand — context middleware, guard, 3 reads on compileFlags, no flagwise object. */
export async function startSameShape(): Promise<RunningServer> {
  const evaluate = handWrittenEvaluations();
  const app = express();
  app.use((req: Request, res: Response, next: NextFunction) => {
    const context = { remoteAddress: req.socket.remoteAddress, ...contextOf(req) };
    (req as Request & { flagContext: FlagContext }).flagContext = context;
    res.locals.flagContext = context;
    next();
  });
  const guard = (req: Request, _res: Response, next: NextFunction) =>
    evaluate.guard((req as Request & { flagContext: FlagContext }).flagContext) ? next() : next('route');
  app.get('/products', guard, (req, res) => {
    res.json({
      products: PRODUCTS,
      ...evaluate.reads((req as Request & { flagContext: FlagContext }).flagContext),
    });
  });
  return listen(app);
}

/** Target: the same lazy object by hand — a middleware attaching a memoizing Proxy, a guard, 3 reads through it. */
export async function startSameObject(): Promise<RunningServer> {
  const { flagsFor } = handWrittenFlagsObject();
  type WithFlags = Request & { handFlags: HandWrittenFlags };
  const app = express();
  app.use((req: Request, res: Response, next: NextFunction) => {
    const flags = flagsFor({ remoteAddress: req.socket.remoteAddress, ...contextOf(req) });
    (req as WithFlags).handFlags = flags;
    res.locals.handFlags = flags;
    next();
  });
  const guard = (req: Request, _res: Response, next: NextFunction) =>
    (req as WithFlags).handFlags[GUARD_FLAG] ? next() : next('route');
  app.get('/products', guard, (req, res) => {
    const flags = (req as WithFlags).handFlags;
    res.json({
      products: PRODUCTS,
      ...readThrough(flags),
    });
  });
  return listen(app);
}

/**
 * Target: the same app by hand on flagwise's public client — a middleware building `{ userId, properties: { plan } }`
 * from the two headers with the flagwise app's hook (`contextOf`), a guard and the 3 reads through
 * `client.isEnabled` / `client.getVariant`.
 */
export async function startPublicClient(): Promise<RunningServer> {
  const client = createFlags({ source: memorySource({ version: 2, features: definitions() }) });
  await client.ready({ timeoutMs: 5000 });
  const evaluate = publicClientEvaluations(client);
  type WithContext = Request & { flagContext: FlagContext };
  const app = express();
  app.use((req: Request, _res: Response, next: NextFunction) => {
    // The context flagwise's hook builds, with the same code: the two rows differ only in flagwise.
    (req as WithContext).flagContext = contextOf(req);
    next();
  });
  const guard = (req: Request, _res: Response, next: NextFunction) =>
    evaluate.guard((req as WithContext).flagContext) ? next() : next('route');
  app.get('/products', guard, (req, res) => {
    res.json({ products: PRODUCTS, ...evaluate.reads((req as WithContext).flagContext) });
  });
  return listen(app);
}

/**
 * Target: the skeleton of the API shape, with no flag work at all — a middleware that sets `req.flags` and
 * `res.locals.flags` (where apps read them) to an empty object, a pass-through guard, the bare app's fixed JSON.
 * What Express charges for the places flags must appear; no implementation of the shape can cost less.
 */
export async function startSkeleton(): Promise<RunningServer> {
  const app = express();
  app.use((req: Request, res: Response, next: NextFunction) => {
    const flags = {};
    (req as Request & { flags: object }).flags = flags;
    res.locals.flags = flags;
    next();
  });
  const guard = (_req: Request, _res: Response, next: NextFunction) => next();
  app.get('/products', guard, (_req, res) => {
    res.json({ products: PRODUCTS, rollout: true, plan: false, variant: 'control' });
  });
  return listen(app);
}

/** A repository that serves fixed definitions: unleash-client without a network. */
class StaticRepository extends EventEmitter {
  private readonly toggles: Map<string, FeatureDefinition>;
  constructor(features: FeatureDefinition[]) {
    super();
    this.toggles = new Map(features.map((feature) => [feature.name, feature]));
  }
  async start(): Promise<void> {
    this.emit('ready');
    this.emit('changed', [...this.toggles.values()]);
  }
  stop(): void {}
  getToggle(name: string) {
    return this.toggles.get(name);
  }
  getToggles() {
    return [...this.toggles.values()];
  }
  getTogglesWithSegmentData() {
    return this.getToggles();
  }
  getSegment() {
    return undefined;
  }
}

/** Target: the hand-written pattern with unleash-client — 20 flags evaluated eagerly per request. */
export async function startHandWritten(): Promise<RunningServer> {
  const features = definitions();
  const unleash = new Unleash({
    appName: 'bench',
    url: 'http://127.0.0.1:9/api/',
    disableMetrics: true,
    skipInstanceCountWarning: true,
    repository: new StaticRepository(features) as never,
  });
  await new Promise<void>((resolve) =>
    unleash.isSynchronized() ? resolve() : unleash.once('synchronized', resolve),
  );
  const eager = features.slice(0, EAGER_COUNT).map((feature) => feature.name);
  const app = express();
  app.use((req: Request, res: Response, next: NextFunction) => {
    const context = { ...contextOf(req), remoteAddress: req.ip };
    const flags: Record<string, boolean | string> = {};
    for (const name of eager) flags[name] = unleash.isEnabled(name, context);
    flags[VARIANT_FLAG] = unleash.getVariant(VARIANT_FLAG, context).name;
    (req as Request & { flags: unknown }).flags = flags;
    res.locals.flags = flags;
    next();
  });
  const guard = (req: Request, _res: Response, next: NextFunction) =>
    (req as Request & { flags: Record<string, unknown> }).flags[GUARD_FLAG] ? next() : next('route');
  app.get('/products', guard, (req, res) => {
    const flags = (req as Request & { flags: Record<string, unknown> }).flags;
    res.json({
      products: PRODUCTS,
      rollout: flags[ROLLOUT_FLAG],
      plan: flags[PLAN_FLAG],
      variant: flags[VARIANT_FLAG],
    });
  });
  return listen(app);
}

export default async function httpExpress(): Promise<BenchSection> {
  const here = new URL(import.meta.url);
  const names = {
    bare: 'Express 5, no flags (baseline)',
    flagwise: 'Express 5 + featureFlags()',
    sameShape: 'Express 5, the same shape by hand (compileFlags, no flagwise object)',
    sameObject: 'Express 5, the same lazy object by hand (a memoizing Proxy over compileFlags)',
    skeleton:
      'Express 5, the skeleton: req.flags and res.locals.flags set, a pass-through guard, no flag work',
    hand: 'Express 5 + unleash-client, 20 eager',
    publicClient: "Express 5, the same app by hand on flagwise's public client (isEnabled/getVariant)",
  };
  const results = await runHttpBench({
    targets: [
      { name: names.bare, module: here, export: 'startBare' },
      { name: names.flagwise, module: here, export: 'startFlagwise' },
      { name: names.sameShape, module: here, export: 'startSameShape' },
      { name: names.sameObject, module: here, export: 'startSameObject' },
      { name: names.skeleton, module: here, export: 'startSkeleton' },
      { name: names.hand, module: here, export: 'startHandWritten' },
      { name: names.publicClient, module: here, export: 'startPublicClient' },
    ],
    requests: REQUESTS,
    connections: 10,
  });
  const flagwise = results.find((r) => r.name === names.flagwise)!;
  const hand = results.find((r) => r.name === names.hand)!;
  const sameShape = results.find((r) => r.name === names.sameShape)!;
  const skeleton = results.find((r) => r.name === names.skeleton)!;
  const sameObject = results.find((r) => r.name === names.sameObject)!;
  const byHand = byHandComparison('Express 5', {
    bare: results.find((r) => r.name === names.bare)!,
    flagwise,
    sameShape,
    sameObject,
    publicClient: results.find((r) => r.name === names.publicClient)!,
  });
  return {
    title: 'HTTP: Express 5 with featureFlags() vs bare',
    markdown: [
      httpBenchTable(results),
      '',
      `One Express ${EXPRESS_VERSION} app, \`GET /products\` answering a small JSON body, loaded by autocannon ` +
        `(10 connections, ${USERS.length} users cycling through \`x-user-id\`) in the same run. ` +
        `flagwise: \`featureFlags()\` over ${FLAG_COUNT} defined flags, a \`requireFeature\` guard and 3 flags read per ` +
        `request (2 properties, 1 variant). Hand-written: unleash-client 6.12.2 offline, metrics off, evaluating ` +
        `${EAGER_COUNT} flags (and one variant) eagerly per request in a middleware, the same guard and reads. ` +
        'Same shape by hand: no flagwise at all, a middleware building the same context, a guard and the same ' +
        '3 reads evaluated straight on `compileFlags`: the least any library with this shape can cost. ' +
        'Same lazy object by hand: the same middleware and guard with a memoizing Proxy as `req.handFlags` read ' +
        'by property (`handWrittenFlagsObject` in bench/lib/workload.ts: no overrides, warnings or metrics). ' +
        'On the public client by hand: an app with no adapter, a middleware building `{ userId, properties: { plan } }` ' +
        "from the two headers with the flagwise app's hook (`req.get`), the guard and the 3 reads through " +
        '`client.isEnabled` / `client.getVariant`. Skeleton: only what the shape makes Express do, with no flag ' +
        'work — a middleware setting `req.flags` and ' +
        '`res.locals.flags` to an empty object and a pass-through guard. ' +
        HTTP_METHOD_NOTE,
      '',
      `flagwise keeps ${(flagwise.ratio * 100).toFixed(1)}% of bare throughput (${(flagwise.cpuRatio * 100).toFixed(1)}% ` +
        `by server CPU); the same shape by hand keeps ${(sameShape.ratio * 100).toFixed(1)}% ` +
        `(${(sameShape.cpuRatio * 100).toFixed(1)}%); the skeleton keeps ${(skeleton.ratio * 100).toFixed(1)}% ` +
        `(${(skeleton.cpuRatio * 100).toFixed(1)}%); the hand-written unleash-client pattern keeps ${(hand.ratio * 100).toFixed(1)}% ` +
        `(${(hand.cpuRatio * 100).toFixed(1)}% by server CPU).`,
      '',
      byHand.markdown,
    ].join('\n'),
    targets: [
      {
        label:
          `featureFlags() keeps ≥ ${TARGET_RATIO * 100}% of bare Express 5 throughput (measured ` +
          `${(flagwise.ratio * 100).toFixed(1)}%; by server CPU ${(flagwise.cpuRatio * 100).toFixed(1)}%)`,
        // Both figures must hold: a throughput ratio alone can pass on a lucky round of a noisy machine.
        met: flagwise.ratio >= TARGET_RATIO && flagwise.cpuRatio >= TARGET_RATIO,
      },
      ...byHand.targets,
    ],
    perRequest: [byHand.perRequest],
  };
}
