// What the JSON endpoints share: JSON answers that are never cached across users, ETags and 304, bodies as a
// framework hands them over, and the request's flags with the fields a browser may add.
import { afterEach, describe, expect, it } from 'vitest';
import type { TestRequest } from '../../../../test/support/endpoints.js';
import { requestFlags } from '../../src/adapter/index.js';
import {
  conditionalJsonAnswer,
  etagMatches,
  flagsWithClientFields,
  jsonAnswer,
  jsonObjectBody,
} from '../../src/endpoint/answers.js';
import { createFlags, type EndpointRequest, type FlagsClient, memorySource } from '../../src/index.js';

describe('jsonAnswer and conditionalJsonAnswer', () => {
  it('answers JSON that a shared cache may not keep', () => {
    const answer = jsonAnswer(400, { message: 'no' }, { 'x-extra': '1' });
    expect(answer).toEqual({
      status: 400,
      headers: {
        'cache-control': 'private, no-cache',
        'x-extra': '1',
        'content-type': 'application/json; charset=utf-8',
      },
      body: '{"message":"no"}',
    });
  });

  it('tags the text, and answers 304 without a body to a request that holds the tag', () => {
    const first = conditionalJsonAnswer({ headers: {} }, { toggles: [1] });
    const etag = String(first.headers?.etag);
    expect(first.status).toBe(200);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(conditionalJsonAnswer({ headers: {} }, { toggles: [1] }).headers?.etag).toBe(etag);
    const again = conditionalJsonAnswer({ headers: { 'if-none-match': etag } }, { toggles: [1] });
    expect(again).toEqual({ status: 304, headers: { etag, 'cache-control': 'private, no-cache' } });
    const changed = conditionalJsonAnswer({ headers: { 'if-none-match': etag } }, { toggles: [2] });
    expect(changed.status).toBe(200);
    expect(changed.headers?.etag).not.toBe(etag);
  });

  it('matches a tag in a list, a weak tag, and *', () => {
    expect(etagMatches('"a", "b"', '"b"')).toBe(true);
    expect(etagMatches('W/"b"', '"b"')).toBe(true);
    expect(etagMatches(['"x"', '*'], '"b"')).toBe(true);
    expect(etagMatches('"c"', '"b"')).toBe(false);
    expect(etagMatches(undefined, '"b"')).toBe(false);
  });
});

describe('jsonObjectBody', () => {
  it('reads an object already parsed, as text or as bytes; an empty body is {}', () => {
    expect(jsonObjectBody({ a: 1 })).toEqual({ a: 1 });
    expect(jsonObjectBody('{"a":1}')).toEqual({ a: 1 });
    expect(jsonObjectBody(new TextEncoder().encode('{"a":1}'))).toEqual({ a: 1 });
    expect(jsonObjectBody('  ')).toEqual({});
    expect(jsonObjectBody(undefined)).toEqual({});
  });

  it('reads anything else as undefined: broken JSON, an array, a number', () => {
    expect(jsonObjectBody('{nope')).toBeUndefined();
    expect(jsonObjectBody('[1]')).toBeUndefined();
    expect(jsonObjectBody(7)).toBeUndefined();
  });
});

describe('flagsWithClientFields', () => {
  const clients: FlagsClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  async function requestOf(request: TestRequest): Promise<EndpointRequest<TestRequest>> {
    const client = createFlags<TestRequest>({
      source: memorySource({
        flags: {
          german: { when: { locale: 'de' } },
          ada: { users: ['ada'] },
          pro: { when: { plan: 'pro' } },
        },
      }),
      logger: false,
      overrides: { secret: 'a-secret-for-the-answers-tests-0123456789', allow: () => true },
    });
    clients.push(client);
    await client.ready();
    const cookie = `flagwise_overrides=${client.signOverrides({ flags: { german: false } })}`;
    const hook = (req: TestRequest) => (req.plan ? { properties: { plan: req.plan } } : {});
    const { flags } = await requestFlags(client, request, { user: request.user, cookieHeader: cookie }, hook);
    return {
      method: 'POST',
      path: '/',
      query: new URLSearchParams(),
      headers: {},
      readBody: async () => '',
      secure: false,
      request,
      flags,
      client,
    };
  }

  it('is the request’s own flags when the browser adds nothing', async () => {
    const request = await requestOf({ user: { id: 'ada' } });
    expect(flagsWithClientFields(request, undefined)).toBe(request.flags);
  });

  it('fills in what the browser adds, never over the request’s own fields, and keeps the QA overrides', async () => {
    const request = await requestOf({ user: { id: 'ada' }, plan: 'pro' });
    const flags = flagsWithClientFields(request, {
      userId: 'bob',
      properties: { locale: 'de', plan: 'free' },
    });
    expect(flags.context).toEqual({ userId: 'ada', properties: { locale: 'de', plan: 'pro' } });
    expect(flags.ada).toBe(true);
    expect(flags.pro).toBe(true);
    // forced off by the signed cookie the request came with, though its locale now matches
    expect(flags.german).toBe(false);
    expect(flags.explain('german').reason).toBe('override');
  });
});
