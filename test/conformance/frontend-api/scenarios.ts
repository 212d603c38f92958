// The Unleash Frontend API table: the real unleash-proxy-client (in Node, over HTTP) against flagsFrontendApi()
// mounted in a real app of each framework, beside a route that answers from the same request's `req.flags`.
// The browser's user is the request's user: the row's context hook reads `x-user-id` and `x-plan`, which the
// client sends as custom headers, standing in for the session cookie a page would send.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFlags, type FlagsClient, fileSource, type VariantResult } from '@flagwise/core';
import { InMemoryStorageProvider, type IToggle, UnleashClient } from 'unleash-proxy-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A framework app with the frontend API mounted at `FRONTEND_PATH` and `/flag/:name` answering from req.flags. */
export interface FrontendApiRow {
  name: string;
  /**
   * Start the app on `client`: the adapter's context hook sets userId ← `x-user-id` and properties.plan ←
   * `x-plan`; `flagsFrontendApi({ clientKeys: [CLIENT_KEY] })` is mounted at FRONTEND_PATH; GET /flag/:name
   * answers `{ enabled, variant }` from the request's flags.
   */
  start(client: FlagsClient): Promise<{ url: string; close(): Promise<void> }>;
}

export const FRONTEND_PATH = '/api/frontend';
export const CLIENT_KEY = 'conformance-frontend-key';

const FIXTURE = fileURLToPath(new URL('./flags.yaml', import.meta.url));
const BROWSER_FLAGS = [
  'dark-mode',
  'half-rollout',
  'pro-plan',
  'team-rollout',
  'paying-launch',
  'beta-list',
  'checkout-copy',
  'theme',
  'launch',
  'killed',
];
const PLANS = ['free', 'pro', 'team'];
const USERS = Array.from({ length: 200 }, (_, i) => ({ id: `user-${i}`, plan: PLANS[i % 3] }));

interface Started {
  client: UnleashClient;
  statuses: number[];
  sentEtags: string[];
}

/** Registers the table's scenarios for one row. */
export function describeFrontendApi(row: FrontendApiRow): void {
  describe(row.name, () => {
    let dir: string;
    let flagsFile: string;
    let flags: FlagsClient;
    let app: { url: string; close(): Promise<void> };
    const started: UnleashClient[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'flagwise-frontend-'));
      flagsFile = path.join(dir, 'flags.yaml');
      copyFileSync(FIXTURE, flagsFile);
      flags = createFlags({ source: fileSource(flagsFile, { debounceMs: 20 }) });
      await flags.ready({ timeoutMs: 5000 });
      app = await row.start(flags);
    });

    afterAll(async () => {
      for (const client of started) client.stop();
      await app?.close();
      await flags?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    async function startClient(
      user: { id: string; plan: string },
      config: Partial<ConstructorParameters<typeof UnleashClient>[0]> = {},
    ): Promise<Started> {
      const statuses: number[] = [];
      const sentEtags: string[] = [];
      const client = new UnleashClient({
        url: `${app.url}${FRONTEND_PATH}`,
        clientKey: CLIENT_KEY,
        appName: 'frontend-conformance',
        disableRefresh: true,
        disableMetrics: true,
        storageProvider: new InMemoryStorageProvider(),
        customHeaders: { 'x-user-id': user.id, 'x-plan': user.plan },
        fetch: async (url: string, init: RequestInit) => {
          const etag = (init.headers as Record<string, string>)['if-none-match'];
          if (etag) sentEtags.push(etag);
          const response = await fetch(url, init);
          statuses.push(response.status);
          return response;
        },
        ...config,
      });
      started.push(client);
      await client.start();
      return { client, statuses, sentEtags };
    }

    async function serverSide(user: { id: string; plan: string }, name: string) {
      const response = await fetch(`${app.url}/flag/${name}`, {
        headers: { 'x-user-id': user.id, 'x-plan': user.plan },
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { enabled: boolean; variant: VariantResult };
    }

    it('starts, and isEnabled/getVariant agree with req.flags for 200 users on every browser flag', async () => {
      let on = 0;
      let withVariant = 0;
      for (let at = 0; at < USERS.length; at += 20) {
        await Promise.all(
          USERS.slice(at, at + 20).map(async (user) => {
            const { client } = await startClient(user);
            expect(client.isReady()).toBe(true);
            for (const name of BROWSER_FLAGS) {
              const expected = await serverSide(user, name);
              expect({ user: user.id, name, enabled: client.isEnabled(name) }).toEqual({
                user: user.id,
                name,
                enabled: expected.enabled,
              });
              const variant = client.getVariant(name);
              const want = expected.enabled ? expected.variant : { name: 'disabled', enabled: false };
              expect({ user: user.id, name, variant: variant.name, payload: variant.payload }).toEqual({
                user: user.id,
                name,
                variant: want.name,
                payload: 'payload' in want ? want.payload : undefined,
              });
              if (expected.enabled) on++;
              if (variant.enabled) withVariant++;
            }
            client.stop();
          }),
        );
      }
      // The fixture's rollouts and conditions split the users: some flags on, some off, some with variants.
      expect(on).toBeGreaterThan(USERS.length * 3);
      expect(on).toBeLessThan(USERS.length * (BROWSER_FLAGS.length - 1));
      expect(withVariant).toBeGreaterThan(USERS.length);
    }, 120_000);

    it('leaves out a flag not exposed and a flag that is off', async () => {
      const user = USERS[1];
      const { client } = await startClient(user);
      expect((await serverSide(user, 'server-only')).enabled).toBe(true);
      const names = client.getAllToggles().map((toggle: IToggle) => toggle.name);
      expect(names).toContain('dark-mode');
      expect(names).not.toContain('server-only');
      expect(names).not.toContain('killed');
      expect(client.isEnabled('server-only')).toBe(false);
    });

    it('ignores the userId the browser claims', async () => {
      const listed = USERS[3];
      const other = USERS[4];
      const honest = await startClient(other);
      const claiming = await startClient(other, { context: { userId: listed.id } });
      expect(claiming.client.getAllToggles()).toEqual(honest.client.getAllToggles());
      expect(claiming.client.isEnabled('beta-list')).toBe(false);
      expect((await startClient(listed)).client.isEnabled('beta-list')).toBe(true);
    });

    it('answers a POST with a context body the same as a GET', async () => {
      for (const user of USERS.slice(0, 12)) {
        const get = await startClient(user);
        const post = await startClient(user, { usePOSTrequests: true, context: { userId: 'someone-else' } });
        expect(post.statuses).toEqual([200]);
        expect(post.client.getAllToggles()).toEqual(get.client.getAllToggles());
      }
    });

    it('answers 304 to the ETag when nothing changed, and a flags.yaml edit reaches the client on its next refresh', async () => {
      const user = USERS[10];
      const { client, statuses, sentEtags } = await startClient(user, {
        disableRefresh: false,
        refreshInterval: 1,
      });
      expect(client.isEnabled('dark-mode')).toBe(true);
      await expect.poll(() => statuses.length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
      expect(statuses.slice(0, 2)).toEqual([200, 304]);
      expect(sentEtags[0]).toMatch(/^"[\w-]+"$/);

      const updated = new Promise<void>((resolve) => client.on('update', () => resolve()));
      const original = readFileSync(flagsFile, 'utf8');
      writeFileSync(
        flagsFile,
        original
          .replace(
            'dark-mode: { enabled: true, browser: true }',
            'dark-mode: { enabled: false, browser: true }',
          )
          .replace('server-only: { enabled: true }', 'server-only: { enabled: true, browser: true }'),
      );
      await updated;
      expect(client.isEnabled('dark-mode')).toBe(false);
      expect(client.isEnabled('server-only')).toBe(true);
      const changedAt = statuses.length;
      writeFileSync(flagsFile, original);
      await expect.poll(() => client.isEnabled('dark-mode'), { timeout: 5000 }).toBe(true);
      expect(statuses.slice(changedAt).filter((status) => status !== 304)).toContain(200);
      client.stop();
    }, 20_000);

    it('accepts the metrics and registration the client sends', async () => {
      const user = USERS[5];
      const { client, statuses } = await startClient(user, {
        disableMetrics: false,
        metricsIntervalInitial: 0,
      });
      client.isEnabled('dark-mode');
      client.getVariant('checkout-copy');
      await client.sendMetrics();
      expect(statuses).toEqual([200, 200]);
      const register = await fetch(`${app.url}${FRONTEND_PATH}/client/register`, {
        method: 'POST',
        headers: { authorization: CLIENT_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ appName: 'frontend-conformance', instanceId: 'browser-1' }),
      });
      expect(register.status).toBe(200);
    });

    it('refuses an unknown client key with 401', async () => {
      const response = await fetch(`${app.url}${FRONTEND_PATH}`, { headers: { authorization: 'wrong' } });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { message: string }).message).toMatch(/clientKeys/);
    });
  });
}
