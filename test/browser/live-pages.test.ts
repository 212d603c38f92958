// The demos' live browser pages in real Chromium, on each of the four example apps: /openfeature (OpenFeature's
// web SDK with @openfeature/ofrep-web-provider on its defaults: no polling) and /browser (unleash-proxy-client,
// refetching on the Frontend API's event stream). With the tab never leaving the foreground, a saved edit of
// flags.yaml shows within 2 s; an edit of a flag the browser cannot see makes the page fetch nothing; and after
// the app restarts (the edit made while it was down) the page reconnects and catches up.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Demo, startDemo, stopDemo } from '../examples/demo-suite.js';
import { launchChromium, watchedPage } from './chromium.js';

const EXAMPLES = [
  { example: 'express', entry: 'src/server.ts' },
  { example: 'fastify', entry: 'src/server.ts' },
  { example: 'koa', entry: 'src/server.ts' },
  { example: 'nestjs', entry: 'src/main.ts' },
];

interface PageKind {
  path: '/openfeature' | '/browser';
  /** a request of the page that fetches flags (not its stream, not its metrics) */
  isRefetch(method: string, pathname: string): boolean;
  stream: string;
  /** does the page show beta_banner on? */
  betaShown(page: Page): Promise<boolean>;
}

const PAGES: PageKind[] = [
  {
    path: '/openfeature',
    isRefetch: (method, pathname) => method === 'POST' && pathname === '/ofrep/v1/evaluate/flags',
    stream: '/ofrep/v1/events',
    betaShown: async (page) =>
      (await page.getAttribute('#browser-flags li[data-flag="beta_banner"]', 'data-value')) === 'true',
  },
  {
    path: '/browser',
    isRefetch: (method, pathname) => method === 'GET' && pathname === '/api/frontend',
    stream: '/api/frontend/events',
    betaShown: async (page) => (await page.$('#browser-flags li[data-flag="beta_banner"]')) !== null,
  },
];

const BETA_USERS = 'users: [alice, carol] # try adding bob';
const HOLIDAY_OFF = /(holiday_banner:[\s\S]*?enabled:) false/;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

for (const { example, entry } of EXAMPLES) {
  const exampleDir = fileURLToPath(new URL(`../../examples/${example}`, import.meta.url));

  describe.each(PAGES)(`examples/${example} $path`, (kind) => {
    let workDir: string;
    let flagsFile: string;
    let original: string;
    let demo: Demo | undefined;

    beforeAll(async () => {
      workDir = mkdtempSync(path.join(tmpdir(), `flagwise-live-${example}-`));
      flagsFile = path.join(workDir, 'flags.yaml');
      copyFileSync(path.join(exampleDir, 'flags.yaml'), flagsFile);
      original = readFileSync(flagsFile, 'utf8');
      expect(original).toContain(BETA_USERS);
      demo = await startDemo(exampleDir, entry, { FLAGWISE_FLAGS_FILE: flagsFile });
    });
    afterAll(async () => {
      await stopDemo(demo);
      rmSync(workDir, { recursive: true, force: true });
    });

    /** The demo's own page for bob, which shows every flag: has the app taken the file's edit? */
    async function appShows(flag: string, enabled: boolean): Promise<boolean> {
      const html = await (await fetch(`${demo!.url}/?user=bob`)).text();
      return html.includes(`data-flag="${flag}" data-enabled="${enabled}"`);
    }

    it('shows a change within 2 s, fetches nothing for a flag it cannot see, and catches up after a restart', async () => {
      const { context, page, watch } = await watchedPage(browser, demo!.url);
      const refetches: string[] = [];
      const streams: number[] = [];
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (kind.isRefetch(request.method(), url.pathname)) refetches.push(url.pathname);
      });
      page.on('response', (response) => {
        if (new URL(response.url()).pathname === kind.stream) streams.push(response.status());
      });
      try {
        await page.goto(`${demo!.url}${kind.path}?user=bob`);
        await page.waitForSelector('#browser-flags[data-state="ready"]');
        expect(await page.textContent('#current-user')).toBe('bob');
        expect(await kind.betaShown(page)).toBe(false);
        await expect.poll(() => streams, { timeout: 10_000 }).toContain(200);
        await expect.poll(() => refetches.length, { timeout: 10_000 }).toBeGreaterThan(0);

        // A flag no page can see: the app takes the edit, the page fetches nothing.
        const fetched = refetches.length;
        writeFileSync(flagsFile, original.replace(HOLIDAY_OFF, '$1 true'));
        await expect.poll(() => appShows('holiday_banner', true), { timeout: 10_000 }).toBe(true);

        // A browser flag: on screen within 2 s of the save.
        writeFileSync(
          flagsFile,
          original.replace(HOLIDAY_OFF, '$1 true').replace(BETA_USERS, 'users: [alice, carol, bob]'),
        );
        await expect.poll(() => kind.betaShown(page), { timeout: 2000, interval: 20 }).toBe(true);
        // Notices arrive in order: a refetch for the hidden flag would have come before this one.
        expect(refetches.length).toBe(fetched + 1);

        // The app stops; the file changes while it is down; it starts again on the same port.
        const port = new URL(demo!.url).port;
        await stopDemo(demo);
        writeFileSync(flagsFile, original);
        demo = await startDemo(exampleDir, entry, { FLAGWISE_FLAGS_FILE: flagsFile, PORT: port });
        await expect.poll(() => kind.betaShown(page), { timeout: 20_000 }).toBe(false);
        expect(watch.foreignRequests).toEqual([]);
        // The restart's refused connections (and what failed through them) are the only console errors.
        const duringRestart = /ERR_CONNECTION_REFUSED|Failed to load|Failed to fetch/;
        expect(watch.consoleErrors.filter((error) => !duringRestart.test(error))).toEqual([]);
      } finally {
        writeFileSync(flagsFile, original);
        await context.close();
      }
    });
  });
}
