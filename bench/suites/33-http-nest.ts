// HTTP: what @flagwise/nestjs costs a Nest 11 app on the Express platform. One small app served several ways:
//   bare      — no flags at all
//   guarded   — FeatureFlagsModule over 200 defined flags and a @FeatureRequired guard on the route, answering
//               what bare answers
//   flagwise  — the same, plus 3 flags read per request through @Flags() (2 properties, 1 variant), as the
//               Express suite's app does
//   machinery — no flagwise, but a no-op route guard and a no-op param decorator: what Nest itself charges for
//               the two mechanisms flagwise builds on
//   same shape — the 3-flag route by hand, no flagwise: a middleware building the same context, a guard, a param decorator, the
//               same 3 reads straight on compileFlags (what the API shape alone costs Nest)
//   openfeature — no flagwise: OpenFeature's Nest SDK (@openfeature/nestjs-sdk) over its InMemoryProvider holding
//               the same 200 flags, @RequireFlagsEnabled on the route and the same 3 reads injected by
//               @BooleanFeatureFlag / @StringFeatureFlag
//   public client — the 3-flag route by hand on flagwise's own client: the context from two headers,
//               client.isEnabled/getVariant in a guard and the handler
// Each server runs in its own process (bench/lib/http-bench.ts); rounds are interleaved, ratios are paired.
// The apps live in packages/nestjs/test/bench-app.ts, where Nest 11 (the adapter's dev dependency) resolves,
// so this suite needs no Nest dependencies of its own; the OpenFeature app lives in
// packages/openfeature/test/nest-bench-app.ts, beside that package's Nest 11 and OpenFeature SDKs.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { byHandComparison, HTTP_METHOD_NOTE, httpBenchTable, runHttpBench } from '../lib/http-bench.js';
import { FLAG_COUNT, REQUESTS, USERS } from '../lib/workload.js';
import type { BenchSection } from '../run.js';

const apps = new URL('../../packages/nestjs/test/bench-app.ts', import.meta.url);
const openFeatureApp = new URL('../../packages/openfeature/test/nest-bench-app.ts', import.meta.url);
const NEST_VERSION = (createRequire(apps)('@nestjs/core/package.json') as { version: string }).version;
const OPENFEATURE_NEST_VERSION = packageVersion(openFeatureApp, '@openfeature/nestjs-sdk');
const TARGET_RATIO = 0.95;

export default async function httpNest(): Promise<BenchSection> {
  const names = {
    bare: 'Nest 11 (Express), no flags (baseline)',
    guarded: 'Nest 11 (Express) + FeatureFlagsModule, @FeatureRequired route',
    flagwise: 'Nest 11 (Express) + FeatureFlagsModule, @FeatureRequired route reading 3 flags via @Flags()',
    machinery: 'Nest 11 (Express), a no-op guard and param decorator',
    sameShape: 'Nest 11 (Express), the 3-flag route by hand (compileFlags, no flagwise object)',
    sameObject: 'Nest 11 (Express), the 3-flag route with the same lazy object by hand (a memoizing Proxy)',
    publicClient:
      "Nest 11 (Express), the 3-flag route by hand on flagwise's public client (isEnabled/getVariant)",
    openFeature:
      'Nest 11 (Express) + @openfeature/nestjs-sdk on InMemoryProvider, @RequireFlagsEnabled route reading 3 flags',
  };
  const results = await runHttpBench({
    targets: [
      { name: names.bare, module: apps, export: 'startBare' },
      { name: names.guarded, module: apps, export: 'startGuarded' },
      { name: names.flagwise, module: apps, export: 'startFlagwise' },
      { name: names.openFeature, module: openFeatureApp, export: 'startOpenFeatureSdk' },
      { name: names.machinery, module: apps, export: 'startNestMachinery' },
      { name: names.sameShape, module: apps, export: 'startSameShape' },
      { name: names.sameObject, module: apps, export: 'startSameObject' },
      { name: names.publicClient, module: apps, export: 'startPublicClient' },
    ],
    requests: REQUESTS,
    connections: 10,
  });
  const [guarded, flagwise, machinery, sameShape, sameObject, openFeature] = [
    names.guarded,
    names.flagwise,
    names.machinery,
    names.sameShape,
    names.sameObject,
    names.openFeature,
  ].map((name) => results.find((r) => r.name === name)!);
  const byHand = byHandComparison('Nest 11 (Express), 3 flags via @Flags()', {
    bare: results.find((r) => r.name === names.bare)!,
    flagwise,
    sameShape,
    sameObject,
    publicClient: results.find((r) => r.name === names.publicClient)!,
  });
  return {
    title: 'HTTP: Nest 11 on Express with @flagwise/nestjs vs bare',
    markdown: [
      httpBenchTable(results),
      '',
      `One Nest ${NEST_VERSION} app on the Express platform, \`GET /products\` answering a small JSON body, ` +
        `loaded by autocannon (10 connections, ${USERS.length} users cycling through \`x-user-id\`) in the same ` +
        `run. Guarded route: \`FeatureFlagsModule.forRoot()\` over ${FLAG_COUNT} defined flags and ` +
        '`@FeatureRequired` on the route, answering what bare answers. Reading 3 flags: the same plus 3 flags read ' +
        'per request through `@Flags()` (2 properties, 1 variant), as in the Express suite. The module ' +
        "attaches each request's flags as it comes in (an Express middleware) as `req.flags` and " +
        '`res.locals.flags`, built at their first read (here in the guard, after any guard before it). Machinery: the bare app plus a no-op `@UseGuards` guard and a no-op ' +
        '`createParamDecorator` parameter, no flagwise. By hand: no flagwise at all, an Express middleware ' +
        '(`app.use`) putting the same context on the request and the view locals, a guard, a param decorator and ' +
        'the same 3 reads evaluated straight on `compileFlags`. Same lazy object by hand: the same middleware, ' +
        'guard and param decorator with a memoizing Proxy as `req.handFlags` read by property ' +
        '(`handWrittenFlagsObject` in bench/lib/workload.ts: no overrides, warnings or metrics). On the public ' +
        'client by hand: an Express middleware putting `{ userId, properties: { plan } }` from the two headers on the ' +
        'request, a guard and a param decorator, the guard and the 3 reads through `client.isEnabled` / ' +
        '`client.getVariant`. OpenFeature: no flagwise, ' +
        `\`@openfeature/nestjs-sdk\` ${OPENFEATURE_NEST_VERSION} with \`OpenFeatureModule.forRoot()\` over ` +
        `\`InMemoryProvider\` holding the same ${FLAG_COUNT} flags (a context evaluator written by hand for each ` +
        'rule, on the targeting key from `x-user-id`), `@RequireFlagsEnabled` on the route and the same 3 reads ' +
        'injected by `@BooleanFeatureFlag` / `@StringFeatureFlag`, answering the same values. ' +
        HTTP_METHOD_NOTE,
      '',
      `A @FeatureRequired route keeps ${percent(guarded.ratio)} of bare Nest throughput ` +
        `(${percent(guarded.cpuRatio)} by server CPU); reading 3 flags too, ${percent(flagwise.ratio)} ` +
        `(${percent(flagwise.cpuRatio)}); a no-op guard and param decorator alone (no flagwise) keep ` +
        `${percent(machinery.ratio)} (${percent(machinery.cpuRatio)}); the 3-flag route by hand keeps ` +
        `${percent(sameShape.ratio)} (${percent(sameShape.cpuRatio)}); OpenFeature's Nest SDK on its ` +
        `InMemoryProvider, guarded and reading 3 flags, keeps ${percent(openFeature.ratio)} ` +
        `(${percent(openFeature.cpuRatio)}).`,
      '',
      byHand.markdown,
    ].join('\n'),
    targets: [
      {
        label:
          `a @FeatureRequired route keeps ≥ ${TARGET_RATIO * 100}% of bare Nest 11 (Express) throughput (measured ` +
          `${percent(guarded.ratio)}; by server CPU ${percent(guarded.cpuRatio)})`,
        met: guarded.ratio >= TARGET_RATIO && guarded.cpuRatio >= TARGET_RATIO,
      },
      {
        label:
          `the same route reading 3 flags through @Flags() keeps ≥ ${TARGET_RATIO * 100}% too (measured ` +
          `${percent(flagwise.ratio)}; by server CPU ${percent(flagwise.cpuRatio)})`,
        met: flagwise.ratio >= TARGET_RATIO && flagwise.cpuRatio >= TARGET_RATIO,
      },
      ...byHand.targets,
    ],
    perRequest: [byHand.perRequest],
  };
}

/** The installed version of a package whose exports hide its package.json, as resolved from `from`. */
function packageVersion(from: URL, name: string): string {
  let dir = path.dirname(createRequire(from).resolve(name));
  while (!existsSync(path.join(dir, 'package.json')) || readPackage(dir).name !== name)
    dir = path.dirname(dir);
  return readPackage(dir).version;
}

function readPackage(dir: string): { name?: string; version: string } {
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
    name?: string;
    version: string;
  };
}

const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
