// A page floods the app's Frontend API with usage reports full of made-up variant names (10,000 a report): the
// app's own usage metrics still reach the real unleash-server, and no made-up name does. Before, each name was
// kept and sent, the body outgrew what unleash-server accepts (100 kB), and every later send failed.
import { createFlags, type FlagsClient } from '@flagwise/core';
import { featureFlags, flagsFrontendApi, requireFeature } from '@flagwise/express';
import type { UnleashFlagSource } from '@flagwise/unleash';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type RunningServer } from '../support/http.js';
import {
  AdminApi,
  express5,
  harness,
  harnessSource,
  sendUntilCounted,
  uniquePrefix,
  waitUntil,
} from './harness.js';

const h = harness();
const admin = new AdminApi(h);
const prefix = uniquePrefix('flood');
const APP = `flagwise-flood-${Date.now().toString(36)}`;
const EXPOSED = `${prefix}checkout-copy`;
const GUARDED = `${prefix}checkout`;
const REPORTS = 5;
const MADE_UP_PER_REPORT = 10_000;

describe('a page flooding the Frontend API with usage reports', () => {
  const warnings: string[] = [];
  let source: UnleashFlagSource;
  let client: FlagsClient;
  let served: RunningServer | undefined;
  let base: string;

  beforeAll(async () => {
    await admin.createRolledOutFlag(EXPOSED, ['short', 'long']);
    await admin.createFlag(GUARDED);
    await admin.addStrategy(GUARDED, { name: 'default' });
    await admin.setEnabled(GUARDED, true);

    source = harnessSource(h, {
      appName: APP,
      namePrefix: prefix,
      refreshInterval: 1_000,
      metrics: true,
      // the test sends with flushMetrics(), so what is sent when is known
      metricsInterval: 3_600_000,
    });
    client = createFlags({
      source,
      appName: APP,
      logger: {
        debug() {},
        info() {},
        warn: (_object, message) => warnings.push(String(message)),
        error: (_object, message) => warnings.push(String(message)),
      },
    });
    const app = express5();
    app.use(featureFlags(client));
    app.use('/api/frontend', flagsFrontendApi({ clientKeys: ['shop-web'], expose: [EXPOSED] }));
    app.get('/checkout', requireFeature(GUARDED), (_req, res) => {
      res.send('checkout');
    });
    served = await listen(app);
    base = served.url;
    await waitUntil(() => client.names().length === 2, 'the app to see both flags', 10_000);
  });

  afterAll(async () => {
    await served?.close();
    await client?.close();
    await admin.archive([EXPOSED, GUARDED]);
  });

  /** One page's report: 2 reads of the real variant `short`, and MADE_UP_PER_REPORT made-up names. */
  async function flood(report: number): Promise<void> {
    const variants: Record<string, number> = { short: 2 };
    for (let i = 0; i < MADE_UP_PER_REPORT; i++) variants[`made-up-${report}-${i}`] = 1;
    const response = await fetch(`${base}/api/frontend/client/metrics`, {
      method: 'POST',
      headers: { authorization: 'shop-web', 'content-type': 'application/json' },
      body: JSON.stringify({
        appName: 'shop-web',
        instanceId: `browser-${report}`,
        bucket: {
          start: new Date().toISOString(),
          stop: new Date().toISOString(),
          toggles: { [EXPOSED]: { yes: MADE_UP_PER_REPORT + 2, no: 0, variants } },
        },
      }),
    });
    expect(response.status).toBe(200);
  }

  it("still gets the app's own evaluations into Unleash's metrics, and no made-up name", async () => {
    let report = 0;
    for (; report < REPORTS; report++) {
      await flood(report);
      // what the reports left counted goes out, as the metrics interval would send it
      await source.flushMetrics();
    }

    // The flood goes on while the app serves its own requests.
    await sendUntilCounted(
      async () => {
        await flood(report++);
        for (let i = 0; i < 25; i++) expect((await fetch(`${base}/checkout`)).status).toBe(200);
        await source.flushMetrics();
      },
      async () =>
        (await admin.usage(GUARDED, APP)).yes >= 25 &&
        ((await admin.usage(EXPOSED, APP)).variants.short ?? 0) >= 2,
      `the app's own usage of ${GUARDED} and the pages' of ${EXPOSED} to reach Unleash`,
    );
    const exposed = await admin.usage(EXPOSED, APP);
    expect(Object.keys(exposed.variants).filter((name) => name.startsWith('made-up'))).toEqual([]);
    expect(warnings.filter((message) => /usage metrics/.test(message))).toEqual([]);
  });
});
