// Property-based robustness: compileFlags and every evaluation never throw, whatever the JSON and the context,
// and every malformed flag is reported in `errors` (naming the flag and the field) while the good flags around it
// keep evaluating exactly as they would alone.
import type { FeatureDefinition, FlagContext } from '@flagwise/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFlags } from '../../packages/core/src/engine/index.js';

const RUNS = 300;

const validFlags: FeatureDefinition[] = [
  {
    name: 'rollout',
    enabled: true,
    strategies: [
      {
        name: 'flexibleRollout',
        parameters: { rollout: '50', stickiness: 'default', groupId: 'rollout' },
        constraints: [
          { contextName: 'plan', operator: 'IN', values: ['pro'] },
          { contextName: 'age', operator: 'NUM_GTE', value: '18' },
        ],
        segments: [1],
        variants: [{ name: 's', weight: 1000, weightType: 'variable', stickiness: 'default' }],
      },
    ],
    variants: [
      { name: 'a', weight: 500, weightType: 'variable', payload: { type: 'json', value: '{}' } },
      {
        name: 'b',
        weight: 500,
        weightType: 'variable',
        overrides: [{ contextName: 'userId', values: ['1'] }],
      },
    ],
    dependencies: [{ feature: 'base', enabled: true, variants: ['x'] }],
  },
  { name: 'base', enabled: true, strategies: [{ name: 'default', parameters: {} }], variants: [] },
  {
    name: 'ids',
    enabled: true,
    strategies: [{ name: 'userWithId', parameters: { userIds: '1,2,3' } }],
    variants: [],
  },
];
const segments = [{ id: 1, constraints: [{ contextName: 'country', operator: 'NOT_IN', values: ['KP'] }] }];

type Flag = Record<string, any>;

/** A corruption: how it breaks the flag, and the field path the error must name. */
interface Corruption {
  field: string;
  apply(flag: Flag): void;
}

const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant({}), fc.constant([1]));
const notANumber = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.constant({}),
  fc.constant(Number.NaN),
);
const notABoolean = fc.oneof(fc.string({ minLength: 1 }), fc.integer(), fc.constant({}), fc.constant([]));
const notAnArray = fc.oneof(fc.string(), fc.integer(), fc.constant({}), fc.constant(true));
const notAnObject = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.constant(null),
  fc.constant([]),
  fc.constant(false),
);
const badPercentage = fc.oneof(
  fc.constantFrom('abc', '', ' ', '150', '-1', '100.5', 'NaN', '1e3'),
  fc.integer({ min: 101, max: 10_000 }),
  fc.integer({ max: -1 }),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant({}),
);

const corruptions: fc.Arbitrary<Corruption> = fc.oneof(
  notABoolean.map((value) => ({ field: 'enabled', apply: (flag: Flag) => void (flag.enabled = value) })),
  fc.constant({ field: 'enabled', apply: (flag: Flag) => void delete flag.enabled }),
  notAnArray.map((value) => ({ field: 'strategies', apply: (flag: Flag) => void (flag.strategies = value) })),
  fc.constant({ field: 'strategies', apply: (flag: Flag) => void delete flag.strategies }),
  notAnObject.map((value) => ({
    field: 'strategies[0]',
    apply: (flag: Flag) => void (flag.strategies[0] = value),
  })),
  notAString.map((value) => ({
    field: 'strategies[0].name',
    apply: (flag: Flag) => void (flag.strategies[0].name = value),
  })),
  fc.oneof(fc.string(), fc.integer(), fc.constant([])).map((value) => ({
    field: 'strategies[0].parameters',
    apply: (flag: Flag) => void (flag.strategies[0].parameters = value),
  })),
  badPercentage.map((value) => ({
    field: 'strategies[0].parameters.rollout',
    apply: (flag: Flag) => void (flag.strategies[0].parameters.rollout = value),
  })),
  notAnArray.map((value) => ({
    field: 'strategies[0].constraints',
    apply: (flag: Flag) => void (flag.strategies[0].constraints = value),
  })),
  notAnObject.map((value) => ({
    field: 'strategies[0].constraints[0]',
    apply: (flag: Flag) => void (flag.strategies[0].constraints[0] = value),
  })),
  notAString.map((value) => ({
    field: 'strategies[0].constraints[0].contextName',
    apply: (flag: Flag) => void (flag.strategies[0].constraints[0].contextName = value),
  })),
  notAString.map((value) => ({
    field: 'strategies[0].constraints[0].operator',
    apply: (flag: Flag) => void (flag.strategies[0].constraints[0].operator = value),
  })),
  fc.oneof(notAnArray, fc.constant(undefined), fc.constant(null)).map((value) => ({
    field: 'strategies[0].constraints[0].values',
    apply: (flag: Flag) => void (flag.strategies[0].constraints[0].values = value),
  })),
  fc.oneof(fc.integer({ min: 1 }), fc.constant({}), fc.constant(true)).map((value) => ({
    field: 'strategies[0].constraints[0].values[0]',
    apply: (flag: Flag) => void (flag.strategies[0].constraints[0].values = [value]),
  })),
  notABoolean.map((value) => ({
    field: 'strategies[0].constraints[0].inverted',
    apply: (flag: Flag) => void (flag.strategies[0].constraints[0].inverted = value),
  })),
  fc.oneof(fc.constant({}), fc.constant([]), fc.boolean()).map((value) => ({
    field: 'strategies[0].constraints[1].value',
    apply: (flag: Flag) => void (flag.strategies[0].constraints[1].value = value),
  })),
  notAnArray.map((value) => ({
    field: 'strategies[0].segments',
    apply: (flag: Flag) => void (flag.strategies[0].segments = value),
  })),
  fc.oneof(fc.string(), fc.constant(null), fc.constant({})).map((value) => ({
    field: 'strategies[0].segments[0]',
    apply: (flag: Flag) => void (flag.strategies[0].segments = [value]),
  })),
  notAnArray.map((value) => ({
    field: 'strategies[0].variants',
    apply: (flag: Flag) => void (flag.strategies[0].variants = value),
  })),
  notAnArray.map((value) => ({ field: 'variants', apply: (flag: Flag) => void (flag.variants = value) })),
  notAnObject.map((value) => ({
    field: 'variants[0]',
    apply: (flag: Flag) => void (flag.variants[0] = value),
  })),
  notAString.map((value) => ({
    field: 'variants[0].name',
    apply: (flag: Flag) => void (flag.variants[0].name = value),
  })),
  notANumber.map((value) => ({
    field: 'variants[0].weight',
    apply: (flag: Flag) => void (flag.variants[0].weight = value),
  })),
  fc.oneof(fc.string(), fc.integer()).map((value) => ({
    field: 'variants[0].payload',
    apply: (flag: Flag) => void (flag.variants[0].payload = value),
  })),
  fc.oneof(fc.integer(), fc.constant({}), fc.constant(null)).map((value) => ({
    field: 'variants[0].payload.value',
    apply: (flag: Flag) => void (flag.variants[0].payload.value = value),
  })),
  notAnArray.map((value) => ({
    field: 'variants[1].overrides',
    apply: (flag: Flag) => void (flag.variants[1].overrides = value),
  })),
  notAnArray.map((value) => ({
    field: 'variants[1].overrides[0].values',
    apply: (flag: Flag) => void (flag.variants[1].overrides[0].values = value),
  })),
  notAnArray.map((value) => ({
    field: 'dependencies',
    apply: (flag: Flag) => void (flag.dependencies = value),
  })),
  notAString.map((value) => ({
    field: 'dependencies[0].feature',
    apply: (flag: Flag) => void (flag.dependencies[0].feature = value),
  })),
  notABoolean.map((value) => ({
    field: 'dependencies[0].enabled',
    apply: (flag: Flag) => void (flag.dependencies[0].enabled = value),
  })),
);

const contexts: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(),
  fc.record(
    {
      userId: fc.anything(),
      sessionId: fc.anything(),
      remoteAddress: fc.anything(),
      currentTime: fc.oneof(fc.anything(), fc.date({ noInvalidDate: false })),
      environment: fc.anything(),
      properties: fc.oneof(fc.anything(), fc.dictionary(fc.string(), fc.anything())),
    },
    { requiredKeys: [] },
  ),
);

function evaluateEverything(flags: ReturnType<typeof compileFlags>, names: string[], context: unknown) {
  for (const name of names) {
    expect(typeof flags.isEnabled(name, context as FlagContext)).toBe('boolean');
    expect(typeof flags.getVariant(name, context as FlagContext).name).toBe('string');
    expect(typeof flags.explain(name, context as FlagContext).reason).toBe('string');
  }
}

describe('malformed input', () => {
  it('any JSON value as payload: compileFlags and evaluations never throw', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), contexts, (payload, features, context) => {
        for (const candidate of [payload, { version: 2, features }, { version: 2, features: [features] }]) {
          const flags = compileFlags(candidate);
          evaluateEverything(flags, [...flags.names(), 'missing'], context);
        }
      }),
      { numRuns: RUNS, seed: 1 },
    );
  });

  it('every malformed flag is reported once, by name and field; its neighbours are unaffected', () => {
    fc.assert(
      fc.property(
        corruptions,
        fc.integer({ min: 0, max: validFlags.length - 1 }),
        contexts,
        (corruption, target, context) => {
          const features = structuredClone(validFlags) as Flag[];
          const broken = features[target];
          // give every flag the fields the corruption addresses, so each corruption applies to any target
          broken.strategies = structuredClone(validFlags[0].strategies);
          broken.variants = structuredClone(validFlags[0].variants);
          broken.dependencies = [{ feature: 'ids', enabled: true, variants: ['x'] }];
          corruption.apply(broken);
          const flags = compileFlags({ version: 2, features, segments });

          const reported = flags.errors.filter((error) => error.flag === broken.name);
          expect(reported, `${corruption.field} of "${broken.name}"`).toHaveLength(1);
          expect(
            reported[0].field.startsWith(corruption.field),
            `${reported[0].field} names ${corruption.field}`,
          ).toBe(true);
          expect(reported[0].message).toContain(broken.name);
          expect(flags.errors).toHaveLength(1);

          const ctx = context as FlagContext;
          expect(flags.isEnabled(broken.name, ctx, true)).toBe(true);
          expect(flags.isEnabled(broken.name, ctx, false)).toBe(false);
          expect(flags.explain(broken.name, ctx).reason).toBe('error');

          // the others evaluate as in a payload without the broken flag (a dependency on it fails like a disabled parent)
          const alone = compileFlags({
            version: 2,
            features: features.filter((f) => f !== broken),
            segments,
          });
          for (const other of features) {
            if (
              other === broken ||
              other.dependencies?.some((d: { feature: string }) => d.feature === broken.name)
            )
              continue;
            expect(flags.isEnabled(other.name, ctx)).toBe(alone.isEnabled(other.name, ctx));
          }
          evaluateEverything(flags, [...flags.names(), 'missing'], context);
        },
      ),
      { numRuns: RUNS * 3, seed: 2 },
    );
  });

  it('any context, including contexts whose getters throw, never makes an evaluation throw', () => {
    const flags = compileFlags({ version: 2, features: validFlags, segments });
    fc.assert(
      fc.property(contexts, (context) => evaluateEverything(flags, [...flags.names(), 'missing'], context)),
      { numRuns: RUNS, seed: 3 },
    );
    const hostile = Object.defineProperty({}, 'userId', {
      get() {
        throw new Error('boom');
      },
    }) as FlagContext;
    expect(flags.isEnabled('ids', hostile, true)).toBe(true);
    expect(flags.explain('ids', hostile).reason).toBe('error');
  });
});
