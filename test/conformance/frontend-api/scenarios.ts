// The Unleash Frontend API table: the real unleash-proxy-client (in Node, over HTTP) against flagsFrontendApi()
// mounted in a real app of each framework, beside a route that answers from the same request's `req.flags`.
// The browser's user is the request's user: the row's context hook reads `x-user-id` and `x-plan`, which the
// client sends as custom headers, standing in for the session cookie a page would send. Each row runs on a
// flags file (browser flags marked `browser: true`) and on a loopback GitLab replica (picked with `expose`).
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createFlags,
  type Endpoint,
  type FlagSource,
  type FlagsClient,
  type FrontendApiOptions,
  fileSource,
  frontendApiEndpoint,
  type VariantResult,
} from '@flagwise/core';
import { gitlabSource } from '@flagwise/unleash';
import { InMemoryStorageProvider, type IToggle, UnleashClient } from 'unleash-proxy-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LoopbackServer,
  startLoopbackServer,
} from '../../../packages/unleash/test/helpers/loopback-server.js';
import type { AdapterRow } from '../contract.js';
import { openEventStream } from '../endpoints/event-stream.js';
import { rows as allRows } from '../rows.js';

export const FRONTEND_PATH = '/api/frontend';
export const CLIENT_KEY = 'conformance-frontend-key';

const PLANS = ['free', 'pro', 'team'];

const REQUEST_FLAGS_PATH = '/__request-flags';

/**
 * The endpoint, plus one path of the test's own that answers from `request.flags` — the request's `req.flags`,
 * which the mount hands to every endpoint — so a table of 200 users needs one request per user, not one per flag.
 */
function withRequestFlagsPath<Request>(endpoint: Endpoint<Request>): Endpoint<Request> {
  return {
    name: endpoint.name,
    handle(request) {
      if (request.path !== REQUEST_FLAGS_PATH) return endpoint.handle(request);
      const names = (request.query.get('names') ?? '').split(',');
      const body = names.map((name) => {
        const variant = request.flags.variant(name);
        // The same shape as the rows' /flag/:name route (flagAnswer), without the reason.
        return { enabled: request.flags.isEnabled(name), variant: JSON.parse(JSON.stringify(variant)) };
      });
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    },
  };
}

/** One set of flags the table runs on. */
interface Fixture {
  title: string;
  /**
   * starts what serves the flags; `change()` makes the change `changed` describes, `changeHidden()` changes only
   * `hidden`, `restore()` undoes both
   */
  start(): Promise<{
    source: FlagSource;
    change(): void;
    changeHidden(): void;
    restore(): void;
    dispose(): Promise<void>;
  }>;
  options: FrontendApiOptions;
  /** every flag a browser may see, on or off */
  browserFlags: string[];
  /** a flag that is on (for some users at least) but not for browsers */
  hidden: string;
  /** an exposed flag that is off */
  off: string;
  /** the change: `flag` goes off and `shown`, when given, hidden before, is exposed */
  changed: { flag: string; shown?: string };
  /** a user whose answers depend on their id (a user list): `listed` is in it, `other` is not */
  listed: { flag: string; listed: string; other: string };
  users: { id: string; plan: string }[];
}

const FLAGS_FILE = fileURLToPath(new URL('./flags.yaml', import.meta.url));
const GITLAB_FIXTURE = fileURLToPath(
  new URL('../../fixtures/gitlab/gitlab-client-features.json', import.meta.url),
);

const flagsFile: Fixture = {
  title: 'on flags.yaml',
  async start() {
    const dir = mkdtempSync(path.join(tmpdir(), 'flagwise-frontend-'));
    const file = path.join(dir, 'flags.yaml');
    copyFileSync(FLAGS_FILE, file);
    const original = readFileSync(file, 'utf8');
    return {
      source: fileSource(file, { debounceMs: 20 }),
      change: () =>
        writeFileSync(
          file,
          original
            .replace(
              'dark-mode: { enabled: true, browser: true }',
              'dark-mode: { enabled: false, browser: true }',
            )
            .replace('server-only: { enabled: true }', 'server-only: { enabled: true, browser: true }'),
        ),
      changeHidden: () =>
        writeFileSync(
          file,
          original.replace('server-only: { enabled: true }', 'server-only: { enabled: false }'),
        ),
      restore: () => writeFileSync(file, original),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  options: { clientKeys: [CLIENT_KEY] },
  browserFlags: [
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
  ],
  hidden: 'server-only',
  off: 'killed',
  changed: { flag: 'dark-mode', shown: 'server-only' },
  listed: { flag: 'beta-list', listed: 'user-3', other: 'user-4' },
  users: Array.from({ length: 200 }, (_, i) => ({ id: `user-${i}`, plan: PLANS[i % 3] })),
};

const gitlab: Fixture = {
  title: 'on GitLab',
  async start() {
    const original = JSON.parse(readFileSync(GITLAB_FIXTURE, 'utf8')) as {
      features: { name: string; enabled: boolean; [key: string]: unknown }[];
    };
    let features = original;
    const server: LoopbackServer = await startLoopbackServer((request) =>
      request.method === 'GET' && request.path.endsWith('/client/features')
        ? { status: 200, body: features }
        : { status: 202 },
    );
    return {
      source: gitlabSource({
        url: `${server.url}/api/v4/feature_flags/unleash/42`,
        instanceId: 'glffct-frontend-conformance',
        environment: 'production',
        refreshInterval: 100,
        backupPath: false,
      }),
      change: () => {
        features = {
          ...original,
          features: original.features.map((feature) =>
            feature.name === 'dark_mode' ? { ...feature, enabled: false } : feature,
          ),
        };
      },
      changeHidden: () => {
        features = {
          ...original,
          features: original.features.map((feature) =>
            feature.name === 'holiday_banner' ? { ...feature, enabled: !feature.enabled } : feature,
          ),
        };
      },
      restore: () => {
        features = original;
      },
      // A poll already on its way when the client closed still arrives before the replica goes.
      dispose: async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await server.close();
      },
    };
  },
  // GitLab's definitions carry no browser mark: the app names its browser flags.
  options: {
    clientKeys: [CLIENT_KEY],
    expose: ['dark_mode', 'new_layout', 'beta_banner', 'legacy_checkout'],
  },
  browserFlags: ['dark_mode', 'new_layout', 'beta_banner', 'legacy_checkout'],
  hidden: 'holiday_banner',
  off: 'legacy_checkout',
  changed: { flag: 'dark_mode' },
  listed: { flag: 'beta_banner', listed: '1001', other: 'bob' },
  users: [
    ...['alice', 'bob', '42', '1001', '1002', '1003'].map((id) => ({ id, plan: 'free' })),
    ...Array.from({ length: 194 }, (_, i) => ({ id: String(2000 + i), plan: 'free' })),
  ],
};

interface Started {
  client: UnleashClient;
  statuses: number[];
  sentEtags: string[];
}

/**
 * Registers the table's scenarios, on each fixture, for the endpoint table's rows whose name starts with
 * `framework` (one test file per framework, so their waits overlap).
 */
export function describeFrontendApi(framework: 'express' | 'fastify' | 'koa' | 'nest'): void {
  const rows = allRows.filter((row) => row.name.startsWith(`${framework} `));
  it(`has the ${framework} rows`, () => expect(rows.length).toBeGreaterThanOrEqual(2));
  for (const row of rows) {
    describe(row.name, () => {
      for (const fixture of [flagsFile, gitlab]) describeFixture(row, fixture);
    });
  }
}

function describeFixture(row: AdapterRow, fixture: Fixture): void {
  describe(fixture.title, () => {
    let served: Awaited<ReturnType<Fixture['start']>>;
    let flags: FlagsClient;
    let app: { url: string; close(): Promise<void> };
    const started: UnleashClient[] = [];
    const { users } = fixture;
    const userNamed = (id: string) => users.find((user) => user.id === id)!;

    beforeAll(async () => {
      served = await fixture.start();
      flags = createFlags({ source: served.source });
      await flags.ready({ timeoutMs: 5000 });
      app = await row.startWithEndpoint(
        flags,
        withRequestFlagsPath(frontendApiEndpoint(fixture.options)),
        FRONTEND_PATH,
      );
    });

    afterAll(async () => {
      for (const client of started) client.stop();
      await app?.close();
      await flags?.close();
      await served?.dispose();
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
      const { enabled, variant } = (await response.json()) as { enabled: boolean; variant: VariantResult };
      return { enabled, variant };
    }

    /** The request's own flags (`req.flags`, as the mount hands them to the endpoint) for `names`, in one request. */
    async function requestFlagsOf(user: { id: string; plan: string }, names: string[]) {
      const response = await fetch(
        `${app.url}${FRONTEND_PATH}${REQUEST_FLAGS_PATH}?names=${names.join(',')}`,
        {
          headers: { 'x-user-id': user.id, 'x-plan': user.plan },
        },
      );
      expect(response.status).toBe(200);
      return (await response.json()) as { enabled: boolean; variant: VariantResult }[];
    }

    it(`starts, and isEnabled/getVariant agree with req.flags for ${users.length} users on every browser flag`, async () => {
      let on = 0;
      let off = 0;
      for (let at = 0; at < users.length; at += 20) {
        await Promise.all(
          users.slice(at, at + 20).map(async (user) => {
            const { client } = await startClient(user);
            expect(client.isReady()).toBe(true);
            // The first users through the app's own route, one request per flag; every user through the
            // mount's request flags, one request for all.
            const viaMount = await requestFlagsOf(user, fixture.browserFlags);
            if (users.indexOf(user) < 20) {
              const viaRoute = await Promise.all(fixture.browserFlags.map((name) => serverSide(user, name)));
              expect(viaMount).toEqual(viaRoute);
            }
            const answers = viaMount;
            for (const [index, name] of fixture.browserFlags.entries()) {
              const expected = answers[index];
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
              else if (name !== fixture.off) off++;
            }
            client.stop();
          }),
        );
      }
      // The fixture's rollouts, user lists and conditions split the users: each answer is some users' on and
      // other users' off.
      expect(on).toBeGreaterThan(users.length);
      expect(off).toBeGreaterThan(users.length / 2);
    }, 120_000);

    it('leaves out a flag not exposed and a flag that is off', async () => {
      // A user the hidden flag is on for (it may be a rollout).
      let user = users[0];
      for (const candidate of users) {
        user = candidate;
        if ((await serverSide(candidate, fixture.hidden)).enabled) break;
      }
      expect((await serverSide(user, fixture.hidden)).enabled).toBe(true);
      const { client } = await startClient(user);
      const names = client.getAllToggles().map((toggle: IToggle) => toggle.name);
      expect(names).toContain(fixture.changed.flag);
      expect(names).not.toContain(fixture.hidden);
      expect(names).not.toContain(fixture.off);
      expect(client.isEnabled(fixture.hidden)).toBe(false);
    });

    it('ignores the userId the browser claims', async () => {
      const { flag, listed, other } = fixture.listed;
      const honest = await startClient(userNamed(other));
      const claiming = await startClient(userNamed(other), { context: { userId: listed } });
      expect(claiming.client.getAllToggles()).toEqual(honest.client.getAllToggles());
      expect(claiming.client.isEnabled(flag)).toBe(false);
      expect((await startClient(userNamed(listed))).client.isEnabled(flag)).toBe(true);
    });

    it('answers a POST with a context body the same as a GET', async () => {
      for (const user of users.slice(0, 12)) {
        const get = await startClient(user);
        const post = await startClient(user, { usePOSTrequests: true, context: { userId: 'someone-else' } });
        expect(post.statuses).toEqual([200]);
        expect(post.client.getAllToggles()).toEqual(get.client.getAllToggles());
      }
    });

    it('answers 304 to the ETag when nothing changed, and a change reaches the client on its next refresh', async () => {
      const { client, statuses, sentEtags } = await startClient(users[10], {
        disableRefresh: false,
        refreshInterval: 0.25, // seconds: every 250 ms
      });
      const { flag, shown } = fixture.changed;
      expect(client.isEnabled(flag)).toBe(true);
      await expect.poll(() => statuses.length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
      expect(statuses.slice(0, 2)).toEqual([200, 304]);
      expect(sentEtags[0]).toMatch(/^"[\w-]+"$/);

      const updated = new Promise<void>((resolve) => client.on('update', () => resolve()));
      served.change();
      await updated;
      expect(client.isEnabled(flag)).toBe(false);
      if (shown) expect(client.isEnabled(shown)).toBe(true);
      const changedAt = statuses.length;
      served.restore();
      await expect.poll(() => client.isEnabled(flag), { timeout: 5000 }).toBe(true);
      expect(statuses.slice(changedAt)).toContain(200);
      client.stop();
    }, 20_000);

    it('streams refetchEvaluation at /events for a browser flag change (none for a hidden one), and updateToggles() follows it without polling', async () => {
      const user = users[10];
      const stream = await openEventStream(`${app.url}${FRONTEND_PATH}/events`, {
        'x-user-id': user.id,
        'x-plan': user.plan,
      });
      const { client, statuses } = await startClient(user);
      // What the page does with each notice.
      stream.onEvent((event) => {
        if (JSON.parse(event.data).type === 'refetchEvaluation') void client.updateToggles();
      });
      try {
        expect(stream.status).toBe(200);
        const { flag, shown } = fixture.changed;
        expect(client.isEnabled(flag)).toBe(true);
        const before = JSON.stringify(flags.feature(fixture.hidden));
        served.changeHidden();
        await expect
          .poll(() => JSON.stringify(flags.feature(fixture.hidden)), { timeout: 5000 })
          .not.toBe(before);
        const updated = new Promise<void>((resolve) => client.on('update', () => resolve()));
        served.change();
        await updated;
        // Events arrive in order: had the hidden change sent one, it would have come first.
        expect(stream.refetches()).toHaveLength(1);
        expect(client.isEnabled(flag)).toBe(false);
        if (shown) expect(client.isEnabled(shown)).toBe(true);
        expect(statuses.filter((status) => status === 200)).toHaveLength(2);
      } finally {
        stream.close();
        client.stop();
        served.restore();
        await expect.poll(() => flags.isEnabled(fixture.changed.flag), { timeout: 5000 }).toBe(true);
      }
    }, 20_000);

    it('accepts the metrics and registration the client sends', async () => {
      const { client, statuses } = await startClient(users[5], {
        disableMetrics: false,
        metricsIntervalInitial: 0,
      });
      client.isEnabled(fixture.changed.flag);
      client.getVariant(fixture.changed.flag);
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
