// eachFlagState for node:test: one `test` per state.
import { test } from 'node:test';
import { type EachFlagState, eachFlagStateFor } from './flag-states.js';

export type { FlagState, FlagStatesOptions } from './flag-states.js';

/**
 * One node:test test per state of the flag (on and off, or each variant and off), the state in the test's name.
 * @example
 * import { eachFlagState } from '@flagwise/testing/node-test';
 * eachFlagState('new-checkout', async (state) => {
 *   const res = await fetch(`${url}/checkout`, { headers: state.headers });
 *   assert.equal(res.status, state.enabled ? 200 : 404);
 * });
 */
export const eachFlagState: EachFlagState = eachFlagStateFor((name, fn) => {
  void test(name, fn as () => void);
});
