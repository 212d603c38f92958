// One request, one evaluation per flag, in core: flags read in random orders (property, isEnabled, variant,
// explain, toJSON) on anonymous and identified contexts, with and without a QA override, through the app API's
// `forContext` and through the adapters' path (`requestFlagsLater`, the context built at the first read).
// Value, variant and reason always agree within one request, and explain() never warns about a variant() call
// the code did not make.
import {
  type ClientFeaturesPayload,
  createFlags,
  type FlagContext,
  type FlagOverrides,
  memorySource,
  type RequestFlags,
} from '@flagwise/core';
import { requestFlagsLater } from '@flagwise/core/adapter';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chancyDefinitions,
  expectOneEvaluation,
  READ_STEPS,
  readInOrder,
  type StepResult,
} from '../conformance/read-in-order.js';

const RUNS = 300;

const always = { name: 'default', parameters: {}, constraints: [] };
const definitions = () =>
  chancyDefinitions([
    { name: 'plain', enabled: true, strategies: [always] },
    { name: 'off', enabled: false, strategies: [always], browser: true },
  ] as ClientFeaturesPayload['features']);
const FLAGS = ['rollout-20', 'rollout-variants', 'split', 'plain', 'off'] as const;

const contexts: fc.Arbitrary<FlagContext> = fc.oneof(
  fc.constant({}),
  fc.record({ remoteAddress: fc.ipV4() }),
  fc.record({ userId: fc.constantFrom('alice', 'bob', 'carol', 'dave', 'erin') }),
  fc.record({ sessionId: fc.uuid() }),
);
const overrides: fc.Arbitrary<FlagOverrides | undefined> = fc.option(
  fc.oneof(
    fc.record({ flags: fc.dictionary(fc.constantFrom(...FLAGS), fc.boolean(), { maxKeys: 2 }) }),
    fc.record({
      variants: fc.dictionary(fc.constantFrom('split', 'rollout-variants'), fc.constant('short')),
    }),
  ),
  { nil: undefined },
);
const steps = fc.array(fc.constantFrom(...READ_STEPS, 'toJSON' as const), { minLength: 2, maxLength: 8 });

/** The reads of one flag in order; toJSON answers for the flags the page may see. */
function read(flags: RequestFlags, flag: string, order: string[]): StepResult[] {
  const results: StepResult[] = [];
  for (const step of order) {
    if (step !== 'toJSON') {
      results.push(...readInOrder(flags, flag, step));
      continue;
    }
    const entry = flags.toJSON()[flag];
    if (entry === undefined) continue;
    const result: StepResult = { step: 'variant', enabled: entry.enabled };
    if (entry.variant !== undefined) Object.assign(result, { variant: entry.variant, variantEnabled: true });
    results.push(result);
  }
  return results;
}

/** Value, variant and reason agree; overrides give the reason `override` with the value they force. */
function expectAgreement(results: StepResult[], forced: boolean): void {
  if (results.length === 0) return;
  if (!forced) {
    expectOneEvaluation(results);
    return;
  }
  expect(new Set(results.map((r) => r.enabled)).size, JSON.stringify(results)).toBe(1);
  expect(new Set(results.filter((r) => r.variantEnabled).map((r) => r.variant)).size).toBeLessThanOrEqual(1);
  for (const result of results) if (result.reason !== undefined) expect(result.reason).toBe('override');
}

describe('one request, one evaluation per flag', () => {
  it('agrees on value, variant and reason whatever the order of the reads, with and without overrides', async () => {
    const warnings: string[] = [];
    const client = createFlags({ source: memorySource(definitions()), logger: false });
    client.on('warn', (message) => warnings.push(message));
    await client.ready({ timeoutMs: 5000 });
    const reader = {
      inputOf: (context: FlagContext) => ({ ip: context.remoteAddress }),
      setCookies() {},
      setHeaders() {},
    };
    try {
      fc.assert(
        fc.property(
          fc.constantFrom(...FLAGS),
          steps,
          contexts,
          overrides,
          fc.boolean(),
          (flag, order, context, forced, throughAdapter) => {
            const flags = throughAdapter
              ? requestFlagsLater(client, { ...context }, undefined, reader, (request) => request)
              : client.forContext({ ...context }, { overrides: forced });
            const overridden =
              !throughAdapter &&
              forced !== undefined &&
              (Object.hasOwn(forced.flags ?? {}, flag) || Object.hasOwn(forced.variants ?? {}, flag));
            expectAgreement(read(flags, flag, order), overridden);
          },
        ),
        { numRuns: RUNS, seed: 27 },
      );
      // explain() asks for no variant by name: only variant() on a flag without variants warns about it.
      expect(warnings.filter((w) => /has no variants/.test(w))).toEqual(
        warnings.filter((w) => /variant\("(plain|off|rollout-20)"\)/.test(w)),
      );
      const explainOnly = client.forContext({ userId: 'x' });
      const before = warnings.length;
      explainOnly.explain('plain');
      explainOnly.toJSON();
      expect(warnings.slice(before).filter((w) => /has no variants/.test(w))).toEqual([]);
    } finally {
      await client.close();
    }
  });
});
