import { describe, expect, it } from 'vitest';
import { createTestFlags, withFlags } from '../src/index.js';

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
});
