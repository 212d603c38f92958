// Both code paths of a flag: the states a test should run in (on and off, or each variant and off), each with the
// pins and headers that put one request in that state, and one test per state for the runner at hand.
import { ConfigurationError, type PayloadSpec } from '@flagwise/core';
import { type PinnedFlags, pinHeaders } from './pins.js';

/**
 * One state of one flag, as `eachFlagState` hands it to each test.
 * @example
 * eachFlagState('new-checkout', async (state) => {
 *   await request(app).get('/checkout').set(state.headers).expect(state.enabled ? 200 : 404);
 * });
 */
export interface FlagState {
  /** the flag's name */
  readonly flag: string;
  /** on or off in this state */
  readonly enabled: boolean;
  /** the variant in this state (variant form, on states only) */
  readonly variant: string | undefined;
  /** `on`, `off`, or `variant short` */
  readonly label: string;
  /** the test's name: `new-checkout: on`, or `title (new-checkout: on)` */
  readonly title: string;
  /** the pins for this state, for `createTestFlags()`, `withFlags()` or `pinHeaders()` */
  readonly pins: PinnedFlags;
  /** headers that pin this state on one request; labelled with `title` (`flags.request(state.title)`) */
  readonly headers: Record<string, string>;
}

/** What `flagStates()` and `eachFlagState()` take besides the flag name. */
export interface FlagStatesOptions {
  /**
   * The variant form: one state per variant (each on with that variant for everyone), and off. Names, or names →
   * payload.
   * @example { variants: ['short', 'long'] }
   * @example { variants: { short: { headline: 'Buy' }, long: { headline: 'Buy it now' } } }
   */
  variants?: readonly string[] | Readonly<Record<string, PayloadSpec | undefined>>;
  /** put before the state in each test's name: `title (flag: on)` */
  title?: string;
}

/**
 * The states of one flag: on and off, or each variant and off.
 * @example
 * test.each(flagStates('new-checkout'))('$title', async ({ headers, enabled }) => { ... });
 */
export function flagStates(flag: string, options: FlagStatesOptions = {}): FlagState[] {
  if (typeof flag !== 'string' || flag === '') {
    throw new ConfigurationError(
      "flagStates(flag): flag must be a flag name, e.g. flagStates('new-checkout')",
    );
  }
  const state = (enabled: boolean, variant: string | undefined, value: PinnedFlags[string]): FlagState => {
    const label = variant === undefined ? (enabled ? 'on' : 'off') : `variant ${variant}`;
    const title = options.title === undefined ? `${flag}: ${label}` : `${options.title} (${flag}: ${label})`;
    const pins = { [flag]: value };
    return { flag, enabled, variant, label, title, pins, headers: pinHeaders(pins, { label: title }) };
  };
  const { variants } = options;
  if (variants === undefined) return [state(true, undefined, true), state(false, undefined, false)];
  const payloads: Record<string, PayloadSpec | undefined> = Array.isArray(variants)
    ? Object.fromEntries(variants.map((name) => [name, undefined]))
    : { ...(variants as Record<string, PayloadSpec | undefined>) };
  const names = Object.keys(payloads);
  if (names.length === 0) {
    throw new ConfigurationError(
      `flagStates('${flag}', { variants }): name at least one variant, e.g. { variants: ['short', 'long'] }`,
    );
  }
  return [
    ...names.map((name) => {
      const payload = payloads[name];
      return state(
        true,
        name,
        payload === undefined ? { variant: name } : { variants: { [name]: { weight: 100, payload } } },
      );
    }),
    state(false, undefined, false),
  ];
}

/** A test runner's `test(name, fn)`. */
export type TestFunction = (name: string, fn: () => unknown) => unknown;

/** `eachFlagState(flag, fn)` or `eachFlagState(flag, options, fn)`. */
export interface EachFlagState {
  (flag: string, fn: (state: FlagState) => unknown): void;
  (flag: string, options: FlagStatesOptions, fn: (state: FlagState) => unknown): void;
}

/**
 * `eachFlagState` for a runner's `test` function; `@flagwise/testing/vitest`, `/jest` and `/node-test` export
 * it made for theirs.
 * @example
 * const eachFlagState = eachFlagStateFor((name, fn) => myRunner.test(name, fn));
 */
export function eachFlagStateFor(test: TestFunction): EachFlagState {
  return (
    flag: string,
    optionsOrFn: FlagStatesOptions | ((state: FlagState) => unknown),
    maybeFn?: (state: FlagState) => unknown,
  ) => {
    const fn = typeof optionsOrFn === 'function' ? optionsOrFn : maybeFn;
    const options = typeof optionsOrFn === 'function' ? {} : optionsOrFn;
    if (typeof fn !== 'function') {
      throw new ConfigurationError(
        `eachFlagState('${flag}', …): the last argument must be the test, (state) => { … }`,
      );
    }
    for (const state of flagStates(flag, options)) test(state.title, () => fn(state));
  };
}
