// OFREP's details on one real app (the Express 5 row of the endpoint table, where the app's context hook reads
// the user from `x-user-id` and the plan from `x-plan`), asked by OpenFeature's own OFREP provider and by hand for
// what the provider does not send (bulk evaluation, ETag, bad bodies); the table in ofrep.test.ts runs the
// shared scenarios on every row.
import type { IncomingMessage } from 'node:http';
import { createFlags, type Endpoint, type FlagsClient, memorySource, ofrepEndpoint } from '@flagwise/core';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { OpenFeature } from '@openfeature/server-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { neverLoadingSource } from '../../support/sources.js';
import type { RunningApp } from '../contract.js';
import { rows } from '../rows/express.js';

const express5 = rows.find((row) => row.name === 'express 5')!;

const FLAGS = {
  'new-nav': { browser: true, users: ['u1'] },
  'pro-banner': { browser: true, when: { plan: ['pro'] } },
  'locale-copy': { browser: true, when: { locale: ['nb'] } },
  'checkout-copy': { browser: true, variant: 'short' },
  'price-tier': { browser: true, variants: { tier: { payload: 3 } } },
  theme: { browser: true, variants: { dark: { payload: { color: 'black' } } } },
  'admin-tools': { users: ['u1'] },
  'secret-experiment': true,
};

interface Served {
  url: string;
  client: FlagsClient;
  source: ReturnType<typeof memorySource>;
}

const apps: RunningApp[] = [];
const clients: FlagsClient[] = [];

afterEach(async () => {
  await OpenFeature.close();
  for (const app of apps.splice(0)) await app.close();
  for (const client of clients.splice(0)) await client.close();
});

/** The app, with QA overrides allowed for `x-qa: 1`. */
async function serve(endpoint: Endpoint<any>): Promise<Served> {
  const source = memorySource({ flags: FLAGS });
  const client = createFlags<{ headers: Record<string, unknown> }>({
    source,
    overrides: { secret: 'a-test-secret-of-enough-length-1234', allow: (req) => req.headers['x-qa'] === '1' },
  });
  clients.push(client);
  await client.ready();
  const app = await express5.startWithEndpoint(client, endpoint, '/');
  apps.push(app);
  return { url: app.url, client, source };
}

/** A source whose first definitions never arrive. */

async function ofrepClient(url: string, headers: Record<string, string>, domain: string) {
  await OpenFeature.setProviderAndWait(domain, new OFREPProvider({ baseUrl: url, headers }));
  return OpenFeature.getClient(domain);
}

function bulk(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${url}/ofrep/v1/evaluate/flags`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('ofrepEndpoint with OpenFeature’s OFREP provider', () => {
  it("evaluates every type with the request's own user, and never a flag that is not browser-visible", async () => {
    const { url } = await serve(ofrepEndpoint());
    const u1 = await ofrepClient(url, { 'x-user-id': 'u1' }, 'u1');
    expect(await u1.getBooleanDetails('new-nav', false)).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
    });
    expect(await u1.getStringDetails('checkout-copy', 'none')).toMatchObject({
      value: 'short',
      variant: 'short',
    });
    expect(await u1.getNumberValue('price-tier', 0)).toBe(3);
    expect(await u1.getObjectValue('theme', {})).toEqual({ color: 'black' });
    // Defined and on for u1, but not browser-visible: absent.
    for (const hidden of ['admin-tools', 'secret-experiment', 'no-such-flag']) {
      expect(await u1.getBooleanDetails(hidden, false)).toMatchObject({
        value: false,
        reason: 'ERROR',
        errorCode: 'FLAG_NOT_FOUND',
      });
    }
    const u2 = await ofrepClient(url, { 'x-user-id': 'u2' }, 'u2');
    expect(await u2.getBooleanValue('new-nav', true)).toBe(false);
  });

  it('ignores the context the SDK sends unless the app trusts the field', async () => {
    const closed = await serve(ofrepEndpoint());
    const asU2 = await ofrepClient(closed.url, { 'x-user-id': 'u2' }, 'closed');
    expect(await asU2.getBooleanValue('new-nav', false, { targetingKey: 'u1' })).toBe(false);
    expect(await asU2.getBooleanValue('pro-banner', false, { plan: 'pro' })).toBe(false);
    expect(await asU2.getBooleanValue('locale-copy', false, { locale: 'nb' })).toBe(false);

    const open = await serve(ofrepEndpoint({ trustClientContext: ['properties.locale'] }));
    const listed = await ofrepClient(open.url, { 'x-user-id': 'u2' }, 'open');
    expect(await listed.getBooleanValue('locale-copy', false, { locale: 'nb' })).toBe(true);
    expect(await listed.getBooleanValue('locale-copy', false, { properties: { locale: 'nb' } })).toBe(true);
    // Neither who the user is nor an untrusted property is the browser's to say.
    expect(await listed.getBooleanValue('new-nav', false, { targetingKey: 'u1' })).toBe(false);
    expect(await listed.getBooleanValue('pro-banner', false, { plan: 'pro' })).toBe(false);

    // A trusted field only fills in: the app's context hook set plan, so the browser cannot raise it to pro.
    const both = await serve(ofrepEndpoint({ trustClientContext: ['properties.plan'] }));
    const free = await ofrepClient(both.url, { 'x-user-id': 'u2', 'x-plan': 'free' }, 'free');
    expect(await free.getBooleanValue('pro-banner', false, { plan: 'pro' })).toBe(false);
    const noPlan = await ofrepClient(both.url, { 'x-user-id': 'u2' }, 'no-plan');
    expect(await noPlan.getBooleanValue('pro-banner', false, { plan: 'pro' })).toBe(true);

    const picked = await serve(
      ofrepEndpoint<IncomingMessage>({
        trustClientContext: (field, _value, request) =>
          field === 'properties.locale' && request.headers['x-user-id'] === 'u2',
      }),
    );
    const byHook = await ofrepClient(picked.url, { 'x-user-id': 'u2' }, 'hook');
    expect(await byHook.getBooleanValue('locale-copy', false, { locale: 'nb' })).toBe(true);
    const refused = await ofrepClient(picked.url, { 'x-user-id': 'u3' }, 'refused');
    expect(await refused.getBooleanValue('locale-copy', false, { locale: 'nb' })).toBe(false);
  });

  it('serves flags picked by expose besides browser: true ones (Unleash flags carry no mark)', async () => {
    const { url } = await serve(ofrepEndpoint({ expose: ['admin-tools'] }));
    const u1 = await ofrepClient(url, { 'x-user-id': 'u1' }, 'exposed');
    expect(await u1.getBooleanValue('admin-tools', false)).toBe(true);
    expect(await u1.getBooleanDetails('secret-experiment', false)).toMatchObject({
      errorCode: 'FLAG_NOT_FOUND',
    });
  });

  it('applies QA overrides the app allows, and only those', async () => {
    const { url, client } = await serve(ofrepEndpoint());
    const cookie = `flagwise_overrides=${client.signOverrides({ flags: { 'new-nav': true } })}`;
    const qa = await ofrepClient(url, { 'x-user-id': 'u2', 'x-qa': '1', cookie }, 'qa');
    expect(await qa.getBooleanDetails('new-nav', false)).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
    });
    const notAllowed = await ofrepClient(url, { 'x-user-id': 'u2', cookie }, 'not-qa');
    expect(await notAllowed.getBooleanValue('new-nav', true)).toBe(false);
  });
});

describe('ofrepEndpoint: bulk evaluation', () => {
  it('answers every browser-visible flag and nothing else, with an ETag and 304 when unchanged', async () => {
    const { url, source } = await serve(ofrepEndpoint());
    const first = await bulk(url, { context: { targetingKey: 'ignored' } }, { 'x-user-id': 'u1' });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const { flags } = (await first.json()) as { flags: Array<Record<string, unknown>> };
    expect(flags.map((flag) => flag.key)).toEqual([
      'new-nav',
      'pro-banner',
      'locale-copy',
      'checkout-copy',
      'price-tier',
      'theme',
    ]);
    expect(flags[0]).toEqual({
      key: 'new-nav',
      value: true,
      reason: 'TARGETING_MATCH',
      metadata: { reason: 'strategy-matched', enabled: true },
    });
    expect(flags.find((flag) => flag.key === 'pro-banner')).toMatchObject({
      value: false,
      reason: 'DEFAULT',
    });
    expect(flags.find((flag) => flag.key === 'checkout-copy')).toMatchObject({
      value: 'short',
      variant: 'short',
    });

    const again = await bulk(url, {}, { 'x-user-id': 'u1', 'if-none-match': etag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    // Another user's answer differs, so the same ETag does not match it.
    const other = await bulk(url, {}, { 'x-user-id': 'u2', 'if-none-match': etag! });
    expect(other.status).toBe(200);
    // A definition change changes the answer and the ETag.
    source.set('new-nav', false);
    const changed = await bulk(url, {}, { 'x-user-id': 'u1', 'if-none-match': etag! });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('refuses bad bodies and methods clearly, answers 503 before the flags load, and ignores other paths', async () => {
    const { url } = await serve(ofrepEndpoint());
    const notJson = await bulk(url, '{"context": ');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ errorCode: 'PARSE_ERROR' });
    const badContext = await bulk(url, { context: 'u1' });
    expect(badContext.status).toBe(400);
    expect(await badContext.json()).toMatchObject({ errorCode: 'INVALID_CONTEXT' });
    const single = await fetch(`${url}/ofrep/v1/evaluate/flags/new-nav`, { method: 'POST', body: '[1]' });
    expect(single.status).toBe(400);
    expect(await single.json()).toMatchObject({ key: 'new-nav', errorCode: 'PARSE_ERROR' });
    const get = await fetch(`${url}/ofrep/v1/evaluate/flags`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await fetch(`${url}/ofrep/v1/evaluate`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${url}/ofrep/v1/evaluate/flags/a/b`, { method: 'POST' })).status).toBe(404);

    // Before the flags load (the adapters wait readyTimeoutMs first, then hand the request over).
    const early = createFlags({ source: neverLoadingSource() });
    clients.push(early);
    const waiting = await ofrepEndpoint().handle({
      method: 'POST',
      path: '/ofrep/v1/evaluate/flags',
      query: new URLSearchParams(),
      headers: {},
      readBody: async () => '{}',
      secure: false,
      request: {},
      flags: early.forContext({}),
      client: early,
    });
    expect(waiting?.status).toBe(503);
    expect(waiting?.headers?.['retry-after']).toBe('1');
  });

  it('rejects wrong options at startup', () => {
    expect(() => ofrepEndpoint({ trustClientContxt: [] } as never)).toThrow(
      /unknown option "trustClientContxt" \(did you mean "trustClientContext"\?\)/,
    );
    expect(() => ofrepEndpoint({ trustClientContext: ['locale'] })).toThrow(/not a context field/);
    expect(() => ofrepEndpoint({ expose: [1] as never })).toThrow(/expose must list flag names/);
  });
});
