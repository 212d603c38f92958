// eachFlagState for jest: one `test` per state, with jest's global `test`.
import { ConfigurationError } from '@flagwise/core';
import { type EachFlagState, eachFlagStateFor, type TestFunction } from './flag-states.js';

export type { FlagState, FlagStatesOptions } from './flag-states.js';

/**
 * One jest test per state of the flag (on and off, or each variant and off), the state in the test's name.
 * @example
 * import { eachFlagState } from '@flagwise/testing/jest';
 * eachFlagState('new-checkout', async (state) => {
 *   await request(app).get('/checkout').set(state.headers).expect(state.enabled ? 200 : 404);
 * });
 */
export const eachFlagState: EachFlagState = eachFlagStateFor((name, fn) => {
  const test = (globalThis as { test?: TestFunction }).test;
  if (typeof test !== 'function') {
    throw new ConfigurationError(
      "@flagwise/testing/jest: jest's global test() is not there (injectGlobals: false?); " +
        "import eachFlagStateFor from '@flagwise/testing' and pass it test from '@jest/globals'",
    );
  }
  test(name, fn);
});
