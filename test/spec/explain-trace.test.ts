// traceFlag over every client-specification case that has a context: the trace carries explain()'s answer, the
// strategy it marks as matching is the one explain() names, and each strategy's parts add up to its result.
import { compileFlags, type FlagTrace, traceFlag } from '@flagwise/core';
import { describe, expect, it } from 'vitest';
import { specFiles } from './spec-files.js';

const cases = specFiles.flatMap((spec) =>
  [...(spec.tests ?? []), ...(spec.variantTests ?? [])]
    .filter((test) => test.context && Object.keys(test.context).length > 0)
    .map((test) => [`${spec.name}: ${test.description}`, spec, test] as const),
);

/** A strategy whose rule is a coin toss cannot be compared across two evaluations. */
function isRandom(trace: FlagTrace): boolean {
  return trace.strategies.some((strategy) => strategy.rollout?.random && strategy.rollout.percentage < 100);
}

describe('traceFlag over the client specification', () => {
  it('has cases with a context', () => {
    expect(cases.length).toBeGreaterThan(150);
  });

  it.each(cases)('%s', (_name, spec, test) => {
    const flags = compileFlags({ version: 2, ...spec.state });
    const explanation = flags.explain(test.toggleName, test.context);
    const trace = traceFlag(flags, test.toggleName, test.context);
    if (isRandom(trace)) return;
    expect(trace.enabled).toBe(explanation.enabled);
    expect(trace.reason).toBe(explanation.reason);
    // a variant without a sticky value is picked at random: compare only answers that repeat
    const repeats = Array.from(
      { length: 8 },
      () => flags.explain(test.toggleName, test.context).variant.name,
    );
    if (repeats.every((name) => name === explanation.variant.name)) {
      expect(trace.variant).toEqual(explanation.variant);
    }

    for (const strategy of trace.strategies) {
      const partsHold =
        strategy.constraints.every((constraint) => constraint.held) &&
        strategy.segments.every((segment) => segment.held) &&
        strategy.ruleHeld &&
        strategy.known;
      expect(strategy.matched, `strategy #${strategy.index + 1} (${strategy.name})`).toBe(partsHold);
    }
    const dependenciesHold = trace.dependencies.every((dependency) => dependency.held);
    if (explanation.reason === 'dependency-failed') expect(dependenciesHold).toBe(false);
    if (trace.flagEnabled && dependenciesHold && trace.strategies.length > 0) {
      const first = trace.strategies.findIndex((strategy) => strategy.matched);
      expect(first === -1 ? undefined : first).toBe(explanation.strategyIndex);
    }
  });
});
