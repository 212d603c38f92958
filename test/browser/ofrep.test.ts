// OFREP in real Chromium: a page running OpenFeature's web SDK with @openfeature/ofrep-web-provider, the bundle
// served by the app itself, shows the signed-in user's browser-visible flags (the user is the app's, from its
// session cookie, not what the page claims) and never a flag that is not browser-visible.
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createFlags, type FlagsClient, type MemorySource, memorySource } from '@flagwise/core';
import { featureFlags, flagsOfrep } from '@flagwise/express';
import { build } from 'esbuild';
import type { Request } from 'express';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, watchedPage } from './chromium.js';

const express = createRequire(import.meta.url)('express5') as typeof import('express');

const FLAGS = {
  'new-nav': { browser: true, users: ['u1'] },
  'pro-banner': { browser: true, when: { plan: ['pro'] } },
  'checkout-copy': { browser: true, variant: 'short' },
  'admin-tools': { users: ['u1', 'u2'] },
  'secret-experiment': true,
};
const ASKED = ['new-nav', 'pro-banner', 'admin-tools', 'secret-experiment'];
const BROWSER_FLAGS = ['new-nav', 'pro-banner', 'checkout-copy'];

let server: Server;
let origin: string;
let browser: Browser;
let client: FlagsClient<Request>;
let source: MemorySource;

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./ofrep-page.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0].text;
  source = memorySource({ flags: FLAGS });
  client = createFlags<Request>({ source });
  const app = express();
  // The app's sign-in: the user id from its session cookie.
  app.use((req, _res, next) => {
    const user = /(?:^|;\s*)session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (user) (req as Request & { user?: unknown }).user = { id: user };
    next();
  });
  app.use(featureFlags(client));
  app.use(flagsOfrep());
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  app.get('/page.js', (_req, res) => {
    res.type('text/javascript').send(script);
  });
  app.get('/', (_req, res) => {
    res
      .type('html')
      .set('content-security-policy', "default-src 'self'")
      .send(
        `<!doctype html><body data-flags='${JSON.stringify(ASKED)}'><ul id="flags"></ul><p id="copy"></p>` +
          '<script type="module" src="/page.js"></script></body>',
      );
  });
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  server?.close();
  await client?.close();
});

async function pageAs(user: string) {
  const { context, page, watch } = await watchedPage(browser, origin);
  await context.addCookies([{ name: 'session', value: user, url: origin }]);
  const bulkBodies: string[] = [];
  page.on('response', async (response) => {
    if (response.url().endsWith('/ofrep/v1/evaluate/flags') && response.status() === 200)
      bulkBodies.push(await response.text());
  });
  await page.goto(`${origin}/`);
  await expect.poll(() => page.getAttribute('body', 'data-ready'), { timeout: 15_000 }).toBe('yes');
  const shown = await page.$$eval('li', (items) =>
    items.map((item) => ({
      flag: item.getAttribute('data-flag'),
      value: item.getAttribute('data-value'),
      error: item.getAttribute('data-error'),
    })),
  );
  return { context, page, watch, shown, bulkBodies, copy: await page.textContent('#copy') };
}

describe('OFREP web provider in Chromium', () => {
  it("shows the signed-in user's browser-visible flags, and never a non-browser flag", async () => {
    const u1 = await pageAs('u1');
    expect(u1.shown).toEqual([
      { flag: 'new-nav', value: 'true', error: null },
      // the page claims plan "pro": the app does not take it
      { flag: 'pro-banner', value: 'false', error: null },
      // on for u1, but not browser-visible: the browser never learns it
      { flag: 'admin-tools', value: 'false', error: 'FLAG_NOT_FOUND' },
      { flag: 'secret-experiment', value: 'false', error: 'FLAG_NOT_FOUND' },
    ]);
    expect(u1.copy).toBe('short');
    expect(u1.bulkBodies.length).toBeGreaterThan(0);
    for (const body of u1.bulkBodies) {
      const keys = (JSON.parse(body) as { flags: { key: string }[] }).flags.map((flag) => flag.key);
      expect(keys).toEqual(BROWSER_FLAGS);
      expect(body).not.toContain('admin-tools');
      expect(body).not.toContain('secret-experiment');
    }
    expect(u1.watch.foreignRequests).toEqual([]);
    expect(u1.watch.consoleErrors).toEqual([]);
    await u1.context.close();

    // The page claims targetingKey "u1" whoever is signed in: u2 sees u2's flags.
    const u2 = await pageAs('u2');
    expect(u2.shown[0]).toEqual({ flag: 'new-nav', value: 'false', error: null });
    await u2.context.close();
  });

  it("follows a change when the page becomes visible again, and reloads from the provider's cache", async () => {
    const u1 = await pageAs('u1');
    try {
      expect(u1.shown[0]).toEqual({ flag: 'new-nav', value: 'true', error: null });
      source.replace({ flags: { ...FLAGS, 'new-nav': { browser: true, users: ['u2'] } } });
      await expect.poll(() => client.isEnabled('new-nav', { userId: 'u1' })).toBe(false);
      // what a switch back to the tab does
      await u1.page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
      await expect
        .poll(() => u1.page.getAttribute('li[data-flag="new-nav"]', 'data-value'), { timeout: 15_000 })
        .toBe('false');
      expect(Number(await u1.page.getAttribute('body', 'data-renders'))).toBeGreaterThan(1);

      // a reload answers from the persisted cache first, then from the app
      await u1.page.reload();
      await expect.poll(() => u1.page.getAttribute('body', 'data-ready'), { timeout: 15_000 }).toBe('yes');
      await expect
        .poll(() => u1.page.getAttribute('li[data-flag="new-nav"]', 'data-value'), { timeout: 15_000 })
        .toBe('false');
      expect(await u1.page.evaluate(() => localStorage.length)).toBeGreaterThan(0);
      expect(u1.watch.consoleErrors).toEqual([]);
    } finally {
      source.reset();
      await u1.context.close();
    }
  });
});
