// HTTP: what the @flagwise/fastify plugin costs a Fastify 5 app. One small app served two ways in the same run:
//   bare      — no flags at all
//   flagwise  — the plugin over 200 defined flags, a `config: { feature }` guard on the route, 3 flags read
//               per request
//   by hand   — the same shape on compileFlags, the same lazy object, and the same app on flagwise's public client
// Each server runs in its own process (bench/lib/http-bench.ts); rounds are interleaved, ratios are paired.
import { createRequire } from 'node:module';
import type { FlagContext } from '@flagwise/core';
import { createFlags, featureFlags, memorySource } from '@flagwise/fastify';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type HookHandlerDoneFunction,
} from 'fastify';
import {
  byHandComparison,
  HTTP_METHOD_NOTE,
  httpBenchTable,
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
  PRODUCTS,
  publicClientEvaluations,
  REQUESTS,
  readThrough,
  USERS,
} from '../lib/workload.js';
import type { BenchSection } from '../run.js';

const FASTIFY_VERSION = (createRequire(import.meta.url)('fastify/package.json') as { version: string })
  .version;
const TARGET_RATIO = 0.95;

const header = (request: FastifyRequest, name: string) => request.headers[name] as string | undefined;

/** The flagwise app's context hook; the public-client app builds its context with it too. */
const contextOf = (request: FastifyRequest) => ({
  userId: header(request, 'x-user-id'),
  properties: { plan: header(request, 'x-plan') },
});

/** Target: Fastify 5 without flags; the same JSON with fixed values. */
export async function startBare(): Promise<RunningServer> {
  const app = Fastify();
  app.get('/products', async () => ({ products: PRODUCTS, rollout: true, plan: false, variant: 'control' }));
  return listen(app);
}

/** Target: the plugin with 200 flags, a route-config guard, 3 reads per request. */
export async function startFlagwise(): Promise<RunningServer> {
  const client = createFlags({ source: memorySource({ version: 2, features: definitions() }) });
  const app = Fastify();
  await app.register(featureFlags, {
    client,
    context: contextOf,
  });
  app.get('/products', { config: { feature: GUARD_FLAG } }, async (request) => ({
    products: PRODUCTS,
    ...readThrough(request.flags!),
  }));
  return listen(app);
}

/** Target: the same shape by hand — a hook building the context, a guard hook, 3 reads on compileFlags. */
export async function startSameShape(): Promise<RunningServer> {
  const evaluate = handWrittenEvaluations();
  const app = Fastify();
  app.decorateRequest('flagContext', null);
  app.addHook('onRequest', (request, _reply, done) => {
    request.flagContext = {
      remoteAddress: request.ip,
      userId: header(request, 'x-user-id'),
      properties: { plan: header(request, 'x-plan') },
    };
    done();
  });
  const guard = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (evaluate.guard(request.flagContext!)) done();
    else reply.callNotFound();
  };
  app.get('/products', { onRequest: [guard] }, async (request) => ({
    products: PRODUCTS,
    ...evaluate.reads(request.flagContext!),
  }));
  return listen(app);
}

/** Target: the same lazy object by hand — a hook attaching a memoizing Proxy, a guard hook, 3 reads through it. */
export async function startSameObject(): Promise<RunningServer> {
  const { flagsFor } = handWrittenFlagsObject();
  const app = Fastify();
  app.decorateRequest('handFlags', null);
  app.addHook('onRequest', (request, _reply, done) => {
    request.handFlags = flagsFor({
      remoteAddress: request.ip,
      userId: header(request, 'x-user-id'),
      properties: { plan: header(request, 'x-plan') },
    });
    done();
  });
  const guard = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (request.handFlags![GUARD_FLAG]) done();
    else reply.callNotFound();
  };
  app.get('/products', { onRequest: [guard] }, async (request) => {
    const flags = request.handFlags!;
    return {
      products: PRODUCTS,
      ...readThrough(flags),
    };
  });
  return listen(app);
}

/**
 * Target: the same app by hand on flagwise's public client — a hook building `{ userId, properties: { plan } }`
 * from the two headers with the flagwise app's hook (`contextOf`), a guard hook and the 3 reads through
 * `client.isEnabled` / `client.getVariant`, the route registered inside a plugin, as apps do.
 */
export async function startPublicClient(): Promise<RunningServer> {
  const client = createFlags({ source: memorySource({ version: 2, features: definitions() }) });
  await client.ready({ timeoutMs: 5000 });
  const evaluate = publicClientEvaluations(client);
  const app = Fastify();
  app.decorateRequest('flagContext', null);
  app.addHook('onRequest', (request, _reply, done) => {
    // The context flagwise's hook builds, with the same code: the two rows differ only in flagwise.
    request.flagContext = contextOf(request);
    done();
  });
  const guard = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (evaluate.guard(request.flagContext!)) done();
    else reply.callNotFound();
  };
  await app.register(async (products) => {
    products.get('/products', { onRequest: [guard] }, async (request) => ({
      products: PRODUCTS,
      ...evaluate.reads(request.flagContext!),
    }));
  });
  app.addHook('onClose', () => client.close());
  return listen(app);
}

declare module 'fastify' {
  interface FastifyRequest {
    flagContext: FlagContext | null;
    handFlags: HandWrittenFlags | null;
  }
}

async function listen(app: FastifyInstance): Promise<RunningServer> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return { url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

export default async function httpFastify(): Promise<BenchSection> {
  const here = new URL(import.meta.url);
  const names = {
    bare: 'Fastify 5, no flags (baseline)',
    flagwise: 'Fastify 5 + @flagwise/fastify',
    sameShape: 'Fastify 5, the same shape by hand (compileFlags, no flagwise object)',
    sameObject: 'Fastify 5, the same lazy object by hand (a memoizing Proxy over compileFlags)',
    publicClient: "Fastify 5, the same app by hand on flagwise's public client (isEnabled/getVariant)",
  };
  const results = await runHttpBench({
    targets: [
      { name: names.bare, module: here, export: 'startBare' },
      { name: names.flagwise, module: here, export: 'startFlagwise' },
      { name: names.sameShape, module: here, export: 'startSameShape' },
      { name: names.sameObject, module: here, export: 'startSameObject' },
      { name: names.publicClient, module: here, export: 'startPublicClient' },
    ],
    requests: REQUESTS,
    connections: 10,
  });
  const flagwise = results.find((r) => r.name === names.flagwise)!;
  const sameShape = results.find((r) => r.name === names.sameShape)!;
  const sameObject = results.find((r) => r.name === names.sameObject)!;
  const byHand = byHandComparison('Fastify 5', {
    bare: results.find((r) => r.name === names.bare)!,
    flagwise,
    sameShape,
    sameObject,
    publicClient: results.find((r) => r.name === names.publicClient)!,
  });
  return {
    title: 'HTTP: Fastify 5 with @flagwise/fastify vs bare',
    markdown: [
      httpBenchTable(results),
      '',
      `One Fastify ${FASTIFY_VERSION} app, \`GET /products\` answering a small JSON body, loaded by autocannon ` +
        `(10 connections, ${USERS.length} users cycling through \`x-user-id\`) in the same run. ` +
        `flagwise: the plugin over ${FLAG_COUNT} defined flags, the route guarded with \`config: { feature }\` and ` +
        '3 flags read per request (2 properties, 1 variant). Same shape by hand: no flagwise at all, a hook ' +
        'building the same context, a guard hook and the same 3 reads evaluated straight on `compileFlags`: the ' +
        'least any library with this shape can cost. Same lazy object by hand: the same hooks, with a memoizing ' +
        'Proxy as `request.handFlags` read by property (`handWrittenFlagsObject` in bench/lib/workload.ts: no ' +
        'overrides, warnings or metrics). On the public client by hand: an app with no adapter, a hook building ' +
        "`{ userId, properties: { plan } }` from the two headers with the flagwise app's hook, the guard and the 3 " +
        `reads through \`client.isEnabled\` / \`client.getVariant\`, its route registered inside a plugin. ${HTTP_METHOD_NOTE}`,
      '',
      `The plugin keeps ${(flagwise.ratio * 100).toFixed(1)}% of bare throughput ` +
        `(${(flagwise.cpuRatio * 100).toFixed(1)}% by server CPU); the same shape by hand keeps ` +
        `${(sameShape.ratio * 100).toFixed(1)}% (${(sameShape.cpuRatio * 100).toFixed(1)}%).`,
      '',
      byHand.markdown,
    ].join('\n'),
    targets: [
      {
        label:
          `@flagwise/fastify keeps ≥ ${TARGET_RATIO * 100}% of bare Fastify 5 throughput (measured ` +
          `${(flagwise.ratio * 100).toFixed(1)}%; by server CPU ${(flagwise.cpuRatio * 100).toFixed(1)}%)`,
        // Both figures must hold: a throughput ratio alone can pass on a lucky round of a noisy machine.
        met: flagwise.ratio >= TARGET_RATIO && flagwise.cpuRatio >= TARGET_RATIO,
      },
      ...byHand.targets,
    ],
    perRequest: [byHand.perRequest],
  };
}
