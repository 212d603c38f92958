// A loopback OTLP/HTTP receiver: what an OpenTelemetry collector is to an app, for tests. It takes the JSON that
// the OTLP/HTTP exporters send to /v1/traces, /v1/metrics and /v1/logs, keeps it, and flattens it into span
// events, log records and metric data points with plain attribute objects.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An OTLP attribute value in JSON: one of its typed fields. */
interface OtlpValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
}
type OtlpAttributes = { key: string; value: OtlpValue }[] | undefined;

export type Attributes = Record<string, string | number | boolean>;

export interface ReceivedSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  attributes: Attributes;
  events: { name: string; attributes: Attributes }[];
}

export interface ReceivedLogRecord {
  eventName: string | undefined;
  traceId: string | undefined;
  attributes: Attributes;
}

export interface ReceivedDataPoint {
  metric: string;
  attributes: Attributes;
  /** a counter's value */
  value?: number;
  /** a histogram's count */
  count?: number;
}

export interface OtlpReceiver {
  /** e.g. http://127.0.0.1:43210 (exporters add /v1/traces...) */
  url: string;
  spans(): ReceivedSpan[];
  logRecords(): ReceivedLogRecord[];
  dataPoints(): ReceivedDataPoint[];
  /** how many requests of each signal arrived */
  readonly requests: { traces: number; metrics: number; logs: number };
  close(): Promise<void>;
}

function attributesOf(attributes: OtlpAttributes): Attributes {
  const result: Attributes = {};
  for (const { key, value } of attributes ?? []) {
    if (value.stringValue !== undefined) result[key] = value.stringValue;
    else if (value.boolValue !== undefined) result[key] = value.boolValue;
    else if (value.intValue !== undefined) result[key] = Number(value.intValue);
    else if (value.doubleValue !== undefined) result[key] = value.doubleValue;
  }
  return result;
}

/**
 * Starts a receiver on 127.0.0.1, port 0.
 * @example const receiver = await startOtlpReceiver(); new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` });
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const bodies = { traces: [] as any[], metrics: [] as any[], logs: [] as any[] };
  const requests = { traces: 0, metrics: 0, logs: 0 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const signal = /^\/v1\/(traces|metrics|logs)$/.exec(request.url ?? '')?.[1] as
        | keyof typeof bodies
        | undefined;
      if (signal === undefined || !String(request.headers['content-type']).includes('json')) {
        response.writeHead(415).end();
        return;
      }
      requests[signal]++;
      bodies[signal].push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    spans: () =>
      bodies.traces.flatMap((body) =>
        (body.resourceSpans ?? []).flatMap((resource: any) =>
          (resource.scopeSpans ?? []).flatMap((scope: any) =>
            (scope.spans ?? []).map(
              (span: any): ReceivedSpan => ({
                name: span.name,
                kind: span.kind,
                traceId: span.traceId,
                spanId: span.spanId,
                attributes: attributesOf(span.attributes),
                events: (span.events ?? []).map((event: any) => ({
                  name: event.name,
                  attributes: attributesOf(event.attributes),
                })),
              }),
            ),
          ),
        ),
      ),
    logRecords: () =>
      bodies.logs.flatMap((body) =>
        (body.resourceLogs ?? []).flatMap((resource: any) =>
          (resource.scopeLogs ?? []).flatMap((scope: any) =>
            (scope.logRecords ?? []).map(
              (record: any): ReceivedLogRecord => ({
                eventName: record.eventName,
                traceId: record.traceId || undefined,
                attributes: attributesOf(record.attributes),
              }),
            ),
          ),
        ),
      ),
    dataPoints: () =>
      bodies.metrics.flatMap((body) =>
        (body.resourceMetrics ?? []).flatMap((resource: any) =>
          (resource.scopeMetrics ?? []).flatMap((scope: any) =>
            (scope.metrics ?? []).flatMap((metric: any) => {
              const points = metric.sum?.dataPoints ?? metric.histogram?.dataPoints ?? [];
              return points.map(
                (point: any): ReceivedDataPoint => ({
                  metric: metric.name,
                  attributes: attributesOf(point.attributes),
                  value: point.asInt !== undefined ? Number(point.asInt) : point.asDouble,
                  count: point.count !== undefined ? Number(point.count) : undefined,
                }),
              );
            }),
          ),
        ),
      ),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
