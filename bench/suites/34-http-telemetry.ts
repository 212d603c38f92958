// HTTP: what telemetry costs an Express 5 app, in the HTTP suites' workload (200 flags, a guard, 3 reads):
//   bare                — no flags (the baseline)
//   telemetry off       — featureFlags() as every other suite runs it
//   before telemetry    — the same app on the flagwise of FLAGWISE_BENCH_BEFORE (a checkout of the code before
//                         telemetry, with its dependencies installed); measured only when that is set
//   traced, off         — the OpenTelemetry SDK registered (a server span per request, spans batched to an
//                         exporter that drops them, metrics aggregated), featureFlags() with telemetry off
//   traced, on          — the same with featureFlags({ telemetry: true }): an event per read on the span, the
//                         evaluation counter, the request's outcome by flag and variant
//   OpenFeature         — traced, the guard by featureFlags(), the same 3 reads through OpenFeature's client on
//                         FlagwiseProvider
//   OpenFeature + hook  — the same with OpenFeature's SpanEventHook (@openfeature/open-telemetry-hooks)
// Each server runs in its own process (bench/lib/http-bench.ts); rounds are interleaved, costs are paired.
import { pathToFileURL } from 'node:url';
import { createFlags, featureFlags, getFlags, memorySource, requireFeature } from '@flagwise/express';
import { FlagwiseProvider } from '@flagwise/openfeature';
import { SpanEventHook } from '@openfeature/open-telemetry-hooks';
import { type EvaluationContext, OpenFeature } from '@openfeature/server-sdk';
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  compareRows,
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
  PRODUCTS,
  REQUESTS,
  readThrough,
  VARIANT_FLAG,
} from '../lib/workload.js';
import type { BenchSection } from '../run.js';

const contextOf = (req: Request) => ({
  userId: req.get('x-user-id'),
  properties: { plan: req.get('x-plan') },
});

/** Exporters that drop what they get: the SDK's own work is measured, not a collector's. */
const droppingSpans: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => {},
};
const droppingMetrics: PushMetricExporter = {
  export: (_metrics, done) => done({ code: 0 }),
  forceFlush: async () => {},
  shutdown: async () => {},
  selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE,
};

/** The SDK as an app registers it, and a server span per request around the rest of the app. */
function traced(app: express.Express): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(
    new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: droppingSpans })] }),
  );
  metrics.setGlobalMeterProvider(
    new MeterProvider({
      readers: [
        new PeriodicExportingMetricReader({ exporter: droppingMetrics, exportIntervalMillis: 10_000 }),
      ],
    }),
  );
  const tracer = trace.getTracer('bench');
  app.use((req: Request, res: Response, next: NextFunction) => {
    tracer.startActiveSpan(`${req.method} /products`, { kind: 1 }, (span) => {
      res.once('finish', () => span.end());
      next();
    });
  });
}

async function flagsApp(options: { traced: boolean; telemetry: boolean }): Promise<RunningServer> {
  const app = express();
  if (options.traced) traced(app);
  const client = createFlags({
    source: memorySource({ version: 2, features: definitions() }),
    telemetry: options.telemetry,
  });
  await client.ready({ timeoutMs: 5000 });
  app.use(featureFlags(client, { context: contextOf }));
  app.get('/products', requireFeature(GUARD_FLAG), (req, res) => {
    res.json({ products: PRODUCTS, ...readThrough(getFlags(req)) });
  });
  return listen(app);
}

export const startOff = () => flagsApp({ traced: false, telemetry: false });
export const startTracedOff = () => flagsApp({ traced: true, telemetry: false });
export const startTracedOn = () => flagsApp({ traced: true, telemetry: true });

/** Target: the same app on the flagwise checked out at FLAGWISE_BENCH_BEFORE (the code before telemetry). */
export async function startBefore(): Promise<RunningServer> {
  const root = process.env.FLAGWISE_BENCH_BEFORE!;
  const adapter = (await import(
    pathToFileURL(`${root}/packages/express/src/index.ts`).href
  )) as typeof import('@flagwise/express');
  const client = adapter.createFlags({
    source: adapter.memorySource({ version: 2, features: definitions() }),
  });
  await client.ready({ timeoutMs: 5000 });
  const app = express();
  app.use(adapter.featureFlags(client, { context: contextOf }));
  app.get('/products', adapter.requireFeature(GUARD_FLAG), (req, res) => {
    res.json({ products: PRODUCTS, ...readThrough(adapter.getFlags(req)) });
  });
  return listen(app);
}

async function openFeatureApp(hook: boolean): Promise<RunningServer> {
  const app = express();
  traced(app);
  const client = createFlags({ source: memorySource({ version: 2, features: definitions() }) });
  await OpenFeature.setProviderAndWait(new FlagwiseProvider(client));
  if (hook) OpenFeature.addHooks(new SpanEventHook());
  const openFeature = OpenFeature.getClient();
  app.use(featureFlags(client, { context: contextOf }));
  app.get('/products', requireFeature(GUARD_FLAG), async (req, res) => {
    const evaluationContext: EvaluationContext = {
      targetingKey: req.get('x-user-id') ?? '',
      plan: req.get('x-plan') ?? '',
    };
    // the 3 reads of readThrough(): flag-001, flag-002 and the variant of VARIANT_FLAG
    const [rollout, plan, variant] = await Promise.all([
      openFeature.getBooleanValue('flag-001', false, evaluationContext),
      openFeature.getBooleanValue('flag-002', false, evaluationContext),
      openFeature.getStringValue(VARIANT_FLAG, 'disabled', evaluationContext),
    ]);
    res.json({ products: PRODUCTS, rollout, plan, variant });
  });
  return listen(app);
}

export const startOpenFeature = () => openFeatureApp(false);
export const startOpenFeatureHook = () => openFeatureApp(true);

const micros = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)} µs`;
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

export default async function httpTelemetry(): Promise<BenchSection> {
  const here = new URL(import.meta.url);
  const names = {
    bare: 'Express 5, no flags (baseline)',
    off: 'Express 5 + featureFlags(), telemetry off',
    before: 'Express 5 + featureFlags() before telemetry (FLAGWISE_BENCH_BEFORE)',
    tracedOff: 'Express 5, OpenTelemetry SDK + server span, featureFlags() telemetry off',
    tracedOn: 'Express 5, OpenTelemetry SDK + server span, featureFlags({ telemetry: true })',
    openFeature: 'Express 5, OpenTelemetry SDK + server span, the 3 reads through OpenFeature',
    openFeatureHook:
      'Express 5, OpenTelemetry SDK + server span, the 3 reads through OpenFeature + its SpanEventHook',
  };
  const before = process.env.FLAGWISE_BENCH_BEFORE;
  const results = await runHttpBench({
    targets: [
      // the Express suite's bare app
      { name: names.bare, module: new URL('./30-http-express.ts', here), export: 'startBare' },
      { name: names.off, module: here, export: 'startOff' },
      ...(before ? [{ name: names.before, module: here, export: 'startBefore' }] : []),
      { name: names.tracedOff, module: here, export: 'startTracedOff' },
      { name: names.tracedOn, module: here, export: 'startTracedOn' },
      { name: names.openFeature, module: here, export: 'startOpenFeature' },
      { name: names.openFeatureHook, module: here, export: 'startOpenFeatureHook' },
    ],
    requests: REQUESTS,
    connections: 10,
  });
  const row = (name: string) => results.find((result) => result.name === name)!;
  const on = compareRows(row(names.tracedOn), row(names.tracedOff));
  const hook = compareRows(row(names.openFeatureHook), row(names.openFeature));
  const offVsBefore = before ? compareRows(row(names.off), row(names.before)) : undefined;
  return {
    title: "HTTP: telemetry on and off (Express 5), beside OpenFeature's OpenTelemetry hook",
    markdown: [
      httpBenchTable(results),
      '',
      `The Express suite's app (${FLAG_COUNT} flags, a \`requireFeature\` guard, 3 reads per request). The traced ` +
        'rows register the OpenTelemetry SDK (a server span per request, spans batched to an exporter that drops ' +
        'them, metrics aggregated): telemetry on adds an event per read on the span (4 with the guard), the ' +
        "evaluation counter and the request's outcome by flag and variant. The OpenFeature rows read the same 3 " +
        "flags through OpenFeature's client on FlagwiseProvider, with and without OpenFeature's `SpanEventHook`. " +
        HTTP_METHOD_NOTE,
      '',
      offVsBefore
        ? `Telemetry off against the code before telemetry, window by window: ${percent(offVsBefore.throughput)} of ` +
          `its throughput, ${percent(offVsBefore.cpu)} of its CPU per request (${micros(offVsBefore.cpuMicrosAbove)}).`
        : 'Telemetry off against the code before telemetry: set FLAGWISE_BENCH_BEFORE to a checkout of it.',
      `Telemetry on above off, both traced: ${micros(on.cpuMicrosAbove)} server CPU per request ` +
        `(${percent(on.throughput)} of the throughput). OpenFeature's SpanEventHook for the same 3 evaluations: ` +
        `${micros(hook.cpuMicrosAbove)} per request (${percent(hook.throughput)}).`,
    ].join('\n'),
  };
}
