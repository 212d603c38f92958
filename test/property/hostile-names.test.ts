// Random hostile contexts and flag names, every Object.prototype member name among them: evaluation never
// throws, and no inherited member changes an answer. Defined flags answer exactly as defined (on or off for
// everyone), undefined names answer off with reason not-found, a QA override for one flag moves only that flag,
// and Object.prototype's members keep their meaning on the per-request object.
import {
  createFlags,
  type FeatureDefinition,
  type FlagContext,
  type FlagsClient,
  memorySource,
  toPropertyName,
} from '@flagwise/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const RUNS = 300;
const MEMBERS = Object.getOwnPropertyNames(Object.prototype);
const SPECIAL = [
  ...MEMBERS,
  'to-string',
  'value-of',
  'has-own-property',
  'then',
  'toJSON',
  'context',
  'isEnabled',
  'variant',
  'explain',
  'prototype',
  'length',
  'name',
];

const flagName = fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ minLength: 1, maxLength: 12 }));

/** Values that break naive code: prototype-named keys, getters that throw, cycles, symbols, huge strings. */
const hostileValue = fc.oneof(
  fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true }),
  fc.constantFrom(
    Symbol('s'),
    () => 'fn',
    'x'.repeat(100_000),
    JSON.parse('{"__proto__": {"userId": "admin"}}'),
    Object.create({ userId: 'inherited' }),
  ),
);

function throwingGetters(): Record<string, unknown> {
  // fast-check prints counterexamples through this, not through the getters
  const value: Record<string | symbol, unknown> = { [fc.toStringMethod]: () => '<throwing getters>' };
  for (const key of ['userId', 'sessionId', 'properties', 'remoteAddress', 'currentTime']) {
    Object.defineProperty(value, key, {
      enumerable: true,
      get() {
        throw new Error(`hostile ${key}`);
      },
    });
  }
  return value as Record<string, unknown>;
}

const context: fc.Arbitrary<unknown> = fc.oneof(
  hostileValue,
  fc.record(
    {
      userId: hostileValue,
      sessionId: hostileValue,
      remoteAddress: hostileValue,
      currentTime: hostileValue,
      properties: fc.oneof(
        hostileValue,
        fc.dictionary(fc.oneof(fc.constantFrom(...MEMBERS), fc.string()), hostileValue),
      ),
    },
    { requiredKeys: [] },
  ),
  fc.constant(null).map(() => throwingGetters()),
);

const definitions = fc.uniqueArray(fc.record({ name: flagName, enabled: fc.boolean() }), {
  selector: (flag) => flag.name,
  minLength: 1,
  maxLength: 8,
});

/** Which flag a per-request name reads: the exact name, else the flag whose camelCase name it is. */
function requestResolver(names: string[]): (name: string) => string | undefined {
  const owners = new Map<string, string[]>();
  for (const name of names)
    owners.set(toPropertyName(name), [...(owners.get(toPropertyName(name)) ?? []), name]);
  return (name) => {
    if (names.includes(name)) return name;
    const group = owners.get(name);
    if (!group) return undefined;
    const sorted = [...group].sort();
    return sorted.includes(name) ? name : sorted[0];
  };
}

function clientFor(flags: { name: string; enabled: boolean }[]): FlagsClient {
  const features: FeatureDefinition[] = flags.map(({ name, enabled }) => ({
    name,
    enabled,
    strategies: [],
    variants: [],
  }));
  return createFlags({ source: memorySource({ version: 2, features }), logger: false });
}

describe('hostile contexts and flag names', () => {
  it('never throw and never let an inherited member change an answer', async () => {
    await fc.assert(
      fc.asyncProperty(
        definitions,
        fc.array(flagName, { maxLength: 6 }),
        context,
        fc.nat(),
        async (flags, extraNames, ctx, pick) => {
          const client = clientFor(flags);
          try {
            await client.ready({ timeoutMs: 2000 });
            const defined = new Map(flags.map((flag) => [flag.name, flag.enabled]));
            const forced = flags[pick % flags.length].name;
            const requestFlags = client.forContext(ctx as FlagContext, {
              overrides: { flags: { [forced]: !defined.get(forced) } },
            });
            const plain = client.forContext(ctx as FlagContext);
            const readsFlag = requestResolver(flags.map((flag) => flag.name));
            for (const name of new Set([...MEMBERS, ...flags.map((flag) => flag.name), ...extraNames])) {
              const expected = defined.has(name) ? defined.get(name)! : false;
              const owner = readsFlag(name);
              const perRequest = owner === undefined ? false : defined.get(owner)!;
              expect(client.isEnabled(name as never, ctx as FlagContext)).toBe(expected);
              expect(client.getVariant(name as never, ctx as FlagContext).feature_enabled).toBe(expected);
              const explained = client.explain(name as never, ctx as FlagContext);
              expect(explained.enabled).toBe(expected);
              if (!defined.has(name)) expect(explained.reason).toBe('not-found');
              expect(plain.isEnabled(name as never)).toBe(perRequest);
              expect(plain.variant(name as never).feature_enabled).toBe(perRequest);
              expect(plain.explain(name as never).enabled).toBe(perRequest);
              const overridden = owner === forced ? !perRequest : perRequest;
              expect(requestFlags.isEnabled(name as never)).toBe(overridden);
              expect(requestFlags.explain(name as never).enabled).toBe(overridden);
              if (MEMBERS.includes(name)) {
                expect((plain as unknown as Record<string, unknown>)[name]).toBe(
                  (Object.prototype as Record<string, unknown>)[name],
                );
              }
            }
            expect(String(plain)).toBe('[object RequestFlags]');
            expect(() => JSON.stringify(requestFlags)).not.toThrow();
            expect(() => Object.keys(requestFlags)).not.toThrow();
            const all = client.evaluateAll(ctx as FlagContext);
            expect(Object.keys(all).sort()).toEqual([...defined.keys()].sort());
            for (const [name, enabled] of defined) expect(all[name].enabled).toBe(enabled);
          } finally {
            await client.close();
          }
        },
      ),
      { numRuns: RUNS, seed: 19 },
    );
  });
});
