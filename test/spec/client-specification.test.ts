// Runs every test of every file of @unleash/client-specification that carries `state.features`, driven by the
// package's own specifications/index.json, against our engine.
import {
  type ClientFeaturesPayload,
  createFlags,
  type FlagContext,
  type FlagsClient,
  inlineSource,
  type VariantResult,
} from '@flagwise/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFlags } from '../../packages/core/src/engine/index.js';
import { specFiles } from './spec-files.js';

interface Evaluator {
  isEnabled(name: string, context: FlagContext): boolean;
  getVariant(name: string, context: FlagContext): VariantResult;
}

const clients: FlagsClient[] = [];
afterAll(() => Promise.all(clients.map((client) => client.close())));

/** The evaluator under test: the public client, as users create it, over the spec's state. */
async function evaluatorFor(state: Partial<ClientFeaturesPayload>): Promise<Evaluator> {
  const flags = createFlags({ source: inlineSource({ version: 2, ...state } as ClientFeaturesPayload) });
  clients.push(flags);
  await flags.ready({ timeoutMs: 5000 });
  return flags;
}

describe.each(specFiles.map((spec) => [spec.name, spec] as const))('%s', (_name, spec) => {
  let evaluator: Evaluator;
  beforeAll(async () => {
    evaluator = await evaluatorFor(spec.state);
  });

  it('compiles without errors', () => {
    expect(compileFlags(spec.state).errors).toEqual([]);
  });
  if (spec.tests?.length) {
    it.each(spec.tests.map((test) => [test.description, test] as const))('%s', (_description, test) => {
      expect(evaluator.isEnabled(test.toggleName, test.context)).toBe(test.expectedResult);
    });
  }
  if (spec.variantTests?.length) {
    it.each(spec.variantTests.map((test) => [test.description, test] as const))(
      '%s',
      (_description, test) => {
        const expected = test.expectedResult as VariantResult;
        // the specification predates `featureEnabled` (which mirrors feature_enabled); nothing else may differ
        expect(evaluator.getVariant(test.toggleName, test.context)).toEqual({
          ...expected,
          featureEnabled: expected.feature_enabled,
        });
      },
    );
  }
});

it('covers the whole specification (about 275 evaluations)', () => {
  const count = specFiles.reduce(
    (sum, spec) => sum + (spec.tests?.length ?? 0) + (spec.variantTests?.length ?? 0),
    0,
  );
  expect(count).toBeGreaterThanOrEqual(270);
});
