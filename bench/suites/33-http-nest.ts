// HTTP: what @flagwise/nestjs costs a Nest 11 app on the Express platform. One small app served two ways:
//   bare      — no flags at all
//   flagwise  — FeatureFlagsModule over 200 defined flags, a @FeatureRequired guard on the route, and 3 flags
//               read per request through @Flags() (2 properties, 1 variant)
//   machinery — no flagwise, but a no-op route guard and a no-op param decorator: what Nest itself charges for
//               the two mechanisms flagwise builds on
//   same shape — by hand, no flagwise: a middleware building the same context, a guard, a param decorator, the
//               same 3 reads straight on compileFlags (what the API shape alone costs Nest)
// Each server runs in its own process (bench/lib/http-bench.ts); rounds are interleaved, ratios are paired.
// The apps live in packages/nestjs/test/bench-app.ts, where Nest 11 (the adapter's dev dependency) resolves,
// so this suite needs no Nest dependencies of its own.
import { createRequire } from 'node:module';
import { HTTP_METHOD_NOTE, httpBenchTable, runHttpBench } from '../lib/http-bench.js';
import { FLAG_COUNT, REQUESTS, USERS } from '../lib/workload.js';
import type { BenchSection } from '../run.js';

const apps = new URL('../../packages/nestjs/test/bench-app.ts', import.meta.url);
const NEST_VERSION = (createRequire(apps)('@nestjs/core/package.json') as { version: string }).version;
const TARGET_RATIO = 0.95;

export default async function httpNest(): Promise<BenchSection> {
  const names = {
    bare: 'Nest 11 (Express), no flags (baseline)',
    flagwise: 'Nest 11 (Express) + FeatureFlagsModule, @FeatureRequired',
    machinery: 'Nest 11 (Express), a no-op guard and param decorator',
    sameShape: 'Nest 11 (Express), the same shape by hand (compileFlags, no flagwise object)',
  };
  const results = await runHttpBench({
    targets: [
      { name: names.bare, module: apps, export: 'startBare' },
      { name: names.flagwise, module: apps, export: 'startFlagwise' },
      { name: names.machinery, module: apps, export: 'startNestMachinery' },
      { name: names.sameShape, module: apps, export: 'startSameShape' },
    ],
    requests: REQUESTS,
    connections: 10,
  });
  const flagwise = results.find((r) => r.name === names.flagwise)!;
  const machinery = results.find((r) => r.name === names.machinery)!;
  const sameShape = results.find((r) => r.name === names.sameShape)!;
  return {
    title: 'HTTP: Nest 11 on Express with @flagwise/nestjs vs bare',
    markdown: [
      httpBenchTable(results),
      '',
      `One Nest ${NEST_VERSION} app on the Express platform, \`GET /products\` answering a small JSON body, ` +
        `loaded by autocannon (10 connections, ${USERS.length} users cycling through \`x-user-id\`) in the same ` +
        `run. flagwise: \`FeatureFlagsModule.forRoot()\` over ${FLAG_COUNT} defined flags (one Express ` +
        'middleware attaches the lazy flags), `@FeatureRequired` on the route, and 3 flags read per request ' +
        'through `@Flags()` (2 properties, 1 variant). Machinery: the bare app plus a no-op `@UseGuards` guard and ' +
        'a no-op `createParamDecorator` parameter, no flagwise. Same shape by hand: no flagwise at all, an Express ' +
        'middleware (`app.use`) putting the same context on the request and the view locals, a guard, a param ' +
        'decorator and the same 3 reads evaluated straight on `compileFlags`: the least any Nest integration ' +
        `with this shape can cost. ${HTTP_METHOD_NOTE}`,
      '',
      `flagwise keeps ${(flagwise.ratio * 100).toFixed(1)}% of bare Nest throughput ` +
        `(${(flagwise.cpuRatio * 100).toFixed(1)}% by server CPU); a no-op guard and param decorator alone ` +
        `(no flagwise) keep ${(machinery.ratio * 100).toFixed(1)}% (${(machinery.cpuRatio * 100).toFixed(1)}%); ` +
        `the same shape by hand keeps ${(sameShape.ratio * 100).toFixed(1)}% (${(sameShape.cpuRatio * 100).toFixed(1)}%).`,
    ].join('\n'),
    targets: [
      {
        label:
          `a @FeatureRequired route keeps ≥ ${TARGET_RATIO * 100}% of bare Nest 11 (Express) throughput (measured ` +
          `${(flagwise.ratio * 100).toFixed(1)}%; by server CPU ${(flagwise.cpuRatio * 100).toFixed(1)}%)`,
        met: flagwise.ratio >= TARGET_RATIO && flagwise.cpuRatio >= TARGET_RATIO,
      },
    ],
  };
}
