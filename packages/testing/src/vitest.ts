// eachFlagState for vitest: one `test` per state.
import { test } from 'vitest';
import { type EachFlagState, eachFlagStateFor } from './flag-states.js';

export type { FlagState, FlagStatesOptions } from './flag-states.js';

/**
 * One vitest test per state of the flag (on and off, or each variant and off), the state in the test's name.
 * @example
 * import { eachFlagState } from '@flagwise/testing/vitest';
 * eachFlagState('new-checkout', async (state) => {
 *   await request(app).get('/checkout').set(state.headers).expect(state.enabled ? 200 : 404);
 * });
 */
export const eachFlagState: EachFlagState = eachFlagStateFor((name, fn) => test(name, fn as () => void));
