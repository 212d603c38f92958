// One scenario table, every adapter: the same behaviours asserted over HTTP against a real listening app of
// each framework. Rows live in ./rows/*.ts (one file per adapter, each exporting `rows: AdapterRow[]`).
import { type ClientFeaturesPayload, createFlags, type FlagsClient, memorySource } from '@flagwise/core';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { messagesAt, recordingLogger } from '../support/logging.js';
import type { RunningApp } from './contract.js';
import { CONTEXT_HEADERS as H } from './contract.js';
import { rows } from './rows.js';

const SECRET = 'conformance-secret-0123456789abcdef0123456789';
const USERS = Array.from({ length: 40 }, (_, i) => `user-${i}`);

function strategy(name: string, parameters: Record<string, string> = {}, extra: object = {}) {
  return { name, parameters, constraints: [], ...extra };
}

function definitions(on: Record<string, boolean>): ClientFeaturesPayload {
  const flag = (name: string, enabled: boolean, rest: object = {}) => ({
    name,
    enabled,
    strategies: [strategy('default')],
    variants: [],
    ...rest,
  });
  return {
    version: 2,
    features: [
      flag('always-on', true),
      flag('always-off', false),
      flag('rollout-half', true, {
        strategies: [
          strategy('flexibleRollout', { rollout: '50', stickiness: 'default', groupId: 'rollout-half' }),
        ],
      }),
      flag('pro-only', true, {
        strategies: [
          strategy(
            'default',
            {},
            { constraints: [{ contextName: 'plan', operator: 'IN', values: ['pro'] }] },
          ),
        ],
      }),
      flag('experiment', true, {
        variants: [
          {
            name: 'a',
            weight: 500,
            weightType: 'variable',
            stickiness: 'default',
            payload: { type: 'json', value: '{"color":"blue"}' },
          },
          { name: 'b', weight: 500, weightType: 'variable', stickiness: 'default' },
        ],
      }),
      flag('beta-page', on['beta-page'] ?? true),
      flag('checkout-open', on['checkout-open'] ?? true),
      flag('new-pricing', on['new-pricing'] ?? true, { browser: true }),
      flag('checkout-copy', true, {
        browser: true,
        variants: [{ name: 'short', weight: 1000, weightType: 'variable', stickiness: 'default' }],
      }),
    ],
  };
}

describe.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
  const source = memorySource(definitions({}));
  let client: FlagsClient;
  let app: RunningApp;
  let between: () => Promise<void> = async () => {};
  const log = recordingLogger();

  beforeAll(async () => {
    client = createFlags({
      source,
      logger: log.logger,
      overrides: { secret: SECRET, allow: (req: any) => req.headers?.[H.qa] === 'yes' },
    });
    await client.ready({ timeoutMs: 5000 });
    app = await row.start(client, { between: () => between() });
  });
  afterAll(async () => {
    await app?.close();
    await client?.close();
  });
  beforeEach(() => {
    source.replace(definitions({}));
    between = async () => {};
  });

  const get = (path: string, headers: Record<string, string> = {}) => {
    const call = request(app.url).get(path);
    for (const [key, value] of Object.entries(headers)) call.set(key, value);
    return call;
  };

  it('reads a flag that is on and one that is off', async () => {
    expect((await get('/flag/always-on')).body.enabled).toBe(true);
    expect((await get('/flag/always-off')).body.enabled).toBe(false);
  });

  it('reads flags as camelCase properties, unknown names as false', async () => {
    expect((await get('/prop/alwaysOn')).body.value).toBe(true);
    expect((await get('/prop/alwaysOff')).body.value).toBe(false);
    expect((await get('/prop/noSuchFlag')).body.value).toBe(false);
  });

  it('rolls out by the user id taken from the request', async () => {
    const seen = new Set<boolean>();
    for (const userId of USERS) {
      const res = await get('/flag/rollout-half', { [H.userId]: userId });
      expect(res.body.enabled, userId).toBe(client.isEnabled('rollout-half', { userId }));
      seen.add(res.body.enabled);
    }
    expect([...seen].sort()).toEqual([false, true]);
  });

  it('matches a constraint on a context property', async () => {
    expect((await get('/flag/pro-only', { [H.plan]: 'pro' })).body.enabled).toBe(true);
    expect((await get('/flag/pro-only', { [H.plan]: 'basic' })).body.enabled).toBe(false);
    expect((await get('/flag/pro-only')).body.enabled).toBe(false);
  });

  it('gives each user their sticky variant with its payload', async () => {
    const names = new Set<string>();
    for (const userId of USERS) {
      const res = await get('/flag/experiment', { [H.userId]: userId });
      expect(res.body.variant, userId).toEqual(
        JSON.parse(JSON.stringify(client.getVariant('experiment', { userId }))),
      );
      names.add(res.body.variant.name);
    }
    expect([...names].sort()).toEqual(['a', 'b']);
  });

  it('guards a route: the normal 404 when off, the handler when on', async () => {
    const unknownRoute = await get('/no-such-route');
    expect((await get('/guarded')).text).toBe('beta ok');
    source.replace(definitions({ 'beta-page': false }));
    const guarded = await get('/guarded');
    expect(guarded.status).toBe(404);
    expect(guarded.status).toBe(unknownRoute.status);
    expect(guarded.text.replace('/guarded', '/no-such-route')).toBe(unknownRoute.text);
  });

  it('answers with onDisabled (503 for maintenance) when the flag is off', async () => {
    expect((await get('/maintenance')).text).toBe('checkout ok');
    source.replace(definitions({ 'checkout-open': false }));
    const res = await get('/maintenance');
    expect(res.status).toBe(503);
    expect(res.text).toBe('down for maintenance');
  });

  it('guards a route by variant', async () => {
    const byVariant = { a: [] as string[], b: [] as string[] };
    for (const userId of USERS)
      byVariant[client.getVariant('experiment', { userId }).name as 'a' | 'b'].push(userId);
    expect((await get('/variant-b', { [H.userId]: byVariant.b[0] })).text).toBe('variant b ok');
    expect((await get('/variant-b', { [H.userId]: byVariant.a[0] })).status).toBe(404);
  });

  it('renders flags in a template, with only browser-visible flags in its JSON', async () => {
    const on = await get('/page');
    expect(on.status).toBe(200);
    expect(on.text).toContain('pricing:new');
    expect(on.text).toContain('copy:short');
    const json = JSON.parse(
      on.text
        .slice(on.text.indexOf('json:') + 5)
        .trim()
        .replace(/&#34;|&quot;/g, '"'),
    );
    expect(json).toEqual({
      'new-pricing': { enabled: true },
      'checkout-copy': { enabled: true, variant: 'short' },
    });
    source.replace(definitions({ 'new-pricing': false }));
    expect((await get('/page')).text).toContain('pricing:old');
  });

  it('honours a QA override only when allow() says yes, and only for what it names', async () => {
    const qa = { [H.qa]: 'yes' };
    const set = await get('/flag/always-off?flagwise=always-off:on', qa);
    expect(set.body.enabled).toBe(true);
    const setCookie = ([] as string[]).concat(set.headers['set-cookie'] ?? []);
    const cookie = setCookie.find((c) => c.startsWith('flagwise_overrides='))?.split(';')[0];
    expect(cookie).toBeDefined();

    expect((await get('/flag/always-off', { ...qa, cookie: cookie! })).body.enabled).toBe(true);
    expect((await get('/flag/always-on', { ...qa, cookie: cookie! })).body.enabled).toBe(true);
    expect((await get('/flag/pro-only', { ...qa, cookie: cookie! })).body.enabled).toBe(false);
    // The same cookie from someone allow() refuses changes nothing.
    expect((await get('/flag/always-off', { cookie: cookie! })).body.enabled).toBe(false);
    // A tampered value changes nothing, even for an allowed request.
    const tampered = cookie!.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'));
    expect((await get('/flag/always-off', { ...qa, cookie: tampered })).body.enabled).toBe(false);
    // Without allow() the query parameter neither applies nor sets a cookie.
    const refused = await get('/flag/always-off?flagwise=always-off:on');
    expect(refused.body.enabled).toBe(false);
    expect(refused.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a QA override naming no flag, or a variant the flag lacks: no cookie change, a header and one log line say why', async () => {
    const qa = { [H.qa]: 'yes' };
    for (let i = 0; i < 2; i++) {
      const typo = await get('/flag/new-pricing?flagwise=new-pricng:off', qa);
      expect(typo.body.enabled).toBe(true);
      expect(typo.headers['set-cookie']).toBeUndefined();
      expect(typo.headers['flagwise-override-refused']).toBe(
        'new-pricng:off (no flag "new-pricng" (did you mean "new-pricing"?))',
      );
    }
    const variant = await get('/flag/checkout-copy?flagwise=checkout-copy:shorr', qa);
    expect(variant.body.variant.name).toBe('short');
    expect(variant.headers['set-cookie']).toBeUndefined();
    expect(variant.headers['flagwise-override-refused']).toBe(
      'checkout-copy:shorr (flag "checkout-copy" has no variant "shorr" (did you mean "short"?); its variants: short)',
    );
    // What is right in the same query is taken; only that goes into the cookie.
    const mixed = await get('/flag/always-off?flagwise=always-off:on,experiment:onn', qa);
    expect(mixed.body.enabled).toBe(true);
    expect(mixed.headers['flagwise-override-refused']).toMatch(
      /^experiment:onn \(flag "experiment" has no variant "onn" \(did you mean "on"\?\)/,
    );
    const cookie = ([] as string[])
      .concat(mixed.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('flagwise_overrides='))
      ?.split(';')[0];
    expect(cookie).toBeDefined();
    const next = await get('/flag/experiment', { ...qa, cookie: cookie!, [H.userId]: 'user-1' });
    expect(next.body.variant).toEqual(
      JSON.parse(JSON.stringify(client.getVariant('experiment', { userId: 'user-1' }))),
    );
    expect(next.headers['flagwise-override-refused']).toBeUndefined();
    // Said once per entry in the log, with the nearest name.
    const refusals = messagesAt(log.lines, 'warn').filter((line) => line.includes('changed nothing'));
    expect(refusals).toEqual([
      'flagwise: ?flagwise=new-pricng:off changed nothing: no flag "new-pricng" (did you mean "new-pricing"?)',
      expect.stringContaining('flagwise: ?flagwise=checkout-copy:shorr changed nothing'),
      expect.stringContaining('flagwise: ?flagwise=experiment:onn changed nothing'),
    ]);
  });

  it('shows a changed flag on the next request, but never mid-request', async () => {
    expect((await get('/flag/always-off')).body.enabled).toBe(false);
    source.replace({
      ...definitions({}),
      features: definitions({}).features.map((f) => (f.name === 'always-off' ? { ...f, enabled: true } : f)),
    });
    expect((await get('/flag/always-off')).body.enabled).toBe(true);

    between = async () => source.replace(definitions({ 'beta-page': false }));
    const twice = await get('/twice/beta-page?wait=1');
    expect(twice.body).toEqual({ first: true, second: true });
    expect((await get('/flag/beta-page')).body.enabled).toBe(false);
  });
});

it('has rows for the adapters that exist', () => {
  expect(rows.length).toBeGreaterThan(0);
});
