// An Express app on @flagwise/express with unleashSource, against the real unleash-server: flags created
// through the admin API reach it, turning a flag off makes its requireFeature route answer 404 within
// refreshInterval + 2 s, its evaluations show in the server's usage metrics, and an Unleash outage leaves it
// serving the last flags until the restarted server's changes arrive.
import { createFlags, type FlagsClient } from '@flagwise/core';
import { featureFlags, getFlags, requireFeature } from '@flagwise/express';
import type { UnleashFlagSource } from '@flagwise/unleash';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type RunningServer } from '../support/http.js';
import { recordingLogger } from '../support/logging.js';
import {
  AdminApi,
  express5,
  harness,
  harnessSource,
  sendUntilCounted,
  startUnleash,
  stopUnleash,
  uniquePrefix,
  waitUntil,
} from './harness.js';

const h = harness();
const admin = new AdminApi(h);
const prefix = uniquePrefix('express');
const APP = `flagwise-express-${Date.now().toString(36)}`;
const REFRESH_MS = 1_000;
const BETA = `${prefix}beta-page`;
const PRICING = `${prefix}pricing`;

describe('an Express app on unleashSource and a real Unleash', () => {
  const log = recordingLogger();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  let source: UnleashFlagSource;
  let client: FlagsClient;
  let served: RunningServer | undefined;
  let base: string;

  const status = async (path: string) =>
    (await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5_000) })).status;

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    await admin.createRolledOutFlag(BETA);
    await admin.createRolledOutFlag(PRICING, ['monthly', 'yearly']);

    source = harnessSource(h, {
      appName: APP,
      namePrefix: prefix,
      refreshInterval: REFRESH_MS,
      metrics: true,
      metricsInterval: 60_000,
    });
    client = createFlags({ source, logger: log.logger, appName: APP });
    const app = express5();
    app.use(featureFlags(client, { context: (req) => ({ userId: req.get('x-user') }) }));
    app.get('/beta', requireFeature(BETA), (_req, res) => {
      res.send('beta');
    });
    app.get('/pricing', (req, res) => {
      res.json({ variant: getFlags(req).variant(PRICING).name });
    });
    served = await listen(app);
    base = served.url;
    // The server publishes admin changes within about a second; the app needs both flags before the tests.
    await waitUntil(() => client.names().length === 2, 'the app to see both flags', 10_000);
  });

  afterAll(async () => {
    await served?.close();
    await client?.close();
    // Bring the server back if a failed outage test left it down, so later files and teardown still work.
    startUnleash(h);
    await admin.archive([BETA, PRICING]);
    process.off('unhandledRejection', onUnhandled);
  });

  it('serves the flags created through the admin API', async () => {
    expect(source.status).toBe('ready');
    expect(await status('/beta')).toBe(200);
    const response = await fetch(`${base}/pricing`, { headers: { 'x-user': 'user-1' } });
    const body = (await response.json()) as { variant: string };
    expect(['monthly', 'yearly']).toContain(body.variant);
  });

  it(`answers 404 on the requireFeature route within ${REFRESH_MS} ms + 2 s of the flag being turned off`, async () => {
    await admin.setEnabled(BETA, false);
    const offAfter = await waitUntil(
      async () => (await status('/beta')) === 404,
      'the route to answer 404',
      REFRESH_MS + 2_000,
    );
    await admin.setEnabled(BETA, true);
    const onAfter = await waitUntil(
      async () => (await status('/beta')) === 200,
      'the route to answer 200',
      REFRESH_MS + 2_000,
    );
    console.info(
      `[integration] admin toggle to HTTP effect: off ${Math.round(offAfter)} ms, on ${Math.round(onAfter)} ms`,
    );
  });

  it("counts the app's evaluations into the server's usage metrics for the flag", async () => {
    const before = await admin.usage(BETA, APP);
    await sendUntilCounted(
      async () => {
        for (let i = 0; i < 25; i += 1) expect(await status('/beta')).toBe(200);
        for (let i = 0; i < 10; i += 1)
          await fetch(`${base}/pricing`, { headers: { 'x-user': `user-${i}` } });
        await source.flushMetrics();
      },
      async () => {
        const [beta, pricing] = [await admin.usage(BETA, APP), await admin.usage(PRICING, APP)];
        return (
          beta.yes >= before.yes + 25 &&
          (pricing.variants.monthly ?? 0) + (pricing.variants.yearly ?? 0) >= 10
        );
      },
      `usage of ${BETA} and variant usage of ${PRICING} to reach the server`,
    );
  });

  it('keeps serving the last flags while Unleash is down, and picks up changes once it is back', async () => {
    stopUnleash(h);
    try {
      // unleash-client retries a refused connection twice (after 1 s and 2 s) before reporting the poll failed.
      await waitUntil(() => source.status === 'stale', 'the source to report stale', 15_000);
      expect(await status('/beta')).toBe(200);
      expect(client.isEnabled(BETA, {})).toBe(true);
      expect(
        log.lines.some(
          (line) => line.level === 'warn' && /is stale, serving the last good flags/.test(line.message),
        ),
      ).toBe(true);
      expect(log.lines.some((line) => /ECONNREFUSED/.test(line.message))).toBe(true);
    } finally {
      startUnleash(h);
    }
    const restarted = performance.now();
    await admin.setEnabled(BETA, false);
    // Back-off after the failed polls can stretch the next poll; the SDK recovers gradually.
    const after = await waitUntil(
      async () => (await status('/beta')) === 404,
      'the change after restart',
      20_000,
    );
    expect(source.status).toBe('ready');
    console.info(
      `[integration] after an Unleash restart (${Math.round(performance.now() - restarted - after)} ms to toggle), ` +
        `the change reached the app in ${Math.round(after)} ms`,
    );
    expect(unhandled).toEqual([]);
    expect(log.lines.filter((line) => line.level === 'error')).toEqual([]);
  });
});
