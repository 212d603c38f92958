// What a snapshot indexes once per load, so a request reads a flag with one lookup: property names, clashes,
// names req.flags answers itself, browser and variant flags, flags answered at random, name suggestions.
import { describe, expect, it } from 'vitest';
import { payload } from '../../../../test/support/definitions.js';
import { compileFlags } from '../../src/engine/index.js';
import { buildSnapshot, flagNameSuggestion, toPropertyName } from '../../src/snapshot/snapshot.js';
import type { FeatureDefinition } from '../../src/types.js';

const on = (name: string, extra: Partial<FeatureDefinition> = {}): FeatureDefinition => ({
  name,
  enabled: true,
  strategies: [{ name: 'default', parameters: {} }],
  ...extra,
});

function snapshotOf(features: FeatureDefinition[]) {
  return buildSnapshot(compileFlags(payload(features), { onWarn: () => {} }), true);
}

describe('toPropertyName', () => {
  it('camelCases kebab, snake, dotted, spaced and colon names', () => {
    expect(
      ['new-pricing', 'new_pricing', 'new.pricing', 'New Pricing', 'new:pricing', 'newPricing'].map(
        toPropertyName,
      ),
    ).toEqual(['newPricing', 'newPricing', 'newPricing', 'NewPricing', 'newPricing', 'newPricing']);
    expect(toPropertyName('trailing-')).toBe('trailing');
  });
});

describe('buildSnapshot', () => {
  it('finds each flag by its property name and by its exact name', () => {
    const snapshot = snapshotOf([on('new-pricing'), on('beta')]);
    expect(snapshot.aliases.get('newPricing')?.name).toBe('new-pricing');
    expect(snapshot.aliases.get('new-pricing')?.name).toBe('new-pricing');
    expect(snapshot.propertyNames).toEqual(['newPricing', 'beta']);
  });

  it('lets the flag already named as the property win a clash, and reports the clash', () => {
    const snapshot = snapshotOf([on('new-pricing'), on('newPricing'), on('a_b'), on('a-b')]);
    expect(snapshot.aliases.get('newPricing')?.name).toBe('newPricing');
    expect(snapshot.aliases.get('aB')?.name).toBe('a-b');
    expect(snapshot.clashes).toEqual([
      { property: 'newPricing', flags: ['new-pricing', 'newPricing'] },
      { property: 'aB', flags: ['a-b', 'a_b'] },
    ]);
  });

  it('keeps names req.flags answers itself out of the property lookup, but findable by name', () => {
    const snapshot = snapshotOf([on('explain'), on('to-string'), on('context'), on('plain')]);
    expect(snapshot.properties.has('explain')).toBe(false);
    expect(snapshot.properties.has('context')).toBe(false);
    expect(snapshot.properties.has('toString')).toBe(false);
    expect(snapshot.properties.has('plain')).toBe(true);
    expect(snapshot.aliases.get('explain')?.name).toBe('explain');
  });

  it('lists browser flags, flags with variants, impression flags, and flags answered at random without an id', () => {
    const snapshot = snapshotOf([
      on('shown', { browser: true }),
      on('coloured', {
        variants: [
          { name: 'blue', weight: 500 },
          { name: 'red', weight: 500 },
        ],
      }),
      on('strategy-variants', {
        strategies: [
          { name: 'default', parameters: {}, variants: [{ name: 'x', weight: 1000, stickiness: 'userId' }] },
        ],
      }),
      on('half', {
        strategies: [{ name: 'flexibleRollout', parameters: { rollout: '50', stickiness: 'default' } }],
      }),
      on('half-by-user', {
        strategies: [{ name: 'flexibleRollout', parameters: { rollout: '50', stickiness: 'userId' } }],
      }),
      on('watched', { impressionData: true }),
    ]);
    expect(snapshot.browserFlags).toEqual(['shown']);
    const names = (flags: ReadonlySet<{ name: string }>) => [...flags].map((flag) => flag.name).sort();
    expect(names(snapshot.variantFlags)).toEqual(['coloured', 'strategy-variants']);
    expect(names(snapshot.randomWhenAnonymous)).toEqual(['half']);
    expect(names(snapshot.variantByAddressWhenAnonymous)).toEqual(['coloured']);
    expect([...snapshot.impressionFlags]).toEqual(['watched']);
    expect(snapshot.observeEvaluations).toBe(true);
    expect(snapshotOf([on('a')]).observeEvaluations).toBe(false);
  });
});

describe('flagNameSuggestion', () => {
  it('suggests the nearest flag by its own name, else lists the defined ones', () => {
    const snapshot = snapshotOf([on('new-pricing'), on('beta')]);
    expect(flagNameSuggestion(snapshot, 'new-pricng')).toBe(' (did you mean "new-pricing"?)');
    expect(flagNameSuggestion(snapshot, 'newPricin')).toBe(' (did you mean "new-pricing"?)');
    expect(flagNameSuggestion(snapshot, 'zzzzzzzz')).toBe(' (defined: new-pricing, beta)');
    const many = snapshotOf(Array.from({ length: 10 }, (_, i) => on(`flag-number-${i}`)));
    expect(flagNameSuggestion(many, 'qqqqqqqqqqqqqqqqqq')).toMatch(/^ \(defined: (flag-number-\d, ){8}…\)$/);
  });
});
