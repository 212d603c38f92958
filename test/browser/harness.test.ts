// The browser suite's own check: Debian's Chromium starts headless, runs a page's script from 127.0.0.1, and the
// watch records console errors and requests that leave the origin.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, watchedPage } from './chromium.js';

const server = createServer((req, res) => {
  if (req.url === '/app.js') {
    res.setHeader('content-type', 'text/javascript');
    res.end(
      "document.getElementById('out').textContent = 'script ran';" +
        "if (location.search === '?fail') console.error('a console error');",
    );
    return;
  }
  res.setHeader('content-type', 'text/html');
  res.setHeader('content-security-policy', "default-src 'self'");
  res.end('<!doctype html><p id="out">no script</p><script src="/app.js"></script>');
});
let browser: Browser;
let origin: string;

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  server.close();
});

it('runs a page script under a strict CSP and records console errors', async () => {
  const { context, page, watch } = await watchedPage(browser, origin);
  await page.goto(`${origin}/`);
  await expect.poll(() => page.textContent('#out')).toBe('script ran');
  expect(watch.consoleErrors).toEqual([]);
  await page.goto(`${origin}/?fail`);
  await expect.poll(() => watch.consoleErrors).toEqual(['a console error']);
  expect(watch.foreignRequests).toEqual([]);
  await context.close();
});
