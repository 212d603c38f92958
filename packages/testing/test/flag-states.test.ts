// flagStates and eachFlagState for vitest: the states of a flag, the pins and headers for each, one test each.

import { requestFlags } from '@flagwise/core/adapter';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestFlags, flagStates, PINS_HEADER } from '../src/index.js';
import { eachFlagState } from '../src/vitest.js';

describe('eachFlagState (vitest)', () => {
  const ran: string[] = [];
  eachFlagState('new-checkout', (state) => {
    ran.push(`${expect.getState().currentTestName} → ${state.enabled}`);
  });
  eachFlagState('checkout-copy', { variants: ['short', 'long'], title: 'copy' }, async (state) => {
    await Promise.resolve();
    ran.push(`${expect.getState().currentTestName} → ${state.variant}`);
  });
  afterAll(() => {
    expect(ran).toEqual([
      'eachFlagState (vitest) > new-checkout: on → true',
      'eachFlagState (vitest) > new-checkout: off → false',
      'eachFlagState (vitest) > copy (checkout-copy: variant short) → short',
      'eachFlagState (vitest) > copy (checkout-copy: variant long) → long',
      'eachFlagState (vitest) > copy (checkout-copy: off) → undefined',
    ]);
  });
});

describe('flagStates', () => {
  it('gives on and off, each with its pins and labelled headers', () => {
    const [on, off] = flagStates('beta');
    expect(on).toMatchObject({
      flag: 'beta',
      enabled: true,
      label: 'on',
      title: 'beta: on',
      pins: { beta: true },
    });
    expect(off).toMatchObject({ enabled: false, label: 'off', pins: { beta: false } });
    expect(JSON.parse(on.headers[PINS_HEADER])).toEqual({ beta: true });
    expect(on.headers['x-flagwise-test-label']).toBe('beta: on');
  });

  it('gives each variant with its payload, and off, which a test client serves as such', async () => {
    const states = flagStates('copy', { variants: { short: { headline: 'Buy' }, long: 'Buy it now' } });
    expect(states.map((state) => state.label)).toEqual(['variant short', 'variant long', 'off']);
    const flags = createTestFlags();
    for (const state of states) {
      const { flags: served } = await requestFlags(flags, { headers: state.headers }, {});
      const variant = served.variant('copy');
      expect(variant.feature_enabled).toBe(state.enabled);
      expect(variant.name).toBe(state.variant ?? 'disabled');
    }
    const short = (await requestFlags(flags, { headers: states[0].headers }, {})).flags.variant('copy');
    expect(short.payload).toEqual({ type: 'json', value: '{"headline":"Buy"}' });
    const long = (await requestFlags(flags, { headers: states[1].headers }, {})).flags.variant('copy');
    expect(long.payload).toEqual({ type: 'string', value: 'Buy it now' });
    await flags.close();
  });

  it('says what is wrong with a bad call', () => {
    expect(() => flagStates('')).toThrow(/flag must be a flag name/);
    expect(() => flagStates('copy', { variants: [] })).toThrow(/name at least one variant/);
    expect(() => (eachFlagState as (flag: string) => void)('copy')).toThrow(
      /the last argument must be the test/,
    );
  });
});
