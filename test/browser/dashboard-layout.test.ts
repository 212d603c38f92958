// The dashboard's layout in real Chromium, on an Express app whose flags have long variant names: every control
// stays inside its own column (none reaches the side panel), "Recent changes" says there are none as a sentence,
// not as a numbered item, and an anonymous rollout's answer says "at random" once, before and after "why?". The
// run saves a screenshot of each width to .tmp/screenshots/.
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createFlags, type FlagsClient, memorySource } from '@flagwise/core';
import { featureFlags, flagsDashboard } from '@flagwise/express';
import type { Request } from 'express';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, watchedPage } from './chromium.js';

const express = createRequire(import.meta.url)('express5') as typeof import('express');

const LONG_VARIANT = 'checkout-copy-with-the-winter-sale-headline-and-free-shipping';
const FLAGS = {
  'checkout-copy': {
    description: 'Which checkout copy a visitor reads',
    users: ['alice'],
    variants: { [LONG_VARIANT]: 50, 'checkout-copy-with-the-plain-headline-from-last-year': 50 },
  },
  'new-layout': { description: 'The new layout for half of the visitors', rollout: 50 },
  'dark-mode': true,
};
const SCREENSHOTS = fileURLToPath(new URL('../../.tmp/screenshots/', import.meta.url));

let server: Server;
let origin: string;
let browser: Browser;
let client: FlagsClient<Request>;

beforeAll(async () => {
  client = createFlags<Request>({
    source: memorySource({ flags: FLAGS }),
    overrides: { secret: 'a-secret-of-at-least-32-characters!!', allow: () => true },
    logger: false,
  });
  const app = express();
  app.use(featureFlags(client));
  app.use('/_flags', flagsDashboard({ allow: () => true }));
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  server?.close();
  await client?.close();
});

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Each select's box, its cell's box and its row's box, and the side panel's box. */
async function geometry(page: Page) {
  return page.evaluate(() => {
    const box = (element: Element) => {
      const rect = element.getBoundingClientRect();
      return { left: rect.left, right: rect.right, top: rect.top, bottom: rect.bottom };
    };
    const aside = document.querySelector('aside');
    return {
      aside: aside ? box(aside) : undefined,
      pageWidth: document.documentElement.scrollWidth,
      viewportWidth: document.documentElement.clientWidth,
      selects: Array.from(document.querySelectorAll('#flag-rows select'), (select) => ({
        flag: select.getAttribute('data-force'),
        select: box(select),
        cell: box(select.closest('[role="cell"]')!),
        row: box(select.closest('[role="row"]')!),
      })),
    };
  });
}

const inside = (inner: Box, outer: Box) => inner.left >= outer.left - 0.5 && inner.right <= outer.right + 0.5;
const overlap = (a: Box, b: Box) =>
  a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;

describe('the dashboard in Chromium', () => {
  // wide: the side panel beside the table; narrow: under it
  for (const width of [1280, 820]) {
    it(`keeps every variant select in its own column at ${width}px, and says there are no changes yet`, async () => {
      const { context, page, watch } = await watchedPage(browser, origin);
      await page.setViewportSize({ width, height: 800 });
      await page.goto(`${origin}/_flags`);
      await page.locator('#flag-rows [data-flag="checkout-copy"]').waitFor();

      const seen = await geometry(page);
      expect(seen.selects.map((entry) => entry.flag)).toEqual(['checkout-copy', 'dark-mode', 'new-layout']);
      for (const entry of seen.selects) {
        expect(inside(entry.select, entry.cell), `${entry.flag}'s select inside its cell`).toBe(true);
        expect(overlap(entry.row, seen.aside!), `${entry.flag}'s row clear of the side panel`).toBe(false);
        expect(entry.row.right, `${entry.flag}'s row on screen`).toBeLessThanOrEqual(seen.viewportWidth);
      }
      expect(seen.pageWidth).toBeLessThanOrEqual(seen.viewportWidth);
      // The long name is still there to pick.
      expect(
        await page
          .locator('select[data-force="checkout-copy"] option')
          .evaluateAll((options) => options.map((option) => option.textContent)),
      ).toContain(`variant ${LONG_VARIANT}`);

      // No changes yet: a sentence, no numbered item.
      expect(await page.locator('#changes li').count()).toBe(0);
      expect(await page.locator('#no-changes').isVisible()).toBe(true);
      expect(await page.locator('#no-changes').textContent()).toBe('none since the app started');

      await page.screenshot({ path: `${SCREENSHOTS}dashboard-layout-${width}.png`, fullPage: true });
      expect(watch.consoleErrors).toEqual([]);
      expect(watch.foreignRequests).toEqual([]);
      await context.close();
    });
  }

  it('says once that an anonymous rollout answered at random, and the trace says where the bucket came from', async () => {
    const { context, page, watch } = await watchedPage(browser, origin);
    await page.goto(`${origin}/_flags`);
    const reason = page.locator('#flag-rows [data-flag="new-layout"] [role="cell"]').nth(2);
    await expect.poll(() => reason.textContent()).toContain('answered at random');
    const said = (text: string | null) => text?.match(/answered at random|random: no user/g) ?? [];
    expect(said(await reason.textContent())).toHaveLength(1);
    await reason.locator('button.why').click();
    await reason.locator('ul.trace').waitFor();
    // "← decided" where this request's draw turned it on
    expect(await reason.locator('ul.trace').textContent()).toMatch(
      /^~ rollout: 50 — no userId or sessionId, so a random bucket on each request( ← decided)?$/,
    );
    expect(said(await reason.textContent())).toHaveLength(1);
    expect(watch.consoleErrors).toEqual([]);
    await context.close();
  });
});
