import { describe, expect, it } from 'vitest';
import { requestContext } from '../../src/request/context.js';

describe('requestContext', () => {
  it('takes userId, session id and the client ip from what the framework computed', () => {
    expect(requestContext({}, { user: { id: 42 }, sessionId: 's-1', ip: '10.0.0.1' })).toEqual({
      userId: '42',
      sessionId: 's-1',
      remoteAddress: '10.0.0.1',
    });
    expect(requestContext({}, { user: { sub: 'auth0|7' } })).toEqual({ userId: 'auth0|7' });
    expect(requestContext({}, { user: null, sessionId: '' })).toEqual({});
  });

  it('lets the hook add and replace fields, merging properties', () => {
    const req = { headers: { 'x-plan': 'pro' } };
    const context = requestContext(req, { user: { id: 'u1' }, ip: '::1' }, (r: typeof req) => ({
      environment: 'staging',
      remoteAddress: '203.0.113.9',
      properties: { plan: r.headers['x-plan'] },
    }));
    expect(context).toEqual({
      userId: 'u1',
      remoteAddress: '203.0.113.9',
      environment: 'staging',
      properties: { plan: 'pro' },
    });
  });

  it("puts the hook's own enumerable fields over the defaults as Object.assign does, leaving the hook's object alone", () => {
    const inherited = Object.create({ appName: 'from-prototype' }) as Record<string, unknown>;
    const shared = Object.assign(inherited, {
      userId: undefined,
      tenant: 'acme',
      currentTime: '2026-01-01T00:00:00Z',
      sessionId: 's-hook',
    });
    Object.defineProperty(shared, 'environment', { value: 'hidden', enumerable: false });
    const facts = { user: { id: 'u1' }, sessionId: 's-1', ip: '10.0.0.1' };
    const context = requestContext({}, facts, () => shared) as Record<string, unknown>;
    const expected = Object.assign(requestContext({}, facts) as Record<string, unknown>, shared);
    expect(Object.entries(context)).toEqual(Object.entries(expected));
    expect(context).toHaveProperty('userId', undefined);
    expect(context).not.toHaveProperty('appName');
    expect(context).not.toHaveProperty('environment');
    expect(Object.keys(shared)).toEqual(['userId', 'tenant', 'currentTime', 'sessionId']);
    expect(shared).not.toHaveProperty('remoteAddress');
  });

  it('reports a hook that throws and keeps the default context', () => {
    const errors: unknown[] = [];
    const context = requestContext(
      {},
      { user: { id: 'u1' } },
      () => {
        throw new Error('boom');
      },
      (e: unknown) => errors.push(e),
    );
    expect(context).toEqual({ userId: 'u1' });
    expect(errors).toHaveLength(1);
  });
});

describe('requestContext with an async hook', () => {
  it('awaits the hook and adds its fields', async () => {
    const context = requestContext({}, { user: { id: 'u1' } }, async () => ({ properties: { plan: 'pro' } }));
    expect(context).toBeInstanceOf(Promise);
    expect(await context).toEqual({ userId: 'u1', properties: { plan: 'pro' } });
  });

  it('reports a hook that rejects and resolves to the default context', async () => {
    const errors: unknown[] = [];
    const context = requestContext(
      {},
      { session: { id: 's-9' } },
      () => Promise.reject(new Error('plans service down')),
      (e: unknown) => errors.push(e),
    );
    expect(await context).toEqual({ sessionId: 's-9' });
    expect(errors).toHaveLength(1);
  });
});
