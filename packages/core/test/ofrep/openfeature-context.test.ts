// OpenFeature's evaluation context as flagwise evaluates it: the mapping the README's table gives.
import { describe, expect, it } from 'vitest';
import { toFlagContext } from '../../src/ofrep/openfeature-context.js';

describe('toFlagContext', () => {
  it('maps targetingKey to userId, keeps Unleash’s own fields, and puts the rest in properties', () => {
    expect(
      toFlagContext({
        targetingKey: 'user-42',
        sessionId: 's-1',
        remoteAddress: '10.0.0.1',
        environment: 'production',
        appName: 'shop',
        plan: 'pro',
        seats: 3,
        beta: true,
      }),
    ).toEqual({
      userId: 'user-42',
      sessionId: 's-1',
      remoteAddress: '10.0.0.1',
      environment: 'production',
      appName: 'shop',
      properties: { plan: 'pro', seats: 3, beta: true },
    });
  });

  it('lets an explicit userId win over targetingKey, whichever comes first', () => {
    expect(toFlagContext({ userId: 'ada', targetingKey: 'bob' }).userId).toBe('ada');
    expect(toFlagContext({ targetingKey: 'bob', userId: 'ada' }).userId).toBe('ada');
  });

  it('reads a properties object entry by entry, dates as ISO strings, and leaves out what is not one value', () => {
    const at = new Date('2026-01-02T03:04:05.000Z');
    expect(
      toFlagContext({
        properties: { locale: 'de', when: at, list: [1], none: null },
        nested: { a: 1 },
        nan: Number.NaN,
      }),
    ).toEqual({ properties: { locale: 'de', when: '2026-01-02T03:04:05.000Z' } });
    expect(toFlagContext({ currentTime: at }).currentTime).toBe(at);
    expect(toFlagContext(undefined)).toEqual({});
  });
});
