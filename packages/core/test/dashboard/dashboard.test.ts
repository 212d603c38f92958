// The dashboard as an endpoint, called as an adapter calls it (the request's flags built exactly as req.flags):
// who may see it, the page and its state, forcing flags behind same-origin + token checks, the trace and the
// live stream. The same dashboard in every framework and in Chromium is tested in test/conformance and
// test/browser.
import { afterEach, describe, expect, it } from 'vitest';
import { endpointCaller, jsonOf, type TestRequest } from '../../../../test/support/endpoints.js';
import { messagesAt, recordingLogger } from '../../../../test/support/logging.js';
import { waitFor } from '../../../../test/support/waiting.js';
import {
  ConfigurationError,
  createDashboard,
  createFlags,
  type DashboardState,
  type EndpointResponse,
  type FlagsClient,
  type MemorySource,
  memorySource,
} from '../../src/index.js';

const SECRET = 'a-secret-for-the-dashboard-tests-0123456789';
const HOST = 'shop.test';

const clients: FlagsClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function setup(options: { overrides?: boolean; allow?: (request: TestRequest) => boolean } = {}) {
  const source = memorySource({
    flags: {
      'new-pricing': { enabled: true, description: 'the <b>new</b> price list' },
      beta: { users: ['ada'] },
      half: { rollout: 50 },
      'checkout-copy': { variants: { short: 50, long: 50 } },
    },
  });
  const { logger, lines } = recordingLogger();
  const client = createFlags<TestRequest>({
    source,
    logger,
    ...(options.overrides === false
      ? {}
      : { overrides: { secret: SECRET, allow: (request) => request.qa === true } }),
  });
  clients.push(client);
  await client.ready();
  const dashboard = createDashboard<TestRequest>({
    allow: options.allow ?? (() => true),
    title: 'shop',
    hosts: [HOST],
  });
  return { client, source, lines, call: endpointCaller(client, dashboard) };
}

const cookieOf = (response: EndpointResponse | undefined, name: string): string | undefined => {
  const header = response?.headers?.['set-cookie'];
  const all = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return all.map((cookie) => cookie.split(';')[0]).find((pair) => pair.startsWith(`${name}=`));
};

/** The browser cookie and the page's token, as the page gets them on its first visit. */
async function visit(call: Awaited<ReturnType<typeof setup>>['call'], request: TestRequest = {}) {
  const page = await call(request);
  const browser = cookieOf(page, 'flagwise_dashboard')!;
  const state = jsonOf<DashboardState>(
    await call(request, { path: '/api/state', headers: { cookie: browser } }),
  );
  return { browser, token: state.csrfToken };
}

describe('createDashboard: who sees it', () => {
  it('looks absent without allow, and when allow says no', async () => {
    const client = createFlags({ source: memorySource({ flags: { a: true } }), logger: false });
    clients.push(client);
    await client.ready();
    for (const dashboard of [createDashboard(), createDashboard({ allow: () => false })]) {
      const call = endpointCaller(client, dashboard);
      for (const path of ['/', '/api/state', '/api/trace', '/api/events'])
        expect(await call({}, { path })).toBeUndefined();
      expect(await call({}, { method: 'POST', path: '/api/overrides', body: '{}' })).toBeUndefined();
    }
  });

  it('looks absent when allow throws, and says so in the log', async () => {
    const { lines, call } = await setup({
      allow: () => {
        throw new Error('session store down');
      },
    });
    expect(await call({})).toBeUndefined();
    expect(messagesAt(lines, 'warn')).toContain(
      'flagwise: flagsDashboard({ allow }) threw; treating as not allowed',
    );
  });

  it('answers only its own routes', async () => {
    const { call } = await setup();
    expect(await call({}, { path: '/nope' })).toBeUndefined();
    expect(await call({}, { method: 'DELETE' })).toBeUndefined();
    expect(await call({}, { method: 'GET', path: '/api/overrides' })).toBeUndefined();
  });

  it('refuses unknown options and an allow that is not a function, at startup', () => {
    expect(() => createDashboard({ alow: () => true } as never)).toThrow(ConfigurationError);
    expect(() => createDashboard({ alow: () => true } as never)).toThrow(/"alow" \(did you mean "allow"\?\)/);
    expect(() => createDashboard({ allow: 'yes' } as never)).toThrow(/allow must be a function/);
  });
});

describe('createDashboard: the page', () => {
  it('serves one page whose style and script carry the nonce of its CSP, and sets the browser id once', async () => {
    const { call } = await setup();
    const page = await call({});
    expect(page?.status).toBe(200);
    expect(page?.headers?.['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(page?.headers?.['content-security-policy']);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(String(page?.body)).toContain(`<script nonce="${nonce}">`);
    expect(String(page?.body)).toContain(`<style nonce="${nonce}">`);
    expect(csp).toContain("default-src 'none'");
    expect(page?.headers?.['x-frame-options']).toBe('DENY');
    const browser = cookieOf(page, 'flagwise_dashboard');
    expect(browser).toMatch(/^flagwise_dashboard=[A-Za-z0-9_-]{22}$/);
    expect(String(page?.headers?.['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    const again = await call({}, { headers: { cookie: browser! } });
    expect(again?.headers?.['set-cookie']).toBeUndefined();
    // HEAD is answered as GET
    expect((await call({}, { method: 'HEAD' }))?.status).toBe(200);
  });

  it('shows names and descriptions as text: markup in a definition never becomes markup in the page', async () => {
    const { source, call } = await setup();
    source.set('scripted', { enabled: true, description: '</script><script>alert(1)</script>' });
    const body = String((await call({}))?.body);
    expect(body).not.toContain('</script><script>alert(1)');
    expect(body).toContain('\\u003c/script>\\u003cscript>alert(1)\\u003c/script>');
    expect(body).not.toContain('the <b>new</b> price list');
  });
});

describe('createDashboard: the state of the visitor’s own request', () => {
  it('shows every flag as this request reads it, with the reason', async () => {
    const { call } = await setup();
    const ada = jsonOf<DashboardState>(await call({ user: { id: 'ada' } }, { path: '/api/state' }));
    const bob = jsonOf<DashboardState>(await call({ user: { id: 'bob' } }, { path: '/api/state' }));
    const flag = (state: DashboardState, name: string) => state.flags.find((entry) => entry.name === name)!;
    expect(ada.flags.map((entry) => entry.name)).toEqual(['beta', 'checkout-copy', 'half', 'new-pricing']);
    expect(flag(ada, 'beta')).toMatchObject({ enabled: true, reason: 'strategy-matched' });
    expect(flag(bob, 'beta')).toMatchObject({ enabled: false, reason: 'no-strategy-matched' });
    expect(flag(ada, 'new-pricing').description).toBe('the <b>new</b> price list');
    expect(flag(ada, 'checkout-copy').variants.sort()).toEqual(['long', 'short']);
    expect(['short', 'long']).toContain(flag(ada, 'checkout-copy').variant);
    expect(ada.context.userId).toBe('ada');
    expect(ada).toMatchObject({ title: 'shop', overridesEnabled: true, overrideQuery: '' });
    expect(ada.source.status).toBe('ready');
  });

  it('says where a rollout answered at random for a request without user or session', async () => {
    const { call } = await setup();
    const anonymous = jsonOf<DashboardState>(await call({}, { path: '/api/state' }));
    expect(anonymous.flags.find((entry) => entry.name === 'half')?.random).toBe(
      'random: no user or session id',
    );
    const ada = jsonOf<DashboardState>(await call({ user: { id: 'ada' } }, { path: '/api/state' }));
    expect(ada.flags.find((entry) => entry.name === 'half')?.random).toBeUndefined();
  });

  it('says a variant split followed the client IP for a request without user or session, random without one', async () => {
    const { call } = await setup();
    const proxied = jsonOf<DashboardState>(await call({ ip: '10.1.2.3' }, { path: '/api/state' }));
    const copy = proxied.flags.find((entry) => entry.name === 'checkout-copy')!;
    expect(copy.random).toBe('by IP 10.1.2.3: no user or session id');
    expect(copy.detail).toMatch(/the variant followed the client IP \(remoteAddress 10\.1\.2\.3\)/);
    const noAddress = jsonOf<DashboardState>(await call({}, { path: '/api/state' }));
    expect(noAddress.flags.find((entry) => entry.name === 'checkout-copy')?.random).toBe(
      'random: no user or session id',
    );
    const ada = jsonOf<DashboardState>(
      await call({ user: { id: 'ada' }, ip: '10.1.2.3' }, { path: '/api/state' }),
    );
    expect(ada.flags.find((entry) => entry.name === 'checkout-copy')?.random).toBeUndefined();
  });

  it('traces one flag for this request: the strategy, its rule and the answer', async () => {
    const { call } = await setup();
    const trace = jsonOf(await call({ user: { id: 'ada' } }, { path: '/api/trace', query: 'flag=beta' }));
    expect(trace).toMatchObject({ found: true, flag: 'beta', enabled: true, reason: 'strategy-matched' });
    expect(trace.strategies).toHaveLength(1);
    expect(trace.strategies[0]).toMatchObject({ name: 'userWithId', ruleHeld: true, matched: true });
    const bob = jsonOf(await call({ user: { id: 'bob' } }, { path: '/api/trace', query: 'flag=beta' }));
    expect(bob.strategies[0]).toMatchObject({ ruleHeld: false, matched: false });
    expect(jsonOf(await call({}, { path: '/api/trace', query: 'flag=nope' }))).toEqual({
      flag: 'nope',
      found: false,
    });
  });
});

describe('createDashboard: forcing flags for this browser', () => {
  const post = (browser: string, token: string | undefined, body: unknown, origin = `http://${HOST}`) => ({
    method: 'POST',
    path: '/api/overrides',
    headers: {
      host: HOST,
      origin,
      'content-type': 'application/json',
      cookie: browser,
      ...(token === undefined ? {} : { 'x-flagwise-csrf': token }),
    },
    body: JSON.stringify(body),
  });

  it('forces a flag with the page’s token, and the signed cookie then drives every read', async () => {
    const { call } = await setup();
    const qa: TestRequest = { user: { id: 'bob' }, qa: true };
    const { browser, token } = await visit(call, qa);
    const forced = await call(qa, post(browser, token, { flag: 'beta', value: 'on' }));
    const overrides = cookieOf(forced, 'flagwise_overrides');
    expect(overrides).toBeDefined();
    const state = jsonOf<DashboardState>(forced);
    expect(state.flags.find((entry) => entry.name === 'beta')).toMatchObject({
      enabled: true,
      reason: 'override',
      override: 'on',
    });
    expect(state.overrideQuery).toBe('flagwise=beta:on');
    const later = jsonOf<DashboardState>(
      await call(qa, { path: '/api/state', headers: { cookie: `${browser}; ${overrides}` } }),
    );
    expect(later.flags.find((entry) => entry.name === 'beta')?.override).toBe('on');
    const variant = jsonOf<DashboardState>(
      await call(qa, post(browser, token, { flag: 'checkout-copy', value: 'long' })),
    );
    expect(variant.flags.find((entry) => entry.name === 'checkout-copy')).toMatchObject({ variant: 'long' });
  });

  it('refuses a request from another origin, without the token, or with another browser’s token', async () => {
    const { call } = await setup();
    const qa: TestRequest = { qa: true };
    const { browser, token } = await visit(call, qa);
    const other = await visit(call, qa);
    const refusals: [EndpointResponse | undefined, RegExp][] = [
      [
        await call(qa, post(browser, token, { flag: 'beta', value: 'on' }, 'http://evil.test')),
        /another origin/,
      ],
      [await call(qa, post(browser, undefined, { flag: 'beta', value: 'on' })), /without the page’s token/],
      [await call(qa, post(browser, other.token, { flag: 'beta', value: 'on' })), /a wrong token/],
    ];
    for (const [response, reason] of refusals) {
      expect(jsonOf(response, 403).error).toMatch(reason);
      expect(cookieOf(response, 'flagwise_overrides')).toBeUndefined();
    }
  });

  it('refuses what overrides.allow() refuses, a body it cannot read, and a variant the flag lacks', async () => {
    const { call } = await setup();
    const { browser, token } = await visit(call, {});
    expect(jsonOf(await call({}, post(browser, token, { flag: 'beta', value: 'on' })), 403).error).toMatch(
      /overrides.allow\(\) refuses this request/,
    );
    const qa: TestRequest = { qa: true };
    const own = await visit(call, qa);
    for (const body of [
      { flag: 'beta' },
      { flag: 'nope', value: 'on' },
      { flag: 'checkout-copy', value: 'tiny' },
    ])
      expect(jsonOf(await call(qa, post(own.browser, own.token, body)), 400).error).toMatch(
        /send \{ flag, value/,
      );
  });

  it('answers 409 when the client has no overrides to force with', async () => {
    const { call } = await setup({ overrides: false });
    const { browser, token } = await visit(call, {});
    expect(jsonOf(await call({}, post(browser, token, { flag: 'beta', value: 'on' })), 409).error).toMatch(
      /overrides are off/,
    );
  });
});

describe('createDashboard: the live stream', () => {
  it('answers HEAD with the stream headers and holds no stream open', async () => {
    const { call } = await setup();
    const response = await call({}, { path: '/api/events', method: 'HEAD' });
    expect(response?.status).toBe(200);
    expect(response?.headers?.['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(response?.stream).toBeUndefined();
  });

  it('sends the version, a new one on each change, and nothing once the page went away', async () => {
    const { source, call } = await setup();
    const response = await call({}, { path: '/api/events' });
    expect(response?.headers?.['content-type']).toBe('text/event-stream; charset=utf-8');
    const chunks: string[] = [];
    const controller = new AbortController();
    response?.stream?.(
      (chunk) => chunks.push(chunk),
      () => {},
      controller.signal,
    );
    const version = Number(/data: (\d+)/.exec(chunks[0])?.[1]);
    expect(chunks[0]).toMatch(/^retry: 1000\nevent: version\ndata: \d+\n\n$/);
    (source as MemorySource).set('new-flag', true);
    await waitFor(() => chunks.length > 1, 'a version after the change');
    expect(Number(/data: (\d+)/.exec(chunks.at(-1)!)?.[1])).toBeGreaterThan(version);
    controller.abort();
    const sent = chunks.length;
    source.set('another-flag', true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(chunks).toHaveLength(sent);
  });
});
