// A flag written in the flags file behaves exactly as the same flag served by Unleash: demo-flags.yaml is the
// Unleash payload in unleash-client-features.json written by hand, and the answers come from unleash-client.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileFlags } from '../../src/engine/index.js';
import { parseFlagsFile } from '../../src/sources/index.js';
import type { ClientFeaturesPayload, FeatureDefinition, FlagContext, Payload } from '../../src/types.js';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../../../test/fixtures/unleash/${name}`, import.meta.url));

interface ExpectedCase {
  context: string;
  flag: string;
  isEnabled: boolean;
  /** `random` where unleash-client picked without stickiness */
  variant: 'random' | { name: string; enabled: boolean; feature_enabled: boolean; payload?: Payload };
}

const unleashPayload = JSON.parse(
  readFileSync(fixture('unleash-client-features.json'), 'utf8'),
) as ClientFeaturesPayload;
const expected = JSON.parse(readFileSync(fixture('unleash-client-features.expected.json'), 'utf8')) as {
  staticContext: { appName: string; environment: string };
  contexts: Record<string, FlagContext>;
  cases: ExpectedCase[];
};
const yamlPath = fileURLToPath(new URL('../fixtures/demo-flags.yaml', import.meta.url));
const fromFlagsFile = parseFlagsFile(readFileSync(yamlPath, 'utf8'), yamlPath);

/**
 * What the short format has no words for, the Unleash project and the stale marker, and flagwise's own note of how
 * the file wrote each strategy (none affects evaluation, and Unleash never sees the note).
 */
function withoutBookkeeping({ project: _project, stale: _stale, ...rest }: FeatureDefinition) {
  return {
    ...rest,
    strategies: rest.strategies?.map(({ shorthand: _shorthand, ...strategy }) => strategy),
  };
}

describe('the flags file compiles to what Unleash serves', () => {
  it('loads with no warnings', () => {
    expect(fromFlagsFile.format).toBe('short');
    expect(fromFlagsFile.warnings).toEqual([]);
  });

  it('gives the same segments', () => {
    expect(fromFlagsFile.definitions.segments).toEqual(unleashPayload.segments);
  });

  it.each(unleashPayload.features.map((feature) => [feature.name, feature] as const))(
    'gives the same definition for %s',
    (name, unleashFeature) => {
      const compiled = fromFlagsFile.definitions.features.find((feature) => feature.name === name);
      expect(compiled).toBeDefined();
      expect(withoutBookkeeping(compiled!)).toEqual(withoutBookkeeping(unleashFeature));
    },
  );
});

describe('the flags file evaluates as unleash-client evaluates the Unleash payload', () => {
  const engine = compileFlags(fromFlagsFile.definitions, { staticContext: expected.staticContext });

  it('compiles without errors', () => {
    expect(engine.errors).toEqual([]);
  });

  it.each(expected.cases.map((c) => [c.flag, c.context, c] as const))(
    '%s for %s',
    (flag, contextName, answer) => {
      const context = expected.contexts[contextName];
      expect(engine.isEnabled(flag, context)).toBe(answer.isEnabled);
      const variant = engine.getVariant(flag, context);
      if (answer.variant === 'random') {
        // Unleash picked at random here; only whether a variant was given is deterministic.
        expect(variant.enabled).toBe(true);
        return;
      }
      expect({
        name: variant.name,
        enabled: variant.enabled,
        feature_enabled: variant.feature_enabled,
        ...(variant.payload ? { payload: variant.payload } : {}),
      }).toEqual(answer.variant);
    },
  );
});
