// The shared adapter layer, through every adapter row: every entry form, unknown options refused at startup,
// the log lines a user sees, guards naming undefined flags, one value per request, sticky visitor ids and async
// hooks. Each row starts its real app over HTTP with the arguments given here (contract.ts, startEntry).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type ClientFeaturesPayload,
  createFlags,
  type FlagsClient,
  fileSource,
  memorySource,
} from '@flagwise/core';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingLogger } from '../support/logging.js';
import { waitFor } from '../support/waiting.js';
import type { AdapterRow, RunningApp } from './contract.js';
import { contextFromHeaders, CONTEXT_HEADERS as H } from './contract.js';
import { rows } from './rows.js';

const SECRET = 'adapter-layer-secret-0123456789abcdef0123456789';

function definitions(): ClientFeaturesPayload {
  const strategy = (name: string, parameters: Record<string, string> = {}, constraints: object[] = []) => ({
    name,
    parameters,
    constraints,
  });
  return {
    version: 2,
    features: [
      { name: 'always-on', enabled: true, strategies: [strategy('default')] },
      { name: 'always-off', enabled: false, strategies: [strategy('default')] },
      { name: 'beta-page', enabled: true, strategies: [strategy('default')] },
      {
        name: 'pro-only',
        enabled: true,
        strategies: [strategy('default', {}, [{ contextName: 'plan', operator: 'IN', values: ['pro'] }])],
      },
      {
        name: 'rollout-half',
        enabled: true,
        strategies: [
          strategy('flexibleRollout', { rollout: '50', stickiness: 'default', groupId: 'rollout-half' }),
        ],
      },
      { name: 'alice-only', enabled: true, strategies: [strategy('userWithId', { userIds: 'alice' })] },
      {
        name: 'split',
        enabled: true,
        strategies: [strategy('default')],
        variants: [
          { name: 'control', weight: 500, weightType: 'variable', stickiness: 'default' },
          { name: 'short', weight: 500, weightType: 'variable', stickiness: 'default' },
        ],
      },
    ],
  } as ClientFeaturesPayload;
}

/** The definitions with `beta-page` and `new-pricing` on for alice only (the guard's and the template's flags). */
function aliceDefinitions(): ClientFeaturesPayload {
  const forAlice = (name: string) => ({
    name,
    enabled: true,
    strategies: [{ name: 'userWithId', parameters: { userIds: 'alice' }, constraints: [] }],
  });
  const base = definitions();
  return {
    ...base,
    features: [
      ...base.features.filter((f) => f.name !== 'beta-page'),
      forAlice('beta-page'),
      forAlice('new-pricing'),
    ],
  } as ClientFeaturesPayload;
}

/** A request as the hooks get it: Express, Fastify and Nest keep the user on it, Koa on `ctx.state`. */
interface AuthenticatedRequest {
  user?: { id?: string };
  state?: { user?: { id?: string } };
}
const userOf = (req: AuthenticatedRequest) => req.user?.id ?? req.state?.user?.id;

/** What each framework calls the fix its warnings point at. */
function hintsOf(row: AdapterRow): { visitorId: string; trustProxy: RegExp } {
  if (row.name.startsWith('express'))
    return { visitorId: 'featureFlags({ visitorId: true })', trustProxy: /app\.set\('trust proxy', 1\)/ };
  if (row.name.startsWith('koa'))
    return { visitorId: 'featureFlags({ visitorId: true })', trustProxy: /app\.proxy = true/ };
  if (row.name.startsWith('fastify'))
    return {
      visitorId: 'app.register(featureFlags, { visitorId: true })',
      trustProxy: /Fastify\(\{ trustProxy: true \}\)/,
    };
  return {
    visitorId: 'FeatureFlagsModule.forRoot({ visitorId: true })',
    trustProxy: /app\.set\('trust proxy', 1\).*new FastifyAdapter\(\{ trustProxy: true \}\)/,
  };
}

describe.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function ready(client: FlagsClient): Promise<FlagsClient> {
    cleanups.push(() => client.close());
    await client.ready({ timeoutMs: 5000 });
    return client;
  }

  async function started(first: unknown, second?: unknown): Promise<RunningApp> {
    const app = await row.startEntry(first, second, { between: async () => {} });
    cleanups.push(() => app.close());
    return app;
  }

  it('takes every entry form: a client, { client, ...options }, a client and options, or options', async () => {
    const client = await ready(createFlags({ source: memorySource(definitions()), logger: false }));
    const forms: [unknown, unknown][] = [
      [client, undefined],
      [{ client, context: contextFromHeaders }, undefined],
      [client, { context: contextFromHeaders }],
      [{ source: memorySource(definitions()), logger: false, context: contextFromHeaders }, undefined],
    ];
    for (const [first, second] of forms) {
      const app = await started(first, second);
      expect((await request(app.url).get('/flag/always-on')).body.enabled).toBe(true);
      const pro = (await request(app.url).get('/flag/pro-only').set(H.plan, 'pro')).body.enabled;
      // The context hook is in every form but the bare client.
      expect(pro).toBe(first !== client || second !== undefined);
    }
  });

  it('refuses an unknown option at startup, naming it and the nearest valid key', async () => {
    await expect(started({ source: memorySource(definitions()), sorce: 'flags.yaml' })).rejects.toThrow(
      /unknown option "sorce" \(did you mean "source"\?\); valid options: source, /,
    );
    const client = await ready(createFlags({ source: memorySource(definitions()), logger: false }));
    await expect(started(client, { contxt: contextFromHeaders })).rejects.toThrow(
      /unknown option "contxt" \(did you mean "context"\?\)/,
    );
  });

  it('logs a broken flags file once, a second break once, and the fix once, serving the last good flags', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flagwise-layer-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'flags.yaml');
    writeFileSync(file, 'flags:\n  always-on: true\n');
    const { logger, lines } = recordingLogger();
    const app = await started({ source: fileSource(file, { debounceMs: 20 }), logger });
    await waitFor(
      () => lines.some((l) => l.level === 'info' && /^flagwise: 1 flag loaded from file:/.test(l.message)),
      'the load line',
    );
    const errors = () => lines.filter((l) => l.level === 'error');

    writeFileSync(file, 'flags:\n  always-on: [\n');
    await waitFor(() => errors().length === 1, 'the first error');
    await waitFor(
      () => lines.some((l) => l.level === 'warn' && /is stale, serving the last good flags/.test(l.message)),
      'stale',
    );
    expect((await request(app.url).get('/flag/always-on')).body.enabled).toBe(true);

    writeFileSync(file, 'flags:\n  always-on: {{\n');
    await waitFor(() => errors().length === 2, 'the second error');
    expect(errors()[1].message).not.toBe(errors()[0].message);

    writeFileSync(file, 'flags:\n  always-on: true\n  always-off: false\n');
    await waitFor(
      () => lines.some((l) => l.level === 'info' && /recovered: 2 flags loaded/.test(l.message)),
      'recovery',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(errors()).toHaveLength(2);
    expect(lines.filter((l) => /is stale/.test(l.message))).toHaveLength(1);
    expect(lines.filter((l) => /recovered/.test(l.message))).toHaveLength(1);
    expect(lines.every((l) => !l.message.startsWith('flagwise: flagwise:'))).toBe(true);
  });

  it('warns about a guard on an undefined flag, naming the nearest defined one', async () => {
    const { logger, lines } = recordingLogger();
    const client = await ready(createFlags({ source: memorySource(definitions()), logger }));
    const app = await started(client, {});
    await waitFor(() => lines.some((l) => l.message.includes('"beta-pgae"')), 'the guard warning');
    const warning = lines.find((l) => l.message.includes('"beta-pgae"'))!;
    expect(warning.level).toBe('warn');
    expect(warning.message).toMatch(
      /names flag "beta-pgae", which is not defined.*\(did you mean "beta-page"\?\)/,
    );
    expect((await request(app.url).get('/typo')).status).toBe(404);
  });

  it('warns once when a variant guard names a flag that has no variants, and answers its 404', async () => {
    const { logger, lines } = recordingLogger();
    const client = await ready(createFlags({ source: memorySource(definitions()), logger }));
    const app = await started(client, {});
    for (let i = 0; i < 3; i++) expect((await request(app.url).get('/no-variants')).status).toBe(404);
    const warnings = lines.filter((l) => l.message.includes('"beta-page" has no variants'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].level).toBe('warn');
  });

  it('gives one value per request: explain() first and the read agree over 200 anonymous requests', async () => {
    const client = await ready(createFlags({ source: memorySource(definitions()), logger: false }));
    const app = await started(client, {});
    const seen = new Set<boolean>();
    for (let i = 0; i < 200; i++) {
      const { body } = await request(app.url).get('/explain/rollout-half');
      expect(body.explained, `request ${i}`).toBe(body.enabled);
      seen.add(body.enabled);
    }
    // Without a user or session id the rollout is random: both answers show up, so the agreement is real.
    expect([...seen].sort()).toEqual([false, true]);
  });

  it('with visitorId, one browser keeps its answer to a 50 % rollout and browsers differ', async () => {
    const client = await ready(createFlags({ source: memorySource(definitions()), logger: false }));
    const app = await started(client, { visitorId: true });
    const browser = request.agent(app.url);
    const first = await browser.get('/flag/rollout-half');
    expect(String(first.headers['set-cookie'])).toMatch(
      /^flagwise_visitor=[\w-]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax/,
    );
    for (let i = 0; i < 199; i++) {
      expect((await browser.get('/flag/rollout-half')).body.enabled, `request ${i}`).toBe(first.body.enabled);
    }
    const answers = new Set<boolean>();
    for (let i = 0; i < 50; i++)
      answers.add((await request.agent(app.url).get('/flag/rollout-half')).body.enabled);
    expect([...answers].sort()).toEqual([false, true]);
  });

  it('takes the context at the first read: auth that runs after the adapter decides who gets a flag', async () => {
    const client = await ready(createFlags({ source: memorySource(aliceDefinitions()), logger: false }));
    const app = await started(client, {});
    const as = (path: string, user?: string) => {
      const call = request(app.url).get(path);
      return user === undefined ? call : call.set(H.authUser, user);
    };
    expect((await as('/flag/alice-only', 'alice')).body.enabled).toBe(true);
    expect((await as('/flag/alice-only', 'bob')).body.enabled).toBe(false);
    expect((await as('/flag/alice-only')).body.enabled).toBe(false);
    // The guard and the template see the same user.
    expect((await as('/guarded', 'alice')).text).toBe('beta ok');
    expect((await as('/guarded', 'bob')).status).toBe(404);
    expect((await as('/page', 'alice')).text).toContain('pricing:new');
    expect((await as('/page', 'bob')).text).toContain('pricing:old');
  });

  it('with an async context hook and allow(), a guard awaits them after the auth that follows the adapter', async () => {
    const client = await ready(
      createFlags({
        source: memorySource(aliceDefinitions()),
        logger: false,
        overrides: {
          secret: SECRET,
          allow: async (req: AuthenticatedRequest) => {
            await new Promise((resolve) => setImmediate(resolve));
            return userOf(req) === 'alice';
          },
        },
      }),
    );
    const app = await started(client, {
      context: async (req: AuthenticatedRequest) => {
        await new Promise((resolve) => setImmediate(resolve));
        return { properties: { plan: userOf(req) === 'alice' ? 'pro' : 'free' } };
      },
    });
    const as = (path: string, user?: string) => {
      const call = request(app.url).get(path);
      return user === undefined ? call : call.set(H.authUser, user);
    };
    expect((await as('/guarded', 'alice')).text).toBe('beta ok');
    expect((await as('/guarded', 'bob')).status).toBe(404);
    // allow() saw alice (set by the auth after the adapter): her override applies at the guard, and sets its cookie.
    const forced = await as('/guarded?flagwise=beta-page:off', 'alice');
    expect(forced.status).toBe(404);
    expect(String(forced.headers['set-cookie'])).toMatch(/flagwise_overrides=/);
    const refused = await as('/guarded?flagwise=beta-page:off', 'bob');
    expect(refused.headers['set-cookie']).toBeUndefined();
  });

  it('sends the visitor id cookie with the response even when the first read comes after the headers', async () => {
    const client = await ready(createFlags({ source: memorySource(definitions()), logger: false }));
    const app = await started(client, { visitorId: true });
    for (let i = 0; i < 8; i++) {
      const res = await request(app.url).get('/late/rollout-half');
      const cookie = String(res.headers['set-cookie']);
      const id = /flagwise_visitor=([\w-]+)/.exec(cookie)?.[1];
      expect(id, cookie).toBeDefined();
      // The late read used the id the cookie carries: the browser's next request gets the same answer.
      expect(res.text).toBe(`late:${client.isEnabled('rollout-half', { sessionId: id })}`);
    }
  });

  it('says a variant split followed the client IP, and warns about a proxy it does not trust', async () => {
    const { logger, lines } = recordingLogger();
    const client = await ready(createFlags({ source: memorySource(definitions()), logger }));
    const app = await started(client, {});
    const hints = hintsOf(row);
    const { body } = await request(app.url).get('/explain/split');
    expect(body.detail).toMatch(/the variant followed the client IP \(remoteAddress [\d.:a-f]+\)/);
    expect(body.detail).not.toMatch(/at random/);
    expect(body.detail).toContain(hints.visitorId);
    await waitFor(
      () => lines.some((l) => /picked its variant by the client IP/.test(l.message)),
      'the IP line',
    );
    const ipLine = lines.find((l) => /picked its variant by the client IP/.test(l.message))!;
    expect(ipLine.message).toContain(hints.visitorId);
    expect(lines.some((l) => /answered at random/.test(l.message))).toBe(false);

    // Every anonymous request from one loopback address with X-Forwarded-For: a proxy the app does not trust.
    const proxied = () => lines.filter((l) => /X-Forwarded-For/.test(l.message));
    for (let i = 0; i < 25; i++)
      await request(app.url).get('/flag/split').set('x-forwarded-for', `203.0.113.${i}`);
    await waitFor(() => proxied().length > 0, 'the proxy warning');
    expect(proxied()).toHaveLength(1);
    expect(proxied()[0].level).toBe('warn');
    expect(proxied()[0].message).toMatch(hints.trustProxy);
  });

  it('awaits an async context hook and an async allow(); a rejection is logged and the request goes on', async () => {
    const { logger, lines } = recordingLogger();
    const client = await ready(
      createFlags({
        source: memorySource(definitions()),
        logger,
        overrides: {
          secret: SECRET,
          allow: async (req: { headers: Record<string, string | undefined> }) => {
            await new Promise((resolve) => setTimeout(resolve, 5));
            if (req.headers[H.qa] === 'broken') throw new Error('the QA list is unreachable');
            return req.headers[H.qa] === 'yes';
          },
        },
      }),
    );
    const app = await started(client, {
      context: async (req: { headers: Record<string, string | undefined> }) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (req.headers['x-broken']) throw new Error('the plan service is down');
        return { properties: { plan: req.headers[H.plan] } };
      },
    });
    const get = (path: string, headers: Record<string, string>) => {
      const call = request(app.url).get(path);
      for (const [key, value] of Object.entries(headers)) call.set(key, value);
      return call;
    };
    expect((await get('/flag/pro-only', { [H.plan]: 'pro' })).body.enabled).toBe(true);
    const broken = await get('/flag/pro-only', { [H.plan]: 'pro', 'x-broken': 'yes' });
    expect(broken.status).toBe(200);
    expect(broken.body.enabled).toBe(false);
    expect(lines.some((l) => l.level === 'error' && /context hook threw or rejected/.test(l.message))).toBe(
      true,
    );

    expect((await get('/flag/always-off?flagwise=always-off:on', { [H.qa]: 'yes' })).body.enabled).toBe(true);
    // A cookie due on a request whose first read comes after the headers still goes out with them.
    const late = await get('/late/always-off?flagwise=always-off:on', { [H.qa]: 'yes' });
    expect(late.text).toBe('late:true');
    expect(String(late.headers['set-cookie'])).toMatch(/flagwise_overrides=/);
    const refused = await get('/flag/always-off?flagwise=always-off:on', { [H.qa]: 'broken' });
    expect(refused.status).toBe(200);
    expect(refused.body.enabled).toBe(false);
    expect(lines.some((l) => l.level === 'warn' && /allow\(\) threw or rejected/.test(l.message))).toBe(true);
  });
});
