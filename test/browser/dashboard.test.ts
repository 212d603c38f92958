// The flags dashboard in real Chromium, on each example as `pnpm demo` runs it: open /_flags, force
// holiday_banner on and see the example's page show the banner, edit flags.yaml and see the dashboard's change
// list and values follow within 2 s without a reload (and the example's page follow on its own), clear the
// override. No console errors, no request leaving the origin. The Express run saves the README's screenshot.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Demo, startDemo, stopDemo } from '../examples/demo-suite.js';
import { launchChromium, watchedPage } from './chromium.js';

const EXAMPLES = [
  { example: 'express', entry: 'src/server.ts' },
  { example: 'fastify', entry: 'src/server.ts' },
  { example: 'koa', entry: 'src/server.ts' },
  { example: 'nestjs', entry: 'src/main.ts' },
];
const SCREENSHOT = fileURLToPath(new URL('../../docs/dashboard.png', import.meta.url));

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(EXAMPLES)('examples/$example', ({ example, entry }) => {
  const exampleDir = fileURLToPath(new URL(`../../examples/${example}`, import.meta.url));
  let dir: string;
  let flagsFile: string;
  let demo: Demo | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), `flagwise-dashboard-${example}-`));
    flagsFile = path.join(dir, 'flags.yaml');
    copyFileSync(path.join(exampleDir, 'flags.yaml'), flagsFile);
    demo = await startDemo(exampleDir, entry, { FLAGWISE_FLAGS_FILE: flagsFile });
  });
  afterAll(async () => {
    await stopDemo(demo);
    rmSync(dir, { recursive: true, force: true });
  });

  it('forces holiday_banner, follows a flags.yaml edit live, and clears the override', async () => {
    const origin = demo!.url;
    const { context, page: dashboard, watch } = await watchedPage(browser, origin);
    await dashboard.setViewportSize({ width: 1280, height: 800 });
    // The example's page picks its user from ?user= (a cookie); the dashboard then shows alice's own request.
    await dashboard.goto(`${origin}/?user=alice`);
    await dashboard.goto(`${origin}/_flags`);
    const bannerRow = dashboard.locator('#flag-rows [data-flag="holiday_banner"]');
    await expect.poll(() => bannerRow.count()).toBe(1);
    expect(await bannerRow.locator('[role="cell"]').nth(1).textContent()).toContain('off');
    // The Nest example logs its user in with a guard on its own controller only, so there the dashboard's request has none.
    if (example !== 'nestjs') expect(await dashboard.locator('#context').textContent()).toContain('alice');

    // Force it on: the example's own page, in the same browser, shows the banner.
    await dashboard.selectOption('select[data-force="holiday_banner"]', 'on');
    await expect.poll(() => bannerRow.textContent()).toContain('forced on');
    const app = await context.newPage();
    await app.goto(`${origin}/`);
    expect(await app.locator('#holiday-banner').count()).toBe(1);
    expect(await app.locator('#dashboard-link a').getAttribute('href')).toBe('/_flags');

    // Edit flags.yaml: the dashboard lists the change and shows the new value without a reload.
    const darkRow = dashboard.locator('#flag-rows [data-flag="dark_mode"]');
    expect(await darkRow.locator('[role="cell"]').nth(1).textContent()).toContain('on');
    expect(await app.locator('body').getAttribute('class')).toBe('dark');
    const edited = readFileSync(flagsFile, 'utf8').replace(/(dark_mode:[\s\S]*?enabled:) true/, '$1 false');
    const editedAt = Date.now();
    writeFileSync(flagsFile, edited);
    const change = dashboard.locator('li[data-change="dark_mode"]');
    await change.waitFor({ timeout: 2000 });
    expect(Date.now() - editedAt).toBeLessThan(2000);
    expect(await change.textContent()).toContain('enabled → disabled');
    expect(await darkRow.locator('[role="cell"]').nth(1).textContent()).toContain('off');
    // The example's page follows by itself too.
    await expect.poll(() => app.locator('body').getAttribute('class'), { timeout: 2000 }).toBe('light');

    // "why?" traces the flag for this request in the flags file's words: its rollout bucket against the percentage
    // (every example's login runs for the dashboard too, so its request is alice's).
    const layoutRow = dashboard.locator('#flag-rows [data-flag="new_layout"]');
    await layoutRow.locator('button.why').click();
    await expect
      .poll(() => layoutRow.locator('ul.trace').textContent())
      .toContain('rollout: 50 (stickiness: userId) — ');
    const trace = (await layoutRow.locator('ul.trace').textContent()) ?? '';
    expect(trace).toMatch(/userId "alice" is in bucket \d+ of 100 \(on for buckets 1–50\)/);
    expect(trace).not.toMatch(/undefined|flexibleRollout/);

    if (example === 'express') await dashboard.screenshot({ path: SCREENSHOT, fullPage: true });

    // Clear the override: the banner goes.
    await dashboard.click('button[data-clear="holiday_banner"]');
    await expect.poll(() => bannerRow.textContent()).not.toContain('forced');
    await app.goto(`${origin}/`);
    expect(await app.locator('#holiday-banner').count()).toBe(0);

    expect(watch.consoleErrors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await context.close();
  });
});
