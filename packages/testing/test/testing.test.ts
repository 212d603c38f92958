import { ConfigurationError } from '@flagwise/core';
import { flagAllows, requestFlags } from '@flagwise/core/adapter';
import { describe, expect, it } from 'vitest';
import { createTestFlags, PINS_HEADER, pinHeaders, pinned, withFlags } from '../src/index.js';

// What every adapter hands the client: the framework's request, which carries `.headers`.
const requestWith = (headers: Record<string, string>, url = '/') => ({ method: 'GET', url, headers });

describe('@flagwise/testing', () => {
  it('is ready at once with the flags it was given', async () => {
    const flags = createTestFlags({
      'new-pricing': true,
      'dark-mode': false,
      'checkout-copy': { variant: 'short' },
    });
    await flags.ready({ timeoutMs: 100 });
    expect(flags.isEnabled('new-pricing')).toBe(true);
    expect(flags.isEnabled('dark-mode')).toBe(false);
    expect(flags.getVariant('checkout-copy', { userId: 'anyone' }).name).toBe('short');
    expect(flags.forContext({}).newPricing).toBe(true);
    await flags.close();
  });

  it('set, remove and reset change what the next read sees', async () => {
    const flags = createTestFlags({ beta: false });
    flags.set('beta', true);
    expect(flags.forContext({}).beta).toBe(true);
    flags.remove('beta');
    expect(flags.isEnabled('beta', {}, true)).toBe(true); // unknown now: the fallback
    flags.reset();
    expect(flags.isEnabled('beta')).toBe(false);
    await flags.close();
  });

  it('withFlags pins flags for a synchronous block and restores them after it, also when it throws', async () => {
    const flags = createTestFlags({ beta: false, other: true });
    const seen = withFlags(flags, { beta: true }, () => [flags.isEnabled('beta'), flags.isEnabled('other')]);
    expect(seen).toEqual([true, true]);
    expect(flags.isEnabled('beta')).toBe(false);
    expect(() =>
      flags.withFlags({ beta: true }, () => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(flags.isEnabled('beta')).toBe(false);
    await flags.close();
  });

  it('withFlags pins flags across an async block and restores them when its promise settles', async () => {
    const flags = createTestFlags({ beta: false });
    const inside = await flags.withFlags({ beta: true }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return flags.isEnabled('beta');
    });
    expect(inside).toBe(true);
    expect(flags.isEnabled('beta')).toBe(false);
    await expect(
      flags.withFlags({ beta: true }, async () => {
        throw new Error('async inside');
      }),
    ).rejects.toThrow('async inside');
    expect(flags.isEnabled('beta')).toBe(false);
    await flags.close();
  });

  it("serves a request with its pins header's flags, on top of the client's, and others without", async () => {
    const flags = createTestFlags({ beta: false, 'dark-mode': true });
    const pinnedFlags = (await requestFlags(flags, requestWith(pinHeaders({ beta: true })), {})).flags;
    const plain = (await requestFlags(flags, requestWith({}), {})).flags;
    expect([pinnedFlags.beta, pinnedFlags.darkMode]).toEqual([true, true]);
    expect([plain.beta, plain.darkMode]).toEqual([false, true]);
    // A change to the client's flags reaches pinned requests too; the pins stay on top.
    flags.set('dark-mode', false);
    const again = (await requestFlags(flags, requestWith(pinHeaders({ beta: true })), {})).flags;
    expect([again.beta, again.darkMode]).toEqual([true, false]);
    await flags.close();
  });

  it('pins rules for given users, properties and percentages per request', async () => {
    const flags = createTestFlags();
    const headers = pinHeaders({
      beta: { users: ['ada'] },
      pro: { when: { plan: 'pro' } },
      half: { rollout: 50, stickiness: 'userId' },
    });
    const ada = (await requestFlags(flags, requestWith(headers), { user: { id: 'ada' } })).flags;
    const bob = (
      await requestFlags(flags, requestWith(headers), { user: { id: 'bob' } }, () => ({
        properties: { plan: 'pro' },
      }))
    ).flags;
    expect([ada.beta, ada.pro]).toEqual([true, false]);
    expect([bob.beta, bob.pro]).toEqual([false, true]);
    const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    const on: string[] = [];
    for (const id of users) {
      if ((await requestFlags(flags, requestWith(headers), { user: { id } })).flags.half) on.push(id);
    }
    expect(on.length).toBeGreaterThan(60);
    expect(on.length).toBeLessThan(140);
    await flags.close();
  });

  it('records the flags each request read, through every way of reading one', async () => {
    const flags = createTestFlags({
      'new-checkout': true,
      'checkout-copy': { variant: 'short' },
      shown: { enabled: true, browser: true },
      guarded: true,
      explained: false,
      unread: true,
    });
    const request = (
      await requestFlags(flags, requestWith(pinHeaders({}, { label: 'one' }), '/checkout'), {})
    ).flags;
    expect(request.newCheckout).toBe(true);
    expect(request.variant('checkout-copy').name).toBe('short');
    expect(request.toJSON()).toEqual({ shown: { enabled: true } });
    expect(flagAllows(request, 'guarded')).toBe(true);
    expect(request.explain('explained').reason).toBe('disabled');
    expect(request.isEnabled('not-defined')).toBe(false);
    expect(request.then).toBeUndefined(); // a probe, not a flag read
    const record = flags.request('one')!;
    expect(record).toMatchObject({ method: 'GET', url: '/checkout', label: 'one', pins: {} });
    expect(record.read).toEqual([
      'new-checkout',
      'checkout-copy',
      'shown',
      'guarded',
      'explained',
      'not-defined',
    ]);
    expect(record.didRead('newCheckout')).toBe(true);
    expect(record.didRead('unread')).toBe(false);
    expect(flags.lastRequest()).toBe(record);
    flags.clearRequests();
    expect(flags.requests).toEqual([]);
    await flags.close();
  });

  it('says what is wrong with a pin, where the test sets it', async () => {
    expect(() => pinHeaders({ beta: 'yes' as never })).toThrow(ConfigurationError);
    expect(() => pinHeaders({ beta: 'yes' as never })).toThrow(/memorySource\(\)\.set\('beta', …\)/);
    expect(() => pinHeaders([] as never)).toThrow(/pins must be an object/);
    const flags = createTestFlags();
    expect(() => requestFlags(flags, requestWith({ [PINS_HEADER]: '{beta: true' }), {})).toThrow(
      /x-flagwise-test-pins header is not JSON/,
    );
    await flags.close();
  });

  it('gives supertest a plugin that sets the pins header', () => {
    const set: Record<string, string>[] = [];
    const request = { set: (headers: Record<string, string>) => set.push(headers) };
    expect(pinned({ beta: true }, { label: 'a' })(request)).toBe(request);
    expect(set).toEqual([pinHeaders({ beta: true }, { label: 'a' })]);
  });
});
