// The Express demo's browser page in real Chromium: its script runs unleash-proxy-client, served by the app from
// node_modules, against the app's own Unleash Frontend API (/api/frontend), and lists the browser flags that are
// on for the signed-in demo user. Once on a flags file, once on a loopback GitLab replica (GitLab has no frontend
// API of its own).
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFlags, type FlagSource, fileSource } from '@flagwise/core';
import { gitlabSource } from '@flagwise/unleash';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LoopbackServer,
  startLoopbackServer,
} from '../../packages/unleash/test/helpers/loopback-server.js';
import { type Demo, startDemo, stopDemo } from '../examples/demo-suite.js';
import { launchChromium, watchedPage } from './chromium.js';

const exampleDir = fileURLToPath(new URL('../../examples/express', import.meta.url));
const gitlabFixture = fileURLToPath(
  new URL('../fixtures/gitlab/gitlab-client-features.json', import.meta.url),
);
/** the demo's browser flags: `browser: true` in its flags.yaml, and its `expose` list for Unleash and GitLab */
const BROWSER_FLAGS = ['dark_mode', 'beta_banner'];

interface Setup {
  env: Record<string, string>;
  /** the same flags, read by a client of the test's own */
  reference: () => FlagSource;
  /** users for whom the answers differ */
  users: string[];
  /** changes the flags so that `user` gets `flag` too (with followsEdits) */
  grant?: { user: string; flag: string; apply(): void };
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** The flags the page lists once its client is ready: name → variant name. */
async function listedFlags(page: Page): Promise<Record<string, string>> {
  await page.waitForSelector('#browser-flags[data-state="ready"]');
  return page.$$eval('#browser-flags li[data-flag]', (items) =>
    Object.fromEntries(
      items.map((item) => [item.getAttribute('data-flag'), item.getAttribute('data-variant')]),
    ),
  );
}

function describePage(
  title: string,
  setup: () => Promise<Setup & { dispose(): Promise<void> }>,
  { followsEdits }: { followsEdits: boolean },
) {
  describe(title, () => {
    let demo: Demo | undefined;
    let current: Setup & { dispose(): Promise<void> };

    beforeAll(async () => {
      current = await setup();
      demo = await startDemo(exampleDir, 'src/server.ts', current.env);
    });
    afterAll(async () => {
      await stopDemo(demo);
      await current?.dispose();
    });

    it("shows the signed-in user's browser flags, as the server evaluates them, with no external request", async () => {
      const reference = createFlags({ source: current.reference() });
      await reference.ready({ timeoutMs: 5000 });
      try {
        const seen = new Set<string>();
        for (const user of current.users) {
          const { context, page, watch } = await watchedPage(browser, demo!.url);
          const frontendCalls: string[] = [];
          page.on('request', (request) => {
            if (request.url().includes('/api/frontend')) frontendCalls.push(request.url());
          });
          await page.goto(`${demo!.url}/browser?user=${encodeURIComponent(user)}`);
          expect(await page.textContent('#current-user')).toBe(user);
          const listed = await listedFlags(page);
          const expected = Object.fromEntries(
            BROWSER_FLAGS.filter((flag) => reference.isEnabled(flag, { userId: user })).map((flag) => [
              flag,
              reference.getVariant(flag, { userId: user }).name,
            ]),
          );
          expect(listed, `flags listed for ${user}`).toEqual(expected);
          seen.add(JSON.stringify(listed));
          expect(frontendCalls.length).toBeGreaterThan(0);
          expect(watch.foreignRequests).toEqual([]);
          expect(watch.consoleErrors).toEqual([]);
          await context.close();
        }
        // The users were picked so the answers differ between them: the page follows the signed-in user.
        expect(seen.size).toBeGreaterThan(1);
      } finally {
        await reference.close();
      }
    });

    // GitLab is polled every 15 s (the demo keeps the default), too slow for this suite.
    if (!followsEdits) return;
    it('follows a change of the flags on its next refresh, without a reload', async () => {
      const grant = current.grant!;
      const { context, page } = await watchedPage(browser, demo!.url);
      await page.goto(`${demo!.url}/browser?user=${encodeURIComponent(grant.user)}`);
      expect(Object.keys(await listedFlags(page))).not.toContain(grant.flag);
      grant.apply();
      await page.waitForSelector(`#browser-flags li[data-flag="${grant.flag}"]`, { timeout: 10_000 });
      await context.close();
    });
  });
}

describePage(
  'examples/express /browser on flags.yaml',
  async () => {
    const workDir = mkdtempSync(path.join(tmpdir(), 'flagwise-frontend-browser-'));
    const flagsFile = path.join(workDir, 'flags.yaml');
    copyFileSync(path.join(exampleDir, 'flags.yaml'), flagsFile);
    return {
      env: { FLAGWISE_FLAGS_FILE: flagsFile },
      reference: () => fileSource(flagsFile, { watch: false }),
      users: ['alice', 'bob'],
      grant: {
        user: 'bob',
        flag: 'beta_banner',
        apply: () =>
          writeFileSync(
            flagsFile,
            readFileSync(flagsFile, 'utf8').replace('users: [alice, carol]', 'users: [alice, carol, bob]'),
          ),
      },
      dispose: async () => rmSync(workDir, { recursive: true, force: true }),
    };
  },
  { followsEdits: true },
);

describePage(
  'examples/express /browser on GitLab',
  async () => {
    const workDir = mkdtempSync(path.join(tmpdir(), 'flagwise-frontend-gitlab-'));
    const features = readFileSync(gitlabFixture, 'utf8');
    const gitlab: LoopbackServer = await startLoopbackServer((request) => {
      if (request.method === 'GET' && request.path.endsWith('/client/features')) {
        return { status: 200, body: features, headers: { 'content-type': 'application/json' } };
      }
      return { status: 202 };
    });
    const url = `${gitlab.url}/api/v4/feature_flags/unleash/42`;
    return {
      env: {
        UNLEASH_URL: url,
        UNLEASH_INSTANCE_ID: 'glffct-browser-test',
        UNLEASH_APP_NAME: 'production',
        FLAGWISE_BACKUP_PATH: workDir,
      },
      reference: () =>
        gitlabSource({
          url,
          instanceId: 'glffct-browser-test',
          environment: 'production',
          backupPath: false,
        }),
      // The fixture lists 1001 for beta_banner.
      users: ['1001', 'alice'],
      dispose: async () => {
        await gitlab.close();
        rmSync(workDir, { recursive: true, force: true });
      },
    };
  },
  { followsEdits: false },
);
