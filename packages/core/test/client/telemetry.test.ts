// Telemetry in the core, through the real OpenTelemetry SDK's in-memory exporters: the option checked at startup,
// nothing of OpenTelemetry loaded when it is off, one event per flag per request whatever the reads, the
// conventions' reasons, the counter's bounded labels, and the dashboard's per-variant request figures.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { context, logs, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  type DataPoint,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { endpointCaller, jsonOf, type TestRequest } from '../../../../test/support/endpoints.js';
import { requestOutcomes } from '../../src/adapter/index.js';
import { MAX_OUTCOME_SERIES, OutcomeStats } from '../../src/client/outcome-stats.js';
import { telemetryOf } from '../../src/client/telemetry.js';
import {
  ConfigurationError,
  createDashboard,
  createFlags,
  type DashboardState,
  type FlagsClient,
  memorySource,
} from '../../src/index.js';

const spans = new InMemorySpanExporter();
const records = new InMemoryLogRecordExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({
  exporter: metricExporter,
  exportIntervalMillis: 3_600_000,
});
const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
const loggerProvider = new LoggerProvider({
  processors: [new SimpleLogRecordProcessor({ exporter: records })],
});
const meterProvider = new MeterProvider({ readers: [reader] });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(tracerProvider);
  logs.setGlobalLoggerProvider(loggerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
});
afterAll(async () => {
  await Promise.all([tracerProvider.shutdown(), loggerProvider.shutdown(), meterProvider.shutdown()]);
  trace.disable();
  logs.disable();
  metrics.disable();
  context.disable();
});

const clients: FlagsClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  spans.reset();
  records.reset();
});

async function clientWith(telemetry: Parameters<typeof createFlags>[0] extends infer O ? O : never) {
  const client = createFlags<TestRequest>({
    source: memorySource({
      flags: {
        'new-pricing': true,
        off: false,
        beta: { users: ['ada'] },
        half: { rollout: 50 },
        'checkout-copy': { variants: { short: 50, long: 50 } },
      },
    }),
    logger: false,
    ...(telemetry as object),
  });
  clients.push(client);
  await client.ready();
  return client;
}

const tracer = trace.getTracer('telemetry-test');
const evaluationEvents = () =>
  spans
    .getFinishedSpans()
    .flatMap((span) => span.events.filter((event) => event.name === 'feature_flag.evaluation'));

describe('the telemetry option', () => {
  it('fails at startup with the fix in the message', () => {
    expect(() => createFlags({ source: memorySource(), telemetry: { evaluation: 'span' } as never })).toThrow(
      /unknown option "evaluation" \(did you mean "evaluations"\?\)/,
    );
    expect(() =>
      createFlags({ source: memorySource(), telemetry: { evaluations: 'spans' as never } }),
    ).toThrow(ConfigurationError);
    expect(() => createFlags({ source: memorySource(), telemetry: { flags: 'beta' as never } })).toThrow(
      /flags must be a list of flag names/,
    );
    expect(() => createFlags({ source: memorySource(), telemetry: { api: {} as never } })).toThrow(
      /api must be the OpenTelemetry API/,
    );
  });

  it('loads nothing of OpenTelemetry when it is off, and @opentelemetry/api when it is on', () => {
    const script = (telemetry: boolean) => `
      import { createFlags, inlineSource } from ${JSON.stringify(fileURLToPath(new URL('../../src/index.ts', import.meta.url)))};
      import { createRequire } from 'node:module';
      const client = createFlags({ source: inlineSource({ flags: { a: true } }), logger: false, telemetry: ${telemetry} });
      await client.ready();
      client.isEnabled('a');
      client.forContext({ userId: '1' }).a;
      await client.close();
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('@opentelemetry'));
      console.log(JSON.stringify(loaded.length));`;
    const run = (telemetry: boolean) =>
      JSON.parse(
        execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(telemetry)], {
          encoding: 'utf8',
          cwd: fileURLToPath(new URL('../..', import.meta.url)),
        }),
      );
    expect(run(false)).toBe(0);
    expect(run(true)).toBeGreaterThan(0);
  });
});

describe('evaluation events', () => {
  it('records one event per flag a request reads, at its first read, on the active span', async () => {
    const client = await clientWith({ telemetry: true });
    tracer.startActiveSpan('request', (span) => {
      const flags = client.forContext({ userId: 'ada' });
      expect(flags.newPricing).toBe(true);
      flags.isEnabled('new-pricing');
      flags.explain('new-pricing');
      flags.variant('checkout-copy');
      flags.isEnabled('checkout-copy');
      flags.isEnabled('beta');
      flags.isEnabled('off');
      flags.isEnabled('no-such-flag');
      span.end();
    });
    const events = evaluationEvents();
    expect(events.map((event) => event.attributes?.['feature_flag.key'])).toEqual([
      'new-pricing',
      'checkout-copy',
      'beta',
      'off',
    ]);
    const [pricing, copy, beta, off] = events.map((event) => event.attributes!);
    expect(pricing['feature_flag.result.reason']).toBe('static');
    expect(copy['feature_flag.result.variant']).toBe(
      client.getVariant('checkout-copy', { userId: 'ada' }).name,
    );
    expect(copy['feature_flag.result.reason']).toBe('split');
    expect(beta['feature_flag.result.reason']).toBe('targeting_match');
    expect(off).toMatchObject({
      'feature_flag.result.variant': 'off',
      'feature_flag.result.reason': 'disabled',
    });
    // not opted in: no user id, no value
    expect(pricing).not.toHaveProperty('feature_flag.context.id');
    expect(pricing).not.toHaveProperty('feature_flag.result.value');
  });

  it("goes through the Logs API when the app chooses 'log', correlated with the active span", async () => {
    const client = await clientWith({ telemetry: { evaluations: 'log' } });
    let traceId = '';
    tracer.startActiveSpan('request', (span) => {
      traceId = span.spanContext().traceId;
      client.forContext({ userId: 'ada' }).isEnabled('beta');
      span.end();
    });
    expect(evaluationEvents()).toEqual([]);
    const [record] = records.getFinishedLogRecords();
    expect(record.eventName).toBe('feature_flag.evaluation');
    expect(record.spanContext?.traceId).toBe(traceId);
    expect(record.attributes['feature_flag.key']).toBe('beta');
  });

  it('counts evaluations by flag, variant and reason, only for the flags the app names', async () => {
    const client = await clientWith({ telemetry: { flags: ['beta'] } });
    const counts = async () => {
      metricExporter.reset();
      await reader.forceFlush();
      const points = metricExporter
        .getMetrics()
        .flatMap((resource) => resource.scopeMetrics)
        .flatMap((scope) => scope.metrics)
        .filter((metric) => metric.descriptor.name === 'flagwise.evaluations')
        .flatMap((metric) => metric.dataPoints as DataPoint<number>[]);
      return new Map(points.map((point) => [JSON.stringify(point.attributes), point.value]));
    };
    const before = await counts();
    for (const userId of ['ada', 'bob', 'ada']) client.forContext({ userId }).isEnabled('beta');
    client.isEnabled('new-pricing');
    const after = await counts();
    const added = (variant: string, reason: string) => {
      const key = JSON.stringify({
        'feature_flag.key': 'beta',
        'feature_flag.result.variant': variant,
        'feature_flag.result.reason': reason,
      });
      return (after.get(key) ?? 0) - (before.get(key) ?? 0);
    };
    expect(added('on', 'targeting_match')).toBe(2);
    expect(added('off', 'default')).toBe(1);
    const pricing = [...after].filter(([key]) => key.includes('new-pricing'));
    expect(pricing.every(([key, value]) => value === before.get(key))).toBe(true);
  });
});

describe('request outcomes on the dashboard', () => {
  it('shows, per flag and variant, requests, error rate and p50/p95 latency since the start', async () => {
    const client = await clientWith({ telemetry: true });
    const outcomes = requestOutcomes(client)!;
    for (let i = 0; i < 100; i++) {
      const flags = client.forContext({ userId: `user-${i}` });
      const variant = flags.variant('checkout-copy').name;
      // long fails one request in two; short never
      outcomes.record(
        flags,
        variant === 'long' ? 200 + i : 10 + i / 10,
        variant === 'long' && i % 2 ? 500 : 200,
      );
    }
    outcomes.record(client.forContext({ userId: 'x' }), 5, 200); // read nothing: not counted
    const dashboard = createDashboard<TestRequest>({ allow: () => true });
    const state = jsonOf<DashboardState>(await endpointCaller(client, dashboard)({}, { path: '/api/state' }));
    const rows = Object.fromEntries(state.outcomes!.map((row) => [`${row.flag}:${row.variant}`, row]));
    expect(Object.keys(rows).sort()).toEqual(['checkout-copy:long', 'checkout-copy:short']);
    const long = rows['checkout-copy:long'];
    const short = rows['checkout-copy:short'];
    expect(long.requests + short.requests).toBe(100);
    expect(short.errorRate).toBe(0);
    expect(long.errors).toBe(
      [...Array(100).keys()].filter(
        (i) => i % 2 && client.getVariant('checkout-copy', { userId: `user-${i}` }).name === 'long',
      ).length,
    );
    expect(long.p50Ms).toBeGreaterThan(200);
    expect(short.p95Ms).toBeLessThan(21);
    expect(short.p50Ms).toBeLessThanOrEqual(short.p95Ms);
  });

  it('has no outcomes without telemetry', async () => {
    const client = await clientWith({});
    expect(requestOutcomes(client)).toBeUndefined();
    const state = jsonOf<DashboardState>(
      await endpointCaller(client, createDashboard<TestRequest>({ allow: () => true }))(
        {},
        { path: '/api/state' },
      ),
    );
    expect(state.outcomes).toBeUndefined();
    expect(telemetryOf(client)).toBeUndefined();
  });

  it('keeps a bounded number of flag and variant pairs', () => {
    const stats = new OutcomeStats();
    for (let i = 0; i < MAX_OUTCOME_SERIES; i++) expect(stats.record(`flag-${i}`, 'on', 1, false)).toBe(true);
    expect(stats.record('one-more', 'on', 1, false)).toBe(false);
    expect(stats.record('flag-1', 'on', 1, false)).toBe(true);
    expect(stats.summaries()).toHaveLength(MAX_OUTCOME_SERIES);
  });
});
