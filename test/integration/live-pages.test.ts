// The live browser pages on a real Unleash: an Express app on unleashSource (refreshInterval 1 s) serves the demos'
// pages, and an admin toggle reaches both in Chromium within 3 s, with the tab in the foreground all along:
// /openfeature (OpenFeature's OFREP web provider, no polling) and /browser (unleash-proxy-client refetching on the
// Frontend API's event stream).
import { createFlags, type FlagsClient } from '@flagwise/core';
import { BROWSER_FILES, BROWSER_PAGES, browserPageHtml } from '@flagwise/example-browser-pages';
import { featureFlags, flagsFrontendApi, flagsOfrep, getFlags } from '@flagwise/express';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, watchedPage } from '../browser/chromium.js';
import { listen, type RunningServer } from '../support/http.js';
import { AdminApi, express5, harness, harnessSource, uniquePrefix, waitUntil } from './harness.js';

const h = harness();
const admin = new AdminApi(h);
const prefix = uniquePrefix('live');
const FLAG = `${prefix}banner`;
const REFRESH_MS = 1_000;
const REACH_MS = 3_000;

/** Whether the page shows FLAG on: the OpenFeature page's value, or the Unleash page listing it. */
async function shown(page: Page, path: string): Promise<boolean> {
  if (path === '/openfeature') {
    return (await page.getAttribute(`#browser-flags li[data-flag="${FLAG}"]`, 'data-value')) === 'true';
  }
  return (await page.$(`#browser-flags li[data-flag="${FLAG}"]`)) !== null;
}

describe('the live browser pages on a real Unleash', () => {
  let client: FlagsClient;
  let served: RunningServer | undefined;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    await admin.createRolledOutFlag(FLAG);
    client = createFlags({
      source: harnessSource(h, {
        appName: `flagwise-live-${Date.now().toString(36)}`,
        namePrefix: prefix,
        refreshInterval: REFRESH_MS,
        metrics: true,
      }),
      logger: false,
    });
    await client.ready({ timeoutMs: 10_000 });
    await waitUntil(() => client.isEnabled(FLAG), 'the app to see the flag', 10_000);
    const app = express5();
    app.use(featureFlags(client));
    app.use('/api/frontend', flagsFrontendApi({ expose: [FLAG] }));
    app.use(flagsOfrep({ expose: [FLAG] }));
    for (const file of BROWSER_FILES) app.get(file.path, (_req, res) => res.type(file.type).send(file.body));
    for (const page of BROWSER_PAGES) {
      app.get(page, (req, res) =>
        res.type('html').send(browserPageHtml(page, getFlags(req).context.userId, [FLAG])),
      );
    }
    served = await listen(app);
    base = served.url;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await client?.close();
    await admin.archive([FLAG]);
  });

  it.each(['/openfeature', '/browser'])(
    `%s shows an admin toggle within ${REACH_MS / 1000} s, both ways`,
    async (path) => {
      const { context, page, watch } = await watchedPage(browser, base);
      try {
        await page.goto(`${base}${path}`);
        await page.waitForSelector('#browser-flags[data-state="ready"]');
        await expect.poll(() => shown(page, path), { timeout: 5_000 }).toBe(true);
        for (const enabled of [false, true]) {
          await admin.setEnabled(FLAG, enabled);
          await expect.poll(() => shown(page, path), { timeout: REACH_MS, interval: 20 }).toBe(enabled);
        }
        expect(watch.consoleErrors).toEqual([]);
        expect(watch.foreignRequests).toEqual([]);
      } finally {
        await context.close();
      }
    },
  );
});
