// The OFREP endpoint, called as an adapter calls it (the request's flags built exactly as req.flags): bulk and
// single evaluation of the browser-visible flags, the ETag, what the SDK may add to the context, and each error.
// The OpenFeature web SDK against every framework is in test/conformance/ofrep and test/browser.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { endpointCaller, jsonOf, type TestRequest } from '../../../../test/support/endpoints.js';
import { hangingSource, temporaryDirectory } from '../../../../test/support/sources.js';
import { waitFor } from '../../../../test/support/waiting.js';
import {
  ConfigurationError,
  createFlags,
  type FlagsClient,
  fileSource,
  memorySource,
  type OfrepEndpointOptions,
  ofrepEndpoint,
} from '../../src/index.js';

const BULK = '/ofrep/v1/evaluate/flags';
const clients: FlagsClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function setup(options?: OfrepEndpointOptions<TestRequest>) {
  const client = createFlags<TestRequest>({
    source: memorySource({
      flags: {
        'dark-mode': { enabled: true, browser: true },
        beta: { users: ['ada'], browser: true },
        'pro-only': { when: { plan: 'pro' }, browser: true },
        'by-locale': { when: { locale: 'de' }, browser: true },
        copy: {
          browser: true,
          variants: { short: { weight: 100, payload: { type: 'string', value: 'Buy' } } },
        },
        'server-secret': { enabled: true },
      },
    }),
    logger: false,
  });
  clients.push(client);
  await client.ready();
  return { client, call: endpointCaller(client, ofrepEndpoint<TestRequest>(options)) };
}

const evaluate = (
  context: unknown = {},
  extra: { path?: string; headers?: Record<string, string> } = {},
) => ({
  method: 'POST',
  path: extra.path ?? BULK,
  headers: extra.headers ?? {},
  body: JSON.stringify({ context }),
});

const byKey = (answer: { flags: { key: string }[] }) =>
  Object.fromEntries(answer.flags.map((flag) => [flag.key, flag])) as Record<string, any>;

describe('ofrepEndpoint: bulk evaluation', () => {
  it('answers every browser-visible flag for the request’s own user, and no other flag', async () => {
    const { call } = await setup();
    const ada = byKey(jsonOf(await call({ user: { id: 'ada' }, plan: 'pro' }, evaluate())));
    expect(Object.keys(ada).sort()).toEqual(['beta', 'by-locale', 'copy', 'dark-mode', 'pro-only']);
    expect(ada.beta).toEqual({
      key: 'beta',
      value: true,
      reason: 'TARGETING_MATCH',
      metadata: { reason: 'strategy-matched', enabled: true },
    });
    expect(ada['pro-only'].value).toBe(true);
    expect(ada.copy).toMatchObject({ value: 'Buy', variant: 'short' });
    const bob = byKey(jsonOf(await call({ user: { id: 'bob' } }, evaluate())));
    expect(bob.beta).toMatchObject({ value: false, reason: 'DEFAULT' });
    expect(bob['pro-only'].value).toBe(false);
  });

  it('ignores what the SDK claims about the user, and takes only the fields the app trusts', async () => {
    const plain = await setup();
    const claimed = byKey(jsonOf(await plain.call({}, evaluate({ targetingKey: 'ada', locale: 'de' }))));
    expect(claimed.beta.value).toBe(false);
    expect(claimed['by-locale'].value).toBe(false);
    const trusting = await setup({ trustClientContext: ['properties.locale'] });
    const trusted = byKey(jsonOf(await trusting.call({}, evaluate({ targetingKey: 'ada', locale: 'de' }))));
    expect(trusted['by-locale'].value).toBe(true);
    expect(trusted.beta.value).toBe(false);
  });

  it('gives an ETag and answers 304 while nothing changed', async () => {
    const { call } = await setup();
    const first = await call({ user: { id: 'ada' } }, evaluate());
    const etag = String(first?.headers?.etag);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await call({ user: { id: 'ada' } }, evaluate({}, { headers: { 'if-none-match': etag } }));
    expect(again?.status).toBe(304);
    expect(again?.body).toBeUndefined();
    const bob = await call({ user: { id: 'bob' } }, evaluate({}, { headers: { 'if-none-match': etag } }));
    expect(bob?.status).toBe(200);
  });
});

describe('ofrepEndpoint: one flag', () => {
  it('answers one browser-visible flag, and a flag the browser may not see as not found', async () => {
    const { call } = await setup();
    expect(jsonOf(await call({ user: { id: 'ada' } }, evaluate({}, { path: `${BULK}/beta` })))).toMatchObject(
      {
        key: 'beta',
        value: true,
      },
    );
    for (const key of ['server-secret', 'nope']) {
      expect(jsonOf(await call({}, evaluate({}, { path: `${BULK}/${key}` })), 404)).toEqual({
        key,
        errorCode: 'FLAG_NOT_FOUND',
        errorDetails: `no browser-visible flag named "${key}"`,
      });
    }
  });

  it('decodes the key, and leaves paths that are not a key to the app', async () => {
    const { call } = await setup();
    expect(jsonOf(await call({}, evaluate({}, { path: `${BULK}/dark%2Dmode` }))).key).toBe('dark-mode');
    expect(await call({}, evaluate({}, { path: `${BULK}/a/b` }))).toBeUndefined();
    expect(await call({}, evaluate({}, { path: '/ofrep/v1/other' }))).toBeUndefined();
  });
});

describe('ofrepEndpoint: errors', () => {
  it('answers 405 to methods other than POST, 400 to a body that is not JSON or a context that is not an object', async () => {
    const { call } = await setup();
    const get = await call({}, { path: BULK });
    expect(get?.status).toBe(405);
    expect(get?.headers?.allow).toBe('POST');
    expect(jsonOf(await call({}, { method: 'POST', path: BULK, body: '{nope' }), 400).errorCode).toBe(
      'PARSE_ERROR',
    );
    expect(
      jsonOf(await call({}, { method: 'POST', path: `${BULK}/beta`, body: '{"context":[1]}' }), 400),
    ).toMatchObject({ key: 'beta', errorCode: 'INVALID_CONTEXT' });
  });

  it('answers 503 until the flags have loaded', async () => {
    const client = createFlags<TestRequest>({ source: hangingSource(), logger: false });
    clients.push(client);
    const response = await endpointCaller(client, ofrepEndpoint<TestRequest>())({}, evaluate());
    expect(response?.status).toBe(503);
    expect(response?.headers?.['retry-after']).toBe('1');
  });

  it('answers 503 while a flags file invalid at start is broken, and the flags once it is fixed', async () => {
    const { dir, remove } = await temporaryDirectory();
    const path = join(dir, 'flags.yaml');
    await writeFile(path, 'flags:\n  dark-mode: maybe\n');
    const client = createFlags<TestRequest>({ source: fileSource(path, { debounceMs: 20 }), logger: false });
    clients.push(client);
    try {
      await client.ready().catch(() => undefined);
      const call = endpointCaller(client, ofrepEndpoint<TestRequest>());
      expect((await call({}, evaluate()))?.status).toBe(503);
      await writeFile(path, 'flags:\n  dark-mode: { enabled: true, browser: true }\n');
      await waitFor(() => client.isReady, 'the fixed file loaded', 3000);
      expect(byKey(jsonOf(await call({}, evaluate())))['dark-mode'].value).toBe(true);
    } finally {
      await remove();
    }
  });

  it('refuses unknown options at startup, naming the nearest', () => {
    expect(() => ofrepEndpoint({ trustClientContex: [] } as never)).toThrow(ConfigurationError);
    expect(() => ofrepEndpoint({ trustClientContex: [] } as never)).toThrow(/trustClientContext/);
    expect(() => ofrepEndpoint([] as never)).toThrow(/options must be an object/);
  });
});
