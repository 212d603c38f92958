import type { ClientFeaturesPayload, CustomStrategy, FeatureDefinition } from '../../src/index.js';

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

export function payload(features: FeatureDefinition[], segments: ClientFeaturesPayload['segments'] = []) {
  return { version: 2, features, segments } satisfies ClientFeaturesPayload;
}

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

/** Poll until `check` passes or the deadline ends; the last failure is thrown. */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
