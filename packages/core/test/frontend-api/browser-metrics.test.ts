// A page's usage report counts only what the app serves: the exposed flags and the variants each one has. A
// flood of made-up variant names adds no name to what the source keeps for Unleash.
import { describe, expect, it } from 'vitest';
import { recordBrowserMetrics, variantNamesOf } from '../../src/frontend-api/browser-metrics.js';
import type { FeatureDefinition, FlagSource } from '../../src/types.js';

const checkout: FeatureDefinition = {
  name: 'checkout-copy',
  enabled: true,
  strategies: [
    {
      name: 'flexibleRollout',
      parameters: { rollout: '100' },
      variants: [
        { name: 'short', weight: 500 },
        { name: 'long', weight: 500 },
      ],
    },
  ],
  variants: [{ name: 'legacy', weight: 1000 }],
};

function recordingSource() {
  const counted = new Map<string, number>();
  const source = {
    recordEvaluation(flag: string, enabled: boolean, variant?: string) {
      const key = `${flag}:${enabled}:${variant ?? ''}`;
      counted.set(key, (counted.get(key) ?? 0) + 1);
    },
  } as unknown as FlagSource;
  return { source, counted };
}

describe('browser usage reports', () => {
  it("name a flag's variants: its own, its strategies' and disabled", () => {
    expect([...variantNamesOf(checkout)].sort()).toEqual(['disabled', 'legacy', 'long', 'short']);
  });

  it('count made-up variant names as plain evaluations, and only the variants the flag has by name', () => {
    const { source, counted } = recordingSource();
    const flood: Record<string, number> = { short: 3, disabled: 1 };
    for (let i = 0; i < 10_000; i++) flood[`made-up-${i}`] = 1;
    const total = recordBrowserMetrics(
      source,
      { bucket: { toggles: { 'checkout-copy': { yes: 10_003, no: 1, variants: flood } } } },
      (flag) => (flag === 'checkout-copy' ? variantNamesOf(checkout) : undefined),
    );
    expect(Object.fromEntries(counted)).toEqual({
      'checkout-copy:true:short': 3,
      'checkout-copy:false:disabled': 1,
      // the rest of yes, up to the per-report bound
      'checkout-copy:true:': 10_000 - 4,
    });
    expect(total).toBe(10_000);
  });

  it('count nothing of a flag that is not exposed', () => {
    const { source, counted } = recordingSource();
    recordBrowserMetrics(
      source,
      { bucket: { toggles: { secret: { yes: 5, no: 0, variants: { a: 5 } } } } },
      () => undefined,
    );
    expect(counted.size).toBe(0);
  });
});
