// What the rows' `/reads/:name` route answers: one request's reads of one flag, in the order the test asks for,
// each as the app sees it. One copy, imported by every row.
import type { ClientFeaturesPayload, RequestFlags } from '@flagwise/core';
import { toPropertyName } from '@flagwise/core';
import { expect } from 'vitest';

/** The ways an app reads a flag. */
export const READ_STEPS = ['property', 'isEnabled', 'variant', 'explain'] as const;
export type ReadStep = (typeof READ_STEPS)[number];

export interface StepResult {
  step: ReadStep;
  enabled?: boolean;
  variant?: string;
  variantEnabled?: boolean;
  reason?: string;
}

/**
 * Reads `name` through `flags` in the order given as `order` (steps joined by commas).
 * @example readInOrder(req.flags, 'experiment', 'variant,explain,property')
 */
export function readInOrder(flags: RequestFlags, name: string, order: unknown): StepResult[] {
  const steps = String(order ?? '')
    .split(',')
    .filter((step): step is ReadStep => (READ_STEPS as readonly string[]).includes(step));
  const record = flags as unknown as Record<string, unknown>;
  return steps.map((step): StepResult => {
    switch (step) {
      case 'property':
        return { step, enabled: record[toPropertyName(name)] as boolean };
      case 'isEnabled':
        return { step, enabled: flags.isEnabled(name as never) };
      case 'variant': {
        const variant = flags.variant(name as never);
        return {
          step,
          enabled: variant.feature_enabled,
          variant: variant.name,
          variantEnabled: variant.enabled,
        };
      }
      default: {
        const explained = flags.explain(name as never);
        return {
          step,
          enabled: explained.enabled,
          variant: explained.variant.name,
          variantEnabled: explained.variant.enabled,
          reason: explained.reason,
        };
      }
    }
  });
}

/** Every answer of one request agrees: one value, one variant, a reason that goes with the value. */
export function expectOneEvaluation(results: StepResult[]): void {
  const values = new Set(results.map((result) => result.enabled));
  expect(values.size, JSON.stringify(results)).toBe(1);
  const enabled = results[0].enabled;
  const variants = new Set(results.filter((r) => r.variant !== undefined).map((r) => r.variant));
  expect(variants.size, JSON.stringify(results)).toBeLessThanOrEqual(1);
  for (const result of results) {
    if (result.variant !== undefined && !enabled) expect(result.variantEnabled).toBe(false);
    if (result.reason !== undefined) {
      const reasons = enabled ? ['strategy-matched'] : ['no-strategy-matched', 'disabled'];
      expect(reasons, JSON.stringify(results)).toContain(result.reason);
    }
  }
}

/**
 * Flags whose answer a request without user or session leaves to chance or to its IP: a 20 % rollout, a 50 %
 * rollout with a variant split, a variant split for everyone (each with default stickiness), and the flags of
 * `extra`.
 */
export function chancyDefinitions(extra: ClientFeaturesPayload['features'] = []): ClientFeaturesPayload {
  const rollout = (percent: number) => ({
    name: 'flexibleRollout',
    parameters: { rollout: String(percent), stickiness: 'default', groupId: 'g' },
    constraints: [],
  });
  const variants = [
    { name: 'control', weight: 500, weightType: 'variable', stickiness: 'default' },
    { name: 'short', weight: 500, weightType: 'variable', stickiness: 'default' },
  ];
  const always = { name: 'default', parameters: {}, constraints: [] };
  return {
    version: 2,
    features: [
      { name: 'rollout-20', enabled: true, strategies: [rollout(20)], browser: true },
      { name: 'rollout-variants', enabled: true, strategies: [rollout(50)], variants, browser: true },
      { name: 'split', enabled: true, strategies: [always], variants },
      ...extra,
    ],
  } as ClientFeaturesPayload;
}
