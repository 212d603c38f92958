// Impact metrics against the real unleash-server: an app with telemetry on sends each request's outcome by the
// variant it read (unleash-client's registry, POST /api/client/metrics `impactMetrics`), a browser's
// unleash-proxy-client sends its own through the app's Frontend API, and a hostile page's (thousands of names,
// huge values) is bounded without stopping the app's. The open-source server keeps impact metrics in a Prometheus
// registry it serves at /internal-backstage/impact/metrics (its charts are an Enterprise feature): what arrived
// is read there.
import { createFlags, type FlagsClient } from '@flagwise/core';
import { featureFlags, flagsFrontendApi, getFlags } from '@flagwise/express';
import { type UnleashFlagSource, unleashSource } from '@flagwise/unleash';
import { InMemoryStorageProvider, UnleashClient } from 'unleash-proxy-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type RunningServer } from '../support/http.js';
import {
  AdminApi,
  express5 as express,
  harness,
  sendUntilCounted,
  uniquePrefix,
  waitUntil,
} from './harness.js';

const h = harness();
/**
 * unleash-server 7.5.1 takes impact metrics only behind its experimental `impactMetrics` flag (off by default,
 * as the harness runs it): it accepts the report and drops them. 8.x keeps them.
 */
const keepsImpactMetrics = h.major !== '7';
const admin = new AdminApi(h);
const prefix = uniquePrefix('impact');
const APP = `flagwise-impact-${Date.now().toString(36)}`;
const FLAG = `${prefix}checkout`;
/** the flag as a label: the server turns anything but [A-Za-z0-9_] into _ */
const LABEL = FLAG.replace(/[^a-zA-Z0-9_]/g, '_');
const REQUESTS = 40;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** What the server's impact registry holds now (Prometheus text), as samples. */
async function impactSamples(): Promise<Sample[]> {
  const response = await fetch(`${h.url}/internal-backstage/impact/metrics`);
  expect(response.status).toBe(200);
  const samples: Sample[] = [];
  for (const line of (await response.text()).split('\n')) {
    const match = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2];
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

describe('impact metrics', () => {
  let source: UnleashFlagSource;
  let client: FlagsClient;
  let server: RunningServer | undefined;
  let base: string;
  const answered = { a: 0, b: 0 };

  beforeAll(async () => {
    await admin.createRolledOutFlag(FLAG, ['a', 'b']);
    source = unleashSource({
      url: h.apiUrl,
      apiToken: h.clientToken,
      appName: APP,
      namePrefix: prefix,
      refreshInterval: 1_000,
      // the test sends with flushMetrics(), so what is sent when is known
      metricsInterval: 3_600_000,
      backupPath: false,
    });
    client = createFlags({ source, appName: APP, logger: silent, telemetry: true });
    const app = express();
    app.use(featureFlags(client, { context: (req) => ({ userId: req.get('x-user-id') }) }));
    app.use('/api/frontend', flagsFrontendApi({ clientKeys: ['shop-web'], expose: [FLAG] }));
    app.get('/checkout', (req, res) => {
      const variant = getFlags(req).variant(FLAG).name;
      if (variant === 'b') throw new Error('checkout b is broken');
      res.send(variant);
    });
    server = await listen(app);
    base = server.url;
    await waitUntil(() => client.names().includes(FLAG), 'the app to see the flag', 10_000);
    for (let i = 0; i < REQUESTS; i++) {
      const response = await fetch(`${base}/checkout`, { headers: { 'x-user-id': `user-${i}` } });
      if (response.status === 500) answered.b++;
      else {
        expect(await response.text()).toBe('a');
        answered.a++;
      }
    }
  });

  afterAll(async () => {
    await server?.close();
    await client?.close();
    await admin.archive([FLAG]);
  });

  it.runIf(!keepsImpactMetrics)('sends them in a report unleash-server 7 accepts', async () => {
    expect(answered.b).toBeGreaterThan(0);
    // the report that carries the impact metrics carries the usage too: its usage counted means it was taken
    await sendUntilCounted(
      () => source.flushMetrics(),
      async () => ((await admin.usage(FLAG, APP)).variants.b ?? 0) > 0,
      'the report with the impact metrics to be accepted',
    );
  });

  it.runIf(keepsImpactMetrics)(
    "sends the app's request outcomes by variant, and Unleash keeps them",
    async () => {
      expect(answered.a).toBeGreaterThan(0);
      expect(answered.b).toBeGreaterThan(0);
      await source.flushMetrics();
      const mine = (samples: Sample[], name: string, variant: string) =>
        samples.find((s) => s.name === name && s.labels.appName === APP && s.labels[LABEL] === variant)
          ?.value ?? 0;
      let samples: Sample[] = [];
      await waitUntil(
        async () => {
          samples = await impactSamples();
          return mine(samples, 'flagwise_request_duration_seconds_count', 'b') > 0;
        },
        "the app's impact metrics in Unleash",
        10_000,
      );
      expect(mine(samples, 'flagwise_request_duration_seconds_count', 'a')).toBe(answered.a);
      expect(mine(samples, 'flagwise_request_duration_seconds_count', 'b')).toBe(answered.b);
      expect(mine(samples, 'flagwise_request_errors', 'b')).toBe(answered.b);
      expect(mine(samples, 'flagwise_request_errors', 'a')).toBe(0);
      const durations = samples.find(
        (s) =>
          s.name === 'flagwise_request_duration_seconds_bucket' &&
          s.labels[LABEL] === 'b' &&
          s.labels.le === '+Inf',
      );
      expect(durations?.labels).toMatchObject({
        origin: 'sdk',
        metric_type: 'histogram',
        // unleash-client's label: the environment of the API token
        environment: 'development',
      });
    },
  );

  it.runIf(keepsImpactMetrics)(
    'sends conversions tracked through the client (and OpenFeature) as an impact counter',
    async () => {
      client.track('checkout-completed', { 'checkout.total': 42 });
      client.track('checkout-completed');
      await source.flushMetrics();
      let samples: Sample[] = [];
      await waitUntil(
        async () => {
          samples = await impactSamples();
          return samples.some((s) => s.name === 'flagwise_conversions' && s.labels.appName === APP);
        },
        'the conversions in Unleash',
        10_000,
      );
      expect(
        samples.find((s) => s.name === 'flagwise_conversions' && s.labels.appName === APP)?.labels.event,
      ).toBe('checkout-completed');
      expect(samples.find((s) => s.name === 'flagwise_conversions' && s.labels.appName === APP)?.value).toBe(
        2,
      );
    },
  );

  it.runIf(keepsImpactMetrics)(
    "forwards a browser's impact metrics from unleash-proxy-client to Unleash",
    async () => {
      const browser = new UnleashClient({
        url: `${base}/api/frontend`,
        clientKey: 'shop-web',
        appName: 'shop-web',
        refreshInterval: 0,
        metricsInterval: 0,
        storageProvider: new InMemoryStorageProvider(),
      });
      const counter = `${prefix.replace(/-/g, '_')}clicks`;
      const histogram = `${prefix.replace(/-/g, '_')}render_seconds`;
      browser.impactMetrics.defineCounter(counter, 'Checkout clicks in the page');
      browser.impactMetrics.incrementCounter(counter, 3);
      browser.impactMetrics.defineHistogram(histogram, 'Page render time', [0.1, 1]);
      browser.impactMetrics.observeHistogram(histogram, 0.05);
      browser.impactMetrics.observeHistogram(histogram, 0.5);
      await browser.sendMetrics();
      browser.stop();
      await source.flushMetrics();
      let samples: Sample[] = [];
      await waitUntil(
        async () => {
          samples = await impactSamples();
          return samples.some((s) => s.name === counter);
        },
        "the browser's impact metrics in Unleash",
        10_000,
      );
      expect(samples.find((s) => s.name === counter)).toMatchObject({
        value: 3,
        // the server's own appName, not the page's claim; marked as coming from browsers
        labels: { appName: APP, origin: 'browser' },
      });
      expect(samples.find((s) => s.name === `${histogram}_count`)?.value).toBe(2);
      expect(samples.find((s) => s.name === `${histogram}_bucket` && s.labels.le === '0.1')?.value).toBe(1);
    },
  );

  it.runIf(keepsImpactMetrics)(
    "bounds a hostile page's impact metrics and keeps sending the app's own",
    async () => {
      // short names, so that 10,000 of them fit in what the endpoint reads (1 MB); runs are told apart by appName
      const name = (kind: string, i: number) => `pg_${kind}_${i}`;
      const flood = async (metrics: unknown[]) =>
        fetch(`${base}/api/frontend/client/metrics`, {
          method: 'POST',
          headers: { authorization: 'shop-web', 'content-type': 'application/json' },
          body: JSON.stringify({
            appName: 'shop-web',
            instanceId: 'page',
            bucket: {},
            impactMetrics: metrics,
          }),
        });
      // 10,000 names in one report: looked at no further than the first few
      const hostile = Array.from({ length: 10_000 }, (_, i) => ({
        name: name('hostile', i),
        help: 'h',
        type: 'counter',
        samples: [{ value: 1 }],
      }));
      expect((await flood(hostile)).status).toBe(200);
      // huge values, over-long labels and the app's own metric names are dropped
      const forged = [
        {
          name: 'flagwise_request_errors',
          help: 'forged',
          type: 'counter',
          samples: [{ labels: {}, value: 1000 }],
        },
        { name: name('huge', 0), help: 'h', type: 'counter', samples: [{ labels: {}, value: 1e300 }] },
        {
          name: name('claim', 0),
          help: 'h',
          type: 'counter',
          samples: [{ labels: { appName: 'someone-else' }, value: 1 }],
        },
        {
          name: name('long', 0),
          help: 'h',
          type: 'counter',
          samples: [{ labels: { big: 'y'.repeat(10_000) }, value: 1 }],
        },
        { name: name('gauge', 0), help: 'h', type: 'gauge', samples: [{ labels: {}, value: -1e300 }] },
      ];
      expect((await flood(forged)).status).toBe(200);
      // report after report of new names: a client keeps only so many from pages
      for (let report = 0; report < 10; report++) {
        const fresh = Array.from({ length: 20 }, (_, i) => ({
          name: name('fresh', report * 20 + i),
          help: 'h',
          type: 'counter',
          samples: [{ labels: {}, value: 1 }],
        }));
        expect((await flood(fresh)).status).toBe(200);
      }
      for (let i = 0; i < 10; i++) await fetch(`${base}/checkout`, { headers: { 'x-user-id': `user-${i}` } });
      await source.flushMetrics();
      let samples: Sample[] = [];
      const count = (metric: string) =>
        samples
          .filter((s) => s.name === metric && s.labels.appName === APP && s.labels.origin === 'sdk')
          .reduce((total, s) => total + s.value, 0);
      await waitUntil(
        async () => {
          samples = await impactSamples();
          return count('flagwise_request_duration_seconds_count') >= REQUESTS + 10;
        },
        "the app's own impact metrics after the flood",
        10_000,
      );
      const fromPages = new Set(
        samples.filter((s) => s.labels.origin === 'browser' && s.labels.appName === APP).map((s) => s.name),
      );
      expect([...fromPages].filter((metric) => metric.startsWith('pg_hostile_'))).toHaveLength(20);
      // 50 names kept from pages: the browser test's counter and histogram (three series names), the first 20 of
      // the 10,000, the one claiming another app (labelled with this one), and 27 fresh ones
      expect(fromPages.size).toBe(52);
      expect([...fromPages].filter((metric) => metric.startsWith('pg_fresh_'))).toHaveLength(27);
      expect(
        samples.some(
          (s) => s.name === 'pg_claim_0' && s.labels.origin === 'browser' && s.labels.appName === APP,
        ),
      ).toBe(true);
      expect(
        [...fromPages].some(
          (metric) =>
            metric.startsWith('pg_huge_') || metric.startsWith('pg_long_') || metric.startsWith('pg_gauge_'),
        ),
      ).toBe(false);
      expect(
        samples.filter((s) => s.name === 'flagwise_request_errors' && s.labels.origin === 'browser'),
      ).toEqual([]);
      expect(samples.some((s) => s.labels.appName === 'someone-else')).toBe(false);
    },
  );
});
