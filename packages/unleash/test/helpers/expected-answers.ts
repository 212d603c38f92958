// The answers unleash-client gave for a payload and a set of contexts (test/fixtures/*/…expected.json), checked
// case by case against a flagwise client serving the same payload.
import type { FlagContext, FlagsClient } from '@flagwise/core';
import { expect, it } from 'vitest';

export interface ExpectedCase {
  context: string;
  flag: string;
  isEnabled: boolean | 'random';
  variant: { name: string; enabled: boolean; feature_enabled: boolean; payload?: unknown } | 'random';
}

export interface ExpectedAnswers {
  contexts: Record<string, unknown>;
  cases: unknown[];
}

/**
 * One test per case unleash-client answered the same every time (not `random`): isEnabled() and getVariant() of
 * the client `flags()` gives must equal its answers; and a test that there are more than `atLeast` such cases.
 */
export function itAnswersAsUnleashClient(
  expected: ExpectedAnswers,
  flags: () => FlagsClient,
  atLeast: number,
): void {
  const cases = (expected.cases as ExpectedCase[]).filter(
    (entry) => entry.isEnabled !== 'random' && entry.variant !== 'random',
  );

  it('has cases to check', () => {
    expect(cases.length).toBeGreaterThan(atLeast);
  });

  it.each(cases)(
    '$flag for context $context matches unleash-client',
    ({ context, flag, isEnabled, variant }) => {
      const ctx = (expected.contexts as Record<string, FlagContext>)[context];
      expect(flags().isEnabled(flag, ctx)).toBe(isEnabled);
      const actual = flags().getVariant(flag, ctx);
      const shape: Record<string, unknown> = {
        name: actual.name,
        enabled: actual.enabled,
        feature_enabled: actual.feature_enabled,
      };
      if (actual.payload !== undefined) shape.payload = actual.payload;
      expect(shape).toEqual(variant);
    },
  );
}
