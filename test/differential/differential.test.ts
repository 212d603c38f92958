// Differential test: for the same definitions and contexts, our engine and unleash-client 6.12.2 (offline, metrics
// off) must give the same isEnabled and the same variant (name, enabled, payload, feature_enabled). Cases where
// unleash-client draws a random number are left out (detected by counting Math.random calls).
//
// Reproduce a reported disagreement with FLAGWISE_DIFF_SEED=<seed> pnpm vitest run test/differential
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientFeaturesPayload, FeatureDefinition, FlagContext, VariantResult } from '@flagwise/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CompiledFlags, compileFlags } from '../../packages/core/src/engine/index.js';
import { LIST_OPERATORS, VALUE_OPERATORS } from '../../packages/core/src/engine/operators.js';
import { customStrategy, randomContext, randomPayload, seededRandom } from './generator.js';
import { type OfflineUnleash, startOfflineUnleash } from './unleash-offline.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const STATIC_CONTEXT = { appName: 'diff-app', environment: 'production' };
const REQUIRED_PAIRS = 100_000;
const FLAGS_PER_PAYLOAD = 10;
const CONTEXTS_PER_PAYLOAD = 12;
const MAX_PAYLOADS = 5_000;

let randomCalls = 0;
const realRandom = Math.random;

interface Outcome {
  enabled: boolean;
  variant: Pick<VariantResult, 'name' | 'enabled' | 'payload' | 'feature_enabled'>;
}

type Comparison =
  | { kind: 'same' }
  | { kind: 'random' }
  | { kind: 'different'; ours: Outcome; theirs: Outcome | string };

function outcomeOf(enabled: boolean, variant: VariantResult): Outcome {
  const { name, enabled: variantEnabled, payload, feature_enabled } = variant;
  return { enabled, variant: { name, enabled: variantEnabled, payload, feature_enabled } };
}

function compare(
  unleash: OfflineUnleash,
  flags: CompiledFlags,
  name: string,
  context: FlagContext,
): Comparison {
  randomCalls = 0;
  let theirs: Outcome | string;
  try {
    theirs = outcomeOf(unleash.isEnabled(name, context), unleash.getVariant(name, context));
  } catch (error) {
    theirs = `unleash-client threw: ${(error as Error).message}`;
  }
  const ours = outcomeOf(flags.isEnabled(name, context), flags.getVariant(name, context));
  if (randomCalls > 0) return { kind: 'random' };
  if (typeof theirs === 'string') {
    // where unleash-client fails, we must have rejected the flag at compile time
    return flags.errors.some((error) => error.flag === name)
      ? { kind: 'same' }
      : { kind: 'different', ours, theirs };
  }
  return sameOutcome(ours, theirs) ? { kind: 'same' } : { kind: 'different', ours, theirs };
}

function sameOutcome(a: Outcome, b: Outcome): boolean {
  return (
    a.enabled === b.enabled &&
    a.variant.name === b.variant.name &&
    a.variant.enabled === b.variant.enabled &&
    a.variant.feature_enabled === b.variant.feature_enabled &&
    // payloads are small JSON objects (or absent): their JSON text compares them fully
    JSON.stringify(a.variant.payload) === JSON.stringify(b.variant.payload)
  );
}

function describeMismatch(
  label: string,
  name: string,
  context: FlagContext,
  result: Comparison,
  payload: ClientFeaturesPayload,
) {
  if (result.kind !== 'different') return '';
  const definition = payload.features.filter((feature) => feature.name === name);
  return [
    `${label}: flag "${name}" disagrees`,
    `  context: ${JSON.stringify(context)}`,
    `  ours:    ${JSON.stringify(result.ours)}`,
    `  theirs:  ${JSON.stringify(result.theirs)}`,
    `  definition: ${JSON.stringify(definition)}`,
    `  segments: ${JSON.stringify(payload.segments ?? [])}`,
  ].join('\n');
}

const EVERYTHING = [
  ...['default', 'userWithId', 'gradualRolloutUserId', 'gradualRolloutSessionId', 'gradualRolloutRandom'],
  ...['flexibleRollout', 'remoteAddress', 'applicationHostname', 'planIs', 'unknownStrategy'],
  // every operator the engine knows, and one it does not
  ...LIST_OPERATORS,
  ...VALUE_OPERATORS,
  'NOT_A_REAL_OPERATOR',
  ...['inverted', 'caseInsensitive', 'segment', 'flag variants'],
  ...['strategy variants', 'overrides', 'dependency', 'dependency on disabled', 'dependency on variants'],
];

function noteFeaturesUsed(feature: FeatureDefinition, used: Set<string>): void {
  for (const strategy of feature.strategies ?? []) {
    used.add(strategy.name);
    for (const constraint of strategy.constraints ?? []) {
      used.add(constraint.operator);
      if (constraint.inverted) used.add('inverted');
      if (constraint.caseInsensitive) used.add('caseInsensitive');
    }
    if (strategy.segments?.length) used.add('segment');
    if (strategy.variants?.length) used.add('strategy variants');
  }
  if (feature.variants?.length) used.add('flag variants');
  if (feature.variants?.some((variant) => variant.overrides?.length)) used.add('overrides');
  for (const dependency of feature.dependencies ?? []) {
    used.add(
      dependency.enabled === false
        ? 'dependency on disabled'
        : dependency.variants?.length
          ? 'dependency on variants'
          : 'dependency',
    );
  }
}

let unleash: OfflineUnleash;

beforeAll(async () => {
  unleash = await startOfflineUnleash(STATIC_CONTEXT, [customStrategy]);
  Math.random = () => {
    randomCalls++;
    return realRandom();
  };
});

afterAll(() => {
  Math.random = realRandom;
  unleash?.destroy();
});

describe('unleash-client 6.12.2 and flagwise agree', () => {
  it('on every flag of every client-specification state, for every context the specification uses', () => {
    const require = createRequire(import.meta.url);
    const specDir = path.dirname(require.resolve('@unleash/client-specification/specifications/index.json'));
    const files = JSON.parse(readFileSync(path.join(specDir, 'index.json'), 'utf8')) as string[];
    const mismatches: string[] = [];
    let compared = 0;
    for (const file of files) {
      const spec = JSON.parse(readFileSync(path.join(specDir, file), 'utf8'));
      if (!Array.isArray(spec.state?.features)) continue;
      const payload = spec.state as ClientFeaturesPayload;
      unleash.load(payload);
      const flags = compileFlags(payload, { staticContext: STATIC_CONTEXT, strategies: [customStrategy] });
      const contexts: FlagContext[] = [...(spec.tests ?? []), ...(spec.variantTests ?? [])].map(
        (test) => test.context,
      );
      for (const feature of payload.features) {
        for (const context of contexts) {
          const result = compare(unleash, flags, feature.name, context);
          if (result.kind === 'same') compared++;
          if (result.kind === 'different')
            mismatches.push(describeMismatch(file, feature.name, context, result, payload));
        }
      }
    }
    expect(mismatches.slice(0, 5).join('\n\n')).toBe('');
    expect(compared).toBeGreaterThan(1000);
  });

  it.each(['unleash-client-features', 'gitlab-client-features'])(
    'on the shared fixture %s, and both match its recorded expectations',
    async (fixture) => {
      // test/fixtures/unleash/unleash-client-features.json, test/fixtures/gitlab/gitlab-client-features.json
      const fixtureDir = path.join(here, '..', 'fixtures', fixture.slice(0, fixture.indexOf('-')));
      const payload = JSON.parse(readFileSync(path.join(fixtureDir, `${fixture}.json`), 'utf8'));
      const expected = JSON.parse(readFileSync(path.join(fixtureDir, `${fixture}.expected.json`), 'utf8'));
      const fixtureUnleash = await startOfflineUnleash(expected.staticContext);
      try {
        fixtureUnleash.load(payload);
        const flags = compileFlags(payload, { staticContext: expected.staticContext });
        expect(flags.errors).toEqual([]);
        const mismatches: string[] = [];
        for (const testCase of expected.cases as {
          context: string;
          flag: string;
          isEnabled: boolean;
          variant: unknown;
        }[]) {
          const context = expected.contexts[testCase.context] as FlagContext;
          const result = compare(fixtureUnleash, flags, testCase.flag, context);
          if (result.kind === 'different')
            mismatches.push(describeMismatch(testCase.context, testCase.flag, context, result, payload));
          if (testCase.isEnabled !== ('random' as unknown))
            expect(flags.isEnabled(testCase.flag, context), `${testCase.flag} for ${testCase.context}`).toBe(
              testCase.isEnabled,
            );
          if (testCase.variant !== 'random') {
            expect(
              flags.getVariant(testCase.flag, context),
              `${testCase.flag} for ${testCase.context}`,
            ).toMatchObject(testCase.variant as object);
          }
        }
        expect(mismatches.join('\n\n')).toBe('');
      } finally {
        fixtureUnleash.destroy();
      }
    },
  );

  // usually 5-10 s; the timeout leaves room for a machine shared with other work
  it(`on at least ${REQUIRED_PAIRS.toLocaleString('en')} random (definition, context) pairs`, {
    timeout: 120_000,
  }, () => {
    const baseSeed = Number(process.env.FLAGWISE_DIFF_SEED ?? 20261122);
    const onlyOne = process.env.FLAGWISE_DIFF_SEED !== undefined;
    const mismatches: string[] = [];
    const rejected: string[] = [];
    let compared = 0;
    let skippedRandom = 0;
    // what the compared definitions used: every strategy, every operator, segments, both kinds of variants...
    const used = new Set<string>();
    for (let i = 0; (onlyOne ? i < 1 : compared < REQUIRED_PAIRS) && i < MAX_PAYLOADS; i++) {
      const seed = baseSeed + i;
      const random = seededRandom(seed);
      const payload = randomPayload(random, FLAGS_PER_PAYLOAD);
      const contexts = Array.from({ length: CONTEXTS_PER_PAYLOAD }, () => randomContext(random));
      unleash.load(payload);
      const flags = compileFlags(payload, { staticContext: STATIC_CONTEXT, strategies: [customStrategy] });
      // every generated definition is valid Unleash: rejecting one would be stricter than Unleash
      for (const error of flags.errors) rejected.push(`seed ${seed}: ${error.message}`);
      for (const feature of payload.features) noteFeaturesUsed(feature, used);
      for (const segment of payload.segments ?? []) for (const c of segment.constraints) used.add(c.operator);
      for (const feature of payload.features) {
        for (const context of contexts) {
          const result = compare(unleash, flags, feature.name, context);
          if (result.kind === 'same') compared++;
          else if (result.kind === 'random') skippedRandom++;
          else if (mismatches.length < 5) {
            mismatches.push(
              describeMismatch(
                `seed ${seed} (FLAGWISE_DIFF_SEED=${seed})`,
                feature.name,
                context,
                result,
                payload,
              ),
            );
          }
        }
      }
    }
    expect(rejected.slice(0, 5).join('\n')).toBe('');
    expect(mismatches.join('\n\n')).toBe('');
    if (!onlyOne) {
      expect(compared).toBeGreaterThanOrEqual(REQUIRED_PAIRS);
      expect([...EVERYTHING].filter((thing) => !used.has(thing))).toEqual([]);
    }
    expect(skippedRandom).toBeLessThan(compared);
    console.info(`compared ${compared}, random ${skippedRandom}`);
  });
});
