// Telemetry through the real OpenTelemetry SDK on every row: each flag a request reads is one
// `feature_flag.evaluation` event on that request's server span (made by the HTTP instrumentation, as in an app),
// a request that reads none has none, a job's evaluation is a log record, and each request's outcome is split by
// the variant it read. Everything also arrives over OTLP/HTTP at a loopback receiver.
import { createFlags, type FlagsClient, memorySource } from '@flagwise/core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installTelemetrySdk, SERVER_SPAN } from '../support/telemetry-sdk.js';
import { waitFor } from '../support/waiting.js';
import type { RunningApp } from './contract.js';
import { CONTEXT_HEADERS as H } from './contract.js';

// The SDK first: the HTTP instrumentation patches `http` as the frameworks require it, so the rows load after.
const sdk = await installTelemetrySdk();
const { rows } = await import('./rows.js');

const USERS = Array.from({ length: 30 }, (_, i) => `user-${i}`);
const EVALUATION = 'feature_flag.evaluation';

/** The flags, in the flags file's shorthand (memorySource takes it as flags.yaml would give it). */
const FLAGS = {
  'always-on': true,
  'pro-only': { when: { plan: ['pro'] } },
  'always-off': false,
  experiment: { variants: { a: { weight: 50, payload: 'private-a' }, b: 50 } },
};

afterAll(() => sdk.shutdown());

/** The server span of the app's last request to `path`, once it ended. */
async function serverSpanOf(path: string) {
  const matches = () =>
    sdk
      .spans()
      .filter(
        (span) =>
          span.kind === SERVER_SPAN &&
          String(span.attributes['url.path'] ?? span.attributes['http.target']).startsWith(path),
      );
  await waitFor(() => matches().length > 0, `the server span of ${path}`);
  return matches().at(-1)!;
}

describe.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
  let client: FlagsClient;
  let app: RunningApp;
  /** the same flags without telemetry: what each user should get */
  let plain: FlagsClient;

  beforeAll(async () => {
    client = createFlags({
      source: memorySource({ flags: FLAGS }),
      logger: false,
      telemetry: { contextId: true, values: ['always-on'] },
    });
    plain = createFlags({ source: memorySource({ flags: FLAGS }), logger: false });
    await Promise.all([client.ready({ timeoutMs: 5000 }), plain.ready({ timeoutMs: 5000 })]);
    app = await row.start(client, { between: async () => {} });
  });
  afterAll(async () => {
    await app?.close();
    await client?.close();
    await plain?.close();
  });

  it("records each flag a request reads once, as an evaluation event on that request's span", async () => {
    sdk.reset();
    const res = await request(app.url)
      .get('/telemetry?enabled=always-on,pro-only,always-on&variant=experiment')
      .set(H.userId, 'user-7')
      .set(H.plan, 'pro');
    expect(res.status).toBe(200);
    const span = await serverSpanOf('/telemetry');
    const events = span.events.filter((event) => event.name === EVALUATION);
    expect(events).toHaveLength(3);
    const byFlag = Object.fromEntries(events.map((event) => [event.attributes?.['feature_flag.key'], event]));
    expect(Object.keys(byFlag).sort()).toEqual(['always-on', 'experiment', 'pro-only']);
    const expected = plain.getVariant('experiment', { userId: 'user-7' }).name;
    expect(res.body.experiment).toBe(expected);
    expect(byFlag['always-on'].attributes).toEqual({
      'feature_flag.key': 'always-on',
      'feature_flag.provider.name': 'flagwise',
      'feature_flag.result.variant': 'on',
      'feature_flag.result.reason': 'static',
      'feature_flag.result.value': true,
      'feature_flag.set.id': 'memory',
      'feature_flag.context.id': 'user-7',
    });
    expect(byFlag['pro-only'].attributes).toMatchObject({
      'feature_flag.result.variant': 'on',
      'feature_flag.result.reason': 'targeting_match',
    });
    expect(byFlag.experiment.attributes).toMatchObject({
      'feature_flag.result.variant': expected,
      'feature_flag.result.reason': 'split',
    });
    // a payload is recorded only for the flags the app lists
    expect(byFlag.experiment.attributes).not.toHaveProperty('feature_flag.result.value');
  });

  it('records nothing for a request that reads no flag', async () => {
    sdk.reset();
    const res = await request(app.url).get('/telemetry?none=1');
    expect(res.status).toBe(200);
    const span = await serverSpanOf('/telemetry');
    expect(span.events.filter((event) => event.name === EVALUATION)).toEqual([]);
    expect(sdk.logRecords().filter((record) => record.eventName === EVALUATION)).toEqual([]);
  });

  it('records an evaluation outside a request (a job) as a log record', () => {
    sdk.reset();
    expect(client.isEnabled('always-off', { userId: 'job-1' })).toBe(false);
    expect(client.isEnabled('no-such-flag')).toBe(false);
    const records = sdk.logRecords().filter((record) => record.eventName === EVALUATION);
    expect(records.map((record) => record.attributes)).toEqual([
      expect.objectContaining({
        'feature_flag.key': 'always-off',
        'feature_flag.result.variant': 'off',
        'feature_flag.result.reason': 'disabled',
        'feature_flag.context.id': 'job-1',
      }),
      expect.objectContaining({
        'feature_flag.key': 'no-such-flag',
        'feature_flag.result.reason': 'error',
        'error.type': 'flag_not_found',
      }),
    ]);
  });

  it("splits each request's outcome by the variant it read: a route failing only for b", async () => {
    const before = await outcomeCounts();
    const sent = { a: 0, b: 0 };
    for (const userId of USERS) {
      const variant = plain.getVariant('experiment', { userId }).name as 'a' | 'b';
      const res = await request(app.url).get('/telemetry?variant=experiment&failOn=b').set(H.userId, userId);
      expect(res.status, userId).toBe(variant === 'b' ? 500 : 200);
      sent[variant]++;
    }
    expect(sent.a).toBeGreaterThan(0);
    expect(sent.b).toBeGreaterThan(0);
    // the last response may reach the test before the framework's end-of-request hook ran
    const counted = (counts: OutcomeCounts) => counts.a.requests + counts.b.requests;
    let after = await outcomeCounts();
    await waitFor(async () => {
      after = await outcomeCounts();
      return counted(after) - counted(before) === USERS.length;
    }, 'every request counted in the outcome histograms');
    const delta = (variant: 'a' | 'b', key: keyof OutcomeCounts['a']) =>
      after[variant][key] - before[variant][key];
    expect(delta('a', 'requests')).toBe(sent.a);
    expect(delta('b', 'requests')).toBe(sent.b);
    // the error rate: 100 % for b, 0 % for a; every b request answered 5xx, no a request did
    expect(delta('b', 'errors') / delta('b', 'requests')).toBe(1);
    expect(delta('a', 'errors') / delta('a', 'requests')).toBe(0);
    expect(delta('b', 'serverErrors')).toBe(sent.b);
    expect(delta('a', 'serverErrors')).toBe(0);
  });

  interface OutcomeCounts {
    a: { requests: number; errors: number; serverErrors: number };
    b: { requests: number; errors: number; serverErrors: number };
  }

  /** Requests, errors and 5xx answers of flag `experiment` per variant, from the SDK's metrics (cumulative). */
  async function outcomeCounts(): Promise<OutcomeCounts> {
    const points = await sdk.metricPoints();
    const of = (variant: string) => {
      const mine = (metric: string) =>
        points.filter(
          (point) =>
            point.metric === metric &&
            point.attributes['feature_flag.key'] === 'experiment' &&
            point.attributes['feature_flag.result.variant'] === variant,
        );
      const durations = mine('flagwise.request.duration');
      const sum = (list: typeof points, field: 'count' | 'value') =>
        list.reduce((total, point) => total + (point[field] ?? 0), 0);
      return {
        requests: sum(durations, 'count'),
        errors: sum(mine('flagwise.request.errors'), 'value'),
        serverErrors: sum(
          durations.filter((point) => point.attributes['flagwise.response.status_class'] === '5xx'),
          'count',
        ),
      };
    };
    return { a: of('a'), b: of('b') };
  }

  it('exports the same evaluations and outcomes over OTLP/HTTP', async () => {
    await sdk.flush();
    await waitFor(() => sdk.receiver.requests.metrics > 0, 'metrics at the OTLP receiver');
    const spanEvents = sdk.receiver
      .spans()
      .filter((span) => span.kind === 2 /* OTLP's SPAN_KIND_SERVER */)
      .flatMap((span) => span.events.filter((event) => event.name === EVALUATION));
    expect(spanEvents.map((event) => event.attributes['feature_flag.key'])).toEqual(
      expect.arrayContaining(['always-on', 'pro-only', 'experiment']),
    );
    expect(
      sdk.receiver
        .logRecords()
        .some(
          (record) =>
            record.eventName === EVALUATION && record.attributes['feature_flag.key'] === 'always-off',
        ),
    ).toBe(true);
    const failures = sdk.receiver
      .dataPoints()
      .filter(
        (point) =>
          point.metric === 'flagwise.request.errors' &&
          point.attributes['feature_flag.result.variant'] === 'b',
      );
    expect(failures.length).toBeGreaterThan(0);
  });
});
