// The real OpenTelemetry SDK as an app sets it up, for tests: a context manager, tracer, logger and meter
// providers registered globally, HTTP server spans from the HTTP instrumentation (what @opentelemetry/sdk-node's
// auto-instrumentation gives an app), and every signal both kept in memory and exported over OTLP/HTTP to a
// loopback receiver. Import it before the frameworks are loaded: the instrumentation hooks `require('http')`.
import { context, logs, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  type ReadableLogRecord,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.js';

/** SpanKind.SERVER */
export const SERVER_SPAN = 1;

/** One metric data point, flattened: a counter's value or a histogram's count and sum. */
export interface MetricPoint {
  metric: string;
  attributes: Record<string, unknown>;
  value?: number;
  count?: number;
}

export interface TelemetrySdk {
  receiver: OtlpReceiver;
  /** ended spans so far */
  spans(): ReadableSpan[];
  /** emitted log records so far */
  logRecords(): ReadableLogRecord[];
  /** collects the metrics now (cumulative since the start) */
  metricPoints(): Promise<MetricPoint[]>;
  /** sends everything recorded so far to the receiver */
  flush(): Promise<void>;
  /** forgets the spans and log records kept in memory (not the metrics, which are cumulative) */
  reset(): void;
  shutdown(): Promise<void>;
}

const HOUR = 3_600_000;

/**
 * Registers the SDK globally and starts the receiver; call once per test file, before the frameworks load.
 * @example const sdk = await installTelemetrySdk(); ... await sdk.shutdown();
 */
export async function installTelemetrySdk(): Promise<TelemetrySdk> {
  const receiver = await startOtlpReceiver();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({
    spanProcessors: [
      new SimpleSpanProcessor({ exporter: spanExporter }),
      new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` }) }),
    ],
  });
  trace.setGlobalTracerProvider(tracerProvider);

  const logExporter = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider({
    processors: [
      new SimpleLogRecordProcessor({ exporter: logExporter }),
      new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${receiver.url}/v1/logs` }) }),
    ],
  });
  logs.setGlobalLoggerProvider(loggerProvider);

  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const memoryReader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: HOUR,
  });
  const otlpReader = new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter({ url: `${receiver.url}/v1/metrics` }),
    exportIntervalMillis: HOUR,
  });
  const meterProvider = new MeterProvider({ readers: [memoryReader, otlpReader] });
  metrics.setGlobalMeterProvider(meterProvider);

  registerInstrumentations({
    tracerProvider,
    instrumentations: [
      // the receiver's own requests are not the app's
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => request.url?.startsWith('/v1/') === true,
      }),
    ],
  });

  return {
    receiver,
    spans: () => spanExporter.getFinishedSpans(),
    logRecords: () => logExporter.getFinishedLogRecords(),
    async metricPoints() {
      metricExporter.reset();
      await memoryReader.forceFlush();
      const points: MetricPoint[] = [];
      for (const resource of metricExporter.getMetrics()) {
        for (const scope of resource.scopeMetrics) {
          for (const metric of scope.metrics) {
            for (const point of metric.dataPoints as DataPoint<number | Histogram>[]) {
              const value = point.value;
              points.push(
                typeof value === 'number'
                  ? { metric: metric.descriptor.name, attributes: point.attributes, value }
                  : { metric: metric.descriptor.name, attributes: point.attributes, count: value.count },
              );
            }
          }
        }
      }
      return points;
    },
    async flush() {
      await Promise.all([tracerProvider.forceFlush(), loggerProvider.forceFlush(), otlpReader.forceFlush()]);
    },
    reset() {
      spanExporter.reset();
      logExporter.reset();
    },
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), loggerProvider.shutdown(), meterProvider.shutdown()]);
      trace.disable();
      logs.disable();
      metrics.disable();
      context.disable();
      await receiver.close();
    },
  };
}
