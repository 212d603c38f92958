// The Unleash Frontend API endpoint, called as an adapter calls it: a request whose `flags` are built by
// requestFlags(client, ...), exactly as `req.flags` is. The real unleash-proxy-client against every framework is in
// test/conformance/frontend-api.
import { describe, expect, it } from 'vitest';
import { endpointCaller, type TestRequest } from '../../../../test/support/endpoints.js';
import { neverLoadingSource } from '../../../../test/support/sources.js';
import { type EndpointResponse, requestFlags } from '../../src/adapter/index.js';
import {
  ConfigurationError,
  createFlags,
  type FlagSource,
  type FrontendApiOptions,
  type FrontendApiToggle,
  frontendApiEndpoint,
  memorySource,
} from '../../src/index.js';

type FakeRequest = TestRequest;

const SECRET = 'a-secret-for-the-frontend-api-tests-0123456789';

function definitions() {
  return {
    flags: {
      'dark-mode': { enabled: true, browser: true },
      'beta-banner': { users: ['alice'], browser: true },
      'pro-only': { when: { plan: 'pro' }, browser: true },
      'theme-test': { when: { theme: 'dark' }, browser: true },
      'server-secret': { enabled: true },
      'checkout-copy': {
        browser: true,
        variants: { short: { weight: 50, payload: { type: 'string', value: 'Buy' } }, long: 50 },
      },
      'web.search': { enabled: true },
      'off-flag': { enabled: false, browser: true },
    },
  };
}

async function setup(options?: FrontendApiOptions<FakeRequest>, source?: FlagSource) {
  const client = createFlags<FakeRequest>({
    source: source ?? memorySource(definitions()),
    overrides: { secret: SECRET, allow: (req) => req.qa === true },
  });
  await client.ready();
  return { client, call: endpointCaller(client, frontendApiEndpoint<FakeRequest>(options)) };
}

function toggles(response: EndpointResponse | undefined): Record<string, FrontendApiToggle> {
  expect(response?.status).toBe(200);
  const body = JSON.parse(String(response?.body)) as { toggles: FrontendApiToggle[] };
  return Object.fromEntries(body.toggles.map((toggle) => [toggle.name, toggle]));
}

describe('frontendApiEndpoint: what is answered', () => {
  it("lists the browser flags that are on for the request's user, with variants, and nothing else", async () => {
    const { client, call } = await setup();
    const alice = toggles(await call({ user: { id: 'alice' } }));
    expect(Object.keys(alice).sort()).toEqual(['beta-banner', 'checkout-copy', 'dark-mode']);
    expect(alice['dark-mode']).toEqual({
      name: 'dark-mode',
      enabled: true,
      variant: { name: 'disabled', enabled: false, feature_enabled: true },
      impressionData: false,
    });
    const expected = client.getVariant('checkout-copy', { userId: 'alice' });
    expect(alice['checkout-copy'].variant.name).toBe(expected.name);
    expect(alice['checkout-copy'].variant.enabled).toBe(true);
    const bob = toggles(await call({ user: { id: 'bob' } }));
    expect(bob['beta-banner']).toBeUndefined();
    expect(toggles(await call({ user: { id: 'bob' }, plan: 'pro' }))['pro-only']?.enabled).toBe(true);
    await client.close();
  });

  it('agrees with req.flags on every browser flag for 200 users', async () => {
    const { client, call } = await setup();
    for (let i = 0; i < 200; i++) {
      const request = { user: { id: `user-${i}` } };
      const answered = toggles(await call(request));
      const reqFlags = (await requestFlags(client, request, { user: request.user })).flags;
      for (const name of ['dark-mode', 'beta-banner', 'pro-only', 'checkout-copy', 'off-flag']) {
        expect(answered[name]?.enabled ?? false).toBe(reqFlags.isEnabled(name));
        if (answered[name]) expect(answered[name].variant.name).toBe(reqFlags.variant(name).name);
      }
    }
    await client.close();
  });

  it('shows what expose adds: a list, a prefix, a function', async () => {
    for (const expose of [
      ['web.search'],
      { prefix: 'web.' },
      (f: { name: string }) => f.name === 'web.search',
    ]) {
      const { client, call } = await setup({ expose } as FrontendApiOptions<FakeRequest>);
      const answered = toggles(await call({}));
      expect(answered['web.search']?.enabled).toBe(true);
      expect(answered['server-secret']).toBeUndefined();
      await client.close();
    }
  });

  it('applies the QA overrides of that browser, only when allow() says so', async () => {
    const { client, call } = await setup();
    const cookie = `flagwise_overrides=${client.signOverrides({ flags: { 'off-flag': true, 'dark-mode': false } })}`;
    const qa = toggles(await call({ qa: true }, { headers: { cookie } }));
    expect(qa['off-flag']?.enabled).toBe(true);
    expect(qa['dark-mode']).toBeUndefined();
    const visitor = toggles(await call({ qa: false }, { headers: { cookie } }));
    expect(visitor['off-flag']).toBeUndefined();
    expect(visitor['dark-mode']?.enabled).toBe(true);
    await client.close();
  });

  it('answers 304 to If-None-Match when nothing changed, 200 with a new ETag after a change', async () => {
    const source = memorySource(definitions());
    const { client, call } = await setup(undefined, source);
    const first = await call({ user: { id: 'bob' } });
    const etag = String(first?.headers?.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await call({ user: { id: 'bob' } }, { headers: { 'if-none-match': etag } });
    expect(again?.status).toBe(304);
    expect(again?.body).toBeUndefined();
    expect((await call({ user: { id: 'bob' } }, { headers: { 'if-none-match': `W/${etag}` } }))?.status).toBe(
      304,
    );
    // Another user's answer differs, so the same tag does not match it.
    expect((await call({ user: { id: 'alice' } }, { headers: { 'if-none-match': etag } }))?.status).toBe(200);
    source.set('server-secret', { enabled: true, browser: true });
    const changed = await call({ user: { id: 'bob' } }, { headers: { 'if-none-match': etag } });
    expect(changed?.status).toBe(200);
    expect(changed?.headers?.etag).not.toBe(etag);
    expect(toggles(changed)['server-secret']?.enabled).toBe(true);
    await client.close();
  });

  it('answers 503 until the flags have loaded', async () => {
    const client = createFlags({ source: neverLoadingSource() });
    const response = await frontendApiEndpoint().handle({
      method: 'GET',
      path: '/',
      query: new URLSearchParams(),
      headers: {},
      readBody: async () => undefined,
      secure: false,
      request: {},
      flags: client.forContext({}),
      client,
    });
    expect(response?.status).toBe(503);
    await client.close();
  });
});

describe('frontendApiEndpoint: the context is the request', () => {
  it('ignores a userId and properties the browser claims, on GET and POST', async () => {
    const { client, call } = await setup();
    const claimed = toggles(
      await call({}, { query: 'userId=alice&properties[plan]=pro&plan=pro&sessionId=1' }),
    );
    expect(claimed['beta-banner']).toBeUndefined();
    expect(claimed['pro-only']).toBeUndefined();
    const posted = toggles(
      await call({}, { method: 'POST', body: { context: { userId: 'alice', properties: { plan: 'pro' } } } }),
    );
    expect(posted['beta-banner']).toBeUndefined();
    expect(posted['pro-only']).toBeUndefined();
    await client.close();
  });

  it('takes the fields trustClientContext lists, and userId only when listed', async () => {
    const { client, call } = await setup({ trustClientContext: ['properties.theme'] });
    const answered = toggles(
      await call({ user: { id: 'bob' } }, { query: 'properties[theme]=dark&userId=alice' }),
    );
    expect(answered['theme-test']?.enabled).toBe(true);
    expect(answered['beta-banner']).toBeUndefined();
    // Top-level fields Unleash does not know are properties, as Unleash reads them.
    expect(toggles(await call({}, { query: 'theme=dark' }))['theme-test']?.enabled).toBe(true);
    const posted = toggles(
      await call(
        {},
        { method: 'POST', body: JSON.stringify({ context: { properties: { theme: 'dark' } } }) },
      ),
    );
    expect(posted['theme-test']?.enabled).toBe(true);
    await client.close();
    const trusting = await setup({ trustClientContext: ['userId'] });
    expect(toggles(await trusting.call({}, { query: 'userId=alice' }))['beta-banner']?.enabled).toBe(true);
    // Trusted fields only fill in: the signed-in user stays who they are.
    expect(
      toggles(await trusting.call({ user: { id: 'bob' } }, { query: 'userId=alice' }))['beta-banner'],
    ).toBeUndefined();
    await trusting.client.close();
  });

  it('asks a trust function per field, with the request; a throwing one trusts nothing', async () => {
    const asked: string[] = [];
    const { client, call } = await setup({
      trustClientContext: (field, _value, request) => {
        asked.push(field);
        return field === 'properties.theme' && request.user?.id === 'bob';
      },
    });
    expect(
      toggles(await call({ user: { id: 'bob' } }, { query: 'properties[theme]=dark&userId=x' }))[
        'theme-test'
      ],
    ).toBeDefined();
    expect(asked).toEqual(['properties.theme', 'userId']);
    expect(
      toggles(await call({ user: { id: 'carol' } }, { query: 'properties[theme]=dark' }))['theme-test'],
    ).toBeUndefined();
    await client.close();
    const throwing = await setup({
      trustClientContext: () => {
        throw new Error('boom');
      },
    });
    expect(
      toggles(await throwing.call({}, { query: 'properties[theme]=dark' }))['theme-test'],
    ).toBeUndefined();
    await throwing.client.close();
  });

  it('keeps the QA overrides when trusted browser fields change the context', async () => {
    const { client, call } = await setup({ trustClientContext: ['properties.theme'] });
    const cookie = `flagwise_overrides=${client.signOverrides({ flags: { 'off-flag': true } })}`;
    const answered = toggles(
      await call({ qa: true }, { query: 'properties[theme]=dark', headers: { cookie } }),
    );
    expect(answered['theme-test']?.enabled).toBe(true);
    expect(answered['off-flag']?.enabled).toBe(true);
    await client.close();
  });

  it('answers 400 to a POST body that is not a context', async () => {
    const { client, call } = await setup();
    expect((await call({}, { method: 'POST', body: '{not json' }))?.status).toBe(400);
    expect((await call({}, { method: 'POST', body: { context: 'alice' } }))?.status).toBe(400);
    expect((await call({}, { method: 'POST', body: '' }))?.status).toBe(200);
    await client.close();
  });
});

describe('frontendApiEndpoint: keys, CORS, metrics, routes', () => {
  it('checks the Authorization header against clientKeys on every route', async () => {
    const { client, call } = await setup({ clientKeys: ['web-key'] });
    expect((await call({}))?.status).toBe(401);
    expect((await call({}, { headers: { authorization: 'other' } }))?.status).toBe(401);
    expect((await call({}, { headers: { authorization: 'web-key' } }))?.status).toBe(200);
    expect((await call({}, { method: 'POST', path: '/client/metrics', body: {} }))?.status).toBe(401);
    expect(
      (
        await call(
          {},
          { method: 'POST', path: '/client/register', body: {}, headers: { authorization: 'web-key' } },
        )
      )?.status,
    ).toBe(200);
    await client.close();
  });

  it('leaves other paths and methods to the framework', async () => {
    const { client, call } = await setup();
    expect(await call({}, { path: '/nope' })).toBeUndefined();
    expect(await call({}, { method: 'DELETE' })).toBeUndefined();
    expect(await call({}, { path: '/client/metrics' })).toBeUndefined();
    expect(await call({}, { method: 'OPTIONS' })).toBeUndefined();
    await client.close();
  });

  it('answers preflights and adds CORS headers for the origins configured, none for others', async () => {
    const { client, call } = await setup({ cors: { origin: ['https://shop.example'], credentials: true } });
    const preflight = await call(
      {},
      {
        method: 'OPTIONS',
        headers: { origin: 'https://shop.example', 'access-control-request-method': 'GET' },
      },
    );
    expect(preflight?.status).toBe(204);
    expect(preflight?.headers).toMatchObject({
      'access-control-allow-origin': 'https://shop.example',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
    });
    expect(String(preflight?.headers?.['access-control-allow-headers'])).toContain('if-none-match');
    const answered = await call({}, { headers: { origin: 'https://shop.example' } });
    expect(answered?.headers?.['access-control-expose-headers']).toBe('ETag');
    const foreign = await call({}, { headers: { origin: 'https://evil.example' } });
    expect(foreign?.headers?.['access-control-allow-origin']).toBeUndefined();
    await client.close();
  });

  it('counts browser metrics of exposed flags into the source, bounded', async () => {
    const counted: string[] = [];
    const memory = memorySource(definitions());
    const source: FlagSource = Object.assign(memory, {
      recordEvaluation(flag: string, enabled: boolean, variant?: string) {
        counted.push(`${flag}:${enabled}:${variant ?? ''}`);
      },
    });
    const { client, call } = await setup(undefined, source);
    const response = await call(
      {},
      {
        method: 'POST',
        path: '/client/metrics',
        body: {
          appName: 'web',
          instanceId: 'browser',
          bucket: {
            start: new Date().toISOString(),
            stop: new Date().toISOString(),
            toggles: {
              'dark-mode': { yes: 3, no: 1, variants: {} },
              'checkout-copy': { yes: 2, no: 0, variants: { short: 2 } },
              'server-secret': { yes: 5, no: 0, variants: {} },
              unknown: { yes: 5, no: 0 },
              'beta-banner': { yes: 1e12, no: 0 },
            },
          },
        },
      },
    );
    expect(response?.status).toBe(200);
    const tally = (entry: string) => counted.filter((c) => c === entry).length;
    expect(tally('dark-mode:true:')).toBe(3);
    expect(tally('dark-mode:false:')).toBe(1);
    expect(tally('checkout-copy:true:short')).toBe(2);
    expect(tally('checkout-copy:true:')).toBe(0);
    expect(counted.some((c) => c.startsWith('server-secret') || c.startsWith('unknown'))).toBe(false);
    expect(tally('beta-banner:true:')).toBe(10_000);
    expect((await call({}, { method: 'POST', path: '/client/metrics', body: '[1]' }))?.status).toBe(400);
    await client.close();
  });
});

describe('frontendApiEndpoint: options', () => {
  it('refuses wrong options at startup with the fix', () => {
    expect(() => frontendApiEndpoint({ clientKey: ['x'] } as never)).toThrow(/did you mean "clientKeys"/);
    expect(() => frontendApiEndpoint({ clientKeys: [] })).toThrow(ConfigurationError);
    expect(() => frontendApiEndpoint({ trustClientContext: ['userid'] })).toThrow(/did you mean "userId"/);
    expect(() => frontendApiEndpoint({ expose: { tag: 'web' } } as never)).toThrow(/prefix/);
    expect(() => frontendApiEndpoint({ cors: { origin: '*', credentials: true } })).toThrow(
      /list the origins/,
    );
    expect(() => frontendApiEndpoint({ cors: { origins: '*' } } as never)).toThrow(/did you mean "origin"/);
  });
});
