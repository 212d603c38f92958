// How adapters make a request's flags through the client's request path: at once or at the first read, and a
// route that serves some requests another way (what the test client's pins and records use).
import { afterEach, describe, expect, it } from 'vitest';
import { requestFlags, requestFlagsLater, routeRequests } from '../../src/adapter/index.js';
import {
  ConfigurationError,
  createFlags,
  type FlagsClient,
  memorySource,
  type RequestFlags,
} from '../../src/index.js';
import { VisitorIds } from '../../src/request/visitor-id.js';

interface Request {
  user?: { id: string };
  pinned?: boolean;
}

const clients: FlagsClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function client(flags: Record<string, unknown>) {
  const made = createFlags<Request>({ source: memorySource({ flags } as never), logger: false });
  clients.push(made);
  await made.ready();
  return made;
}

describe('requestFlags', () => {
  it('builds the flags at once for a sync hook, and as a promise for an async one', async () => {
    const flags = await client({ beta: { users: ['ada'] }, pro: { when: { plan: 'pro' } } });
    const now = requestFlags(flags, {}, { user: { id: 'ada' } }, () => ({ properties: { plan: 'pro' } }));
    expect(now).not.toBeInstanceOf(Promise);
    expect((now as { flags: RequestFlags }).flags.beta).toBe(true);
    const later = requestFlags(flags, {}, { user: { id: 'ada' } }, async () => ({
      properties: { plan: 'pro' },
    }));
    expect(later).toBeInstanceOf(Promise);
    expect((await later).flags.pro).toBe(true);
  });

  it('refuses something that is not a flags client, saying what it wanted', () => {
    expect(() => requestFlags({} as never, {}, {})).toThrow(ConfigurationError);
    expect(() => requestFlags({} as never, {}, {})).toThrow(
      'expected a flags client from createFlags(); got something else',
    );
  });
});

describe('routeRequests', () => {
  it('serves the requests it picks with another client’s flags, wrapped, in both ways of building flags', async () => {
    const main = await client({ beta: false });
    const pinned = await client({ beta: true });
    const seen: string[] = [];
    routeRequests(main, (request) =>
      request.pinned
        ? {
            client: pinned,
            wrap: (flags) => {
              seen.push('wrapped');
              return flags;
            },
          }
        : undefined,
    );
    const plain = (await requestFlags(main, {}, {})).flags;
    const routed = (await requestFlags(main, { pinned: true }, {})).flags;
    expect(plain.beta).toBe(false);
    expect(routed.beta).toBe(true);
    const reader = { inputOf: () => ({}), setCookies: () => {}, setHeaders: () => {} };
    expect(requestFlagsLater(main, { pinned: true }, undefined, reader).beta).toBe(true);
    expect(requestFlagsLater(main, {}, undefined, reader).beta).toBe(false);
    expect(seen).toEqual(['wrapped', 'wrapped']);
  });

  it('keeps the cookies of a routed request', async () => {
    const main = await client({ half: { rollout: 50 } });
    routeRequests(main, () => ({ wrap: (flags) => flags }));
    const visitors = new VisitorIds(true);
    const result = await requestFlags(main, {}, {}, undefined, visitors);
    expect(result.setCookie?.[0]).toMatch(/^flagwise_visitor=/);
  });
});
