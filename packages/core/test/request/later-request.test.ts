// Flags built at their first read (requestFlagsLater(client, ...)): the request's facts as they are then, async hooks
// awaited by settleRequestFlags(), a read that cannot wait, cookies, and one value per request.
import { describe, expect, it } from 'vitest';
import { messagesAt, recordingLogger } from '../../../../test/support/logging.js';
import {
  type RequestInput,
  type RequestReader,
  requestFlagsLater,
  settleRequestFlags,
  setUpAdapter,
} from '../../src/adapter/index.js';
import { createFlags, inlineSource, type Logger } from '../../src/index.js';

interface FakeRequest {
  user?: { id: string };
  cookie?: string;
}

/** A reader the way an adapter writes one: facts from the request, cookies and headers onto a list per response. */
const reader: RequestReader<FakeRequest, string[]> = {
  inputOf: (request): RequestInput => ({ user: request.user, cookieHeader: request.cookie }),
  setCookies: (response, cookies) => response.push(...cookies),
  setHeaders: (response, headers) =>
    response.push(...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)),
};

function client(logger?: Logger) {
  return createFlags({
    source: inlineSource({ flags: { beta: { users: ['ada'] }, half: { rollout: 50 } } }),
    logger: logger ?? false,
  });
}

describe('flags built at their first read', () => {
  it('read the request as it is at the first read, not when attached', () => {
    const request: FakeRequest = {};
    const flags = requestFlagsLater(client(), request, [], reader);
    request.user = { id: 'ada' };
    expect(flags.beta).toBe(true);
    expect(flags.context.userId).toBe('ada');
    // built once: a later change of the request does not change this request's answers
    request.user = { id: 'bob' };
    expect(flags.context.userId).toBe('ada');
  });

  it('run the context hook once, and not at all for a request that reads nothing', () => {
    let calls = 0;
    const hook = () => {
      calls += 1;
      return { properties: { plan: 'pro' } };
    };
    const flags = client();
    requestFlagsLater(flags, {}, [], reader, hook);
    expect(calls).toBe(0);
    const read = requestFlagsLater(flags, {}, [], reader, hook);
    void read.beta;
    void read.half;
    void read.explain('beta');
    expect(calls).toBe(1);
    expect(read.context.properties).toEqual({ plan: 'pro' });
  });

  it('await an async context hook in settleRequestFlags(), then read with its fields', async () => {
    const request: FakeRequest = {};
    const later = requestFlagsLater(client(), request, [], reader, async (req: FakeRequest) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { userId: req.user ? `user-${req.user.id}` : 'nobody', properties: { plan: 'pro' } };
    });
    request.user = { id: 'ada' };
    const waiting = settleRequestFlags(later);
    expect(waiting).toBeInstanceOf(Promise);
    await waiting;
    expect(later.context).toMatchObject({ userId: 'user-ada', properties: { plan: 'pro' } });
    expect(settleRequestFlags(later)).toBeUndefined();
  });

  it('settleRequestFlags() with a sync hook builds at once and returns nothing to wait for', () => {
    const later = requestFlagsLater(client(), { user: { id: 'ada' } }, [], reader, () => ({
      environment: 'qa',
    }));
    expect(settleRequestFlags(later)).toBeUndefined();
    expect(later.context).toMatchObject({ userId: 'ada', environment: 'qa' });
  });

  it('a read before an async hook settled evaluates without it, warns once, and never rejects', async () => {
    const { logger, lines } = recordingLogger();
    const flags = client(logger);
    let rejections = 0;
    const onRejection = () => rejections++;
    process.on('unhandledRejection', onRejection);
    try {
      for (let i = 0; i < 3; i++) {
        const read = requestFlagsLater(flags, { user: { id: 'ada' } }, [], reader, async () => {
          throw new Error('plan service down');
        });
        expect(read.beta).toBe(true);
        expect(read.context).toEqual({ userId: 'ada' });
      }
      // while settleRequestFlags() waits, a read cannot wait either: the defaults, and what it answered stays
      const later = requestFlagsLater(flags, { user: { id: 'ada' } }, [], reader, async () => ({
        userId: 'bob',
      }));
      const waiting = settleRequestFlags(later);
      expect(later.context).toEqual({ userId: 'ada' });
      await waiting;
      expect(later.context).toEqual({ userId: 'ada' });
      await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    expect(rejections).toBe(0);
    expect(messagesAt(lines, 'warn').filter((w) => w.includes('before an async context hook'))).toHaveLength(
      1,
    );
  });

  it('send a new visitor id cookie through the reader, and keep the id for the request', () => {
    const flags = createFlags({ source: inlineSource({ flags: { half: { rollout: 50 } } }), logger: false });
    // visitors come from the adapter layer's setup, as every adapter passes them
    const visitors = adapterVisitors(flags);
    const cookies: string[] = [];
    const later = requestFlagsLater(flags, {}, cookies, reader, undefined, visitors);
    expect(cookies).toEqual([]);
    void later.half;
    expect(cookies).toHaveLength(1);
    const id = later.context.sessionId;
    expect(cookies[0]).toContain(`=${id}`);
    // the same browser, next request: its cookie, no new one
    const again: string[] = [];
    const next = requestFlagsLater(
      flags,
      { cookie: cookies[0].split(';')[0] },
      again,
      reader,
      undefined,
      visitors,
    );
    expect(next.context.sessionId).toBe(id);
    expect(again).toEqual([]);
  });

  it('agree with explain(), isEnabled and toJSON within one request', () => {
    const flags = client();
    for (let i = 0; i < 50; i++) {
      const read = requestFlagsLater(flags, {}, [], reader);
      const explained = read.explain('half');
      expect(read.half).toBe(explained.enabled);
      expect(read.isEnabled('half')).toBe(explained.enabled);
    }
  });
});

function adapterVisitors(flags: ReturnType<typeof createFlags>) {
  return setUpAdapter({ entry: 'test(options)' }, flags, { visitorId: true }).visitors;
}
