// Definitions for tests: Unleash payloads, plain flags, and a strategy that counts its evaluations.
import type {
  ClientFeaturesPayload,
  CustomStrategy,
  FeatureDefinition,
} from '../../packages/core/src/index.js';

/** A real custom strategy that counts how often the engine evaluates it: laziness made observable. */
export function countingStrategy(): CustomStrategy & { calls: Map<string, number>; total(): number } {
  const calls = new Map<string, number>();
  return {
    name: 'counting',
    calls,
    total: () => [...calls.values()].reduce((a, b) => a + b, 0),
    isEnabled(parameters) {
      const flag = String(parameters.flag);
      calls.set(flag, (calls.get(flag) ?? 0) + 1);
      return parameters.on === 'true';
    },
  };
}

/** A flag evaluated by countingStrategy(), on or off. */
export function countedFlag(
  name: string,
  on = true,
  extra: Partial<FeatureDefinition> = {},
): FeatureDefinition {
  return {
    name,
    enabled: true,
    strategies: [{ name: 'counting', parameters: { flag: name, on: String(on) }, constraints: [] }],
    variants: [],
    ...extra,
  };
}

/** An Unleash payload of these flags (and segments). */
export function payload(
  features: FeatureDefinition[],
  segments: ClientFeaturesPayload['segments'] = [],
): ClientFeaturesPayload {
  return { version: 2, features, segments };
}

/** A flag with one `default` strategy, on or off. */
export function simpleFlag(
  name: string,
  enabled: boolean,
  extra: Partial<FeatureDefinition> = {},
): FeatureDefinition {
  return {
    name,
    enabled,
    strategies: [{ name: 'default', parameters: {}, constraints: [] }],
    variants: [],
    ...extra,
  };
}
