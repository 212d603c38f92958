// The client specification again, through OpenFeature: each spec file's state behind a FlagwiseProvider, every
// case asked with OpenFeature's getBooleanDetails / getStringDetails, and every answer the same as flagwise's
// own client gives and the specification expects.
import {
  type ClientFeaturesPayload,
  createFlags,
  type FlagContext,
  type FlagSource,
  type FlagsClient,
  type VariantResult,
} from '@flagwise/core';
import { FlagwiseProvider } from '@flagwise/openfeature';
import { type Client, type EvaluationContext, OpenFeature } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specFiles } from './spec-files.js';

const clients: FlagsClient[] = [];
afterAll(async () => {
  await OpenFeature.close();
  await Promise.all(clients.map((client) => client.close()));
});

/** The spec's state as an Unleash server serves it: as is, with no check before the client compiles it. */
function servedAsIs(definitions: ClientFeaturesPayload): FlagSource {
  return {
    name: 'client-specification',
    status: 'ready',
    start: async () => {},
    stop: async () => {},
    current: () => definitions,
    subscribe: () => () => {},
  };
}

/** The spec's Unleash context as an OpenFeature app writes it: the user id as targetingKey. */
function openFeatureContext(context: FlagContext): EvaluationContext {
  const { userId, ...rest } = context;
  return (userId === undefined ? rest : { targetingKey: userId, ...rest }) as EvaluationContext;
}

let asked = 0;

describe.each(specFiles.map((spec) => [spec.name, spec] as const))('%s', (name, spec) => {
  let flagwise: FlagsClient;
  let openFeature: Client;
  beforeAll(async () => {
    flagwise = createFlags({ source: servedAsIs({ version: 2, ...spec.state } as ClientFeaturesPayload) });
    clients.push(flagwise);
    await OpenFeature.setProviderAndWait(name, new FlagwiseProvider(flagwise));
    openFeature = OpenFeature.getClient(name);
  });

  if (spec.tests?.length) {
    it.each(spec.tests.map((test) => [test.description, test] as const))('%s', async (_description, test) => {
      const details = await openFeature.getBooleanDetails(
        test.toggleName,
        false,
        openFeatureContext(test.context),
      );
      asked++;
      expect(details.value).toBe(test.expectedResult);
      expect(details.value).toBe(flagwise.isEnabled(test.toggleName, test.context));
      // An unknown flag is an error with the default; a known one never is.
      if (flagwise.feature(test.toggleName)) expect(details.errorCode).toBeUndefined();
      else expect(details.errorCode).toBe('FLAG_NOT_FOUND');
    });
  }
  if (spec.variantTests?.length) {
    it.each(spec.variantTests.map((test) => [test.description, test] as const))(
      '%s',
      async (_description, test) => {
        const expected = test.expectedResult as VariantResult;
        const details = await openFeature.getStringDetails(
          test.toggleName,
          'disabled',
          openFeatureContext(test.context),
        );
        asked++;
        expect(details.value).toBe(expected.name);
        expect(details.value).toBe(flagwise.getVariant(test.toggleName, test.context).name);
        if (expected.enabled) expect(details.variant).toBe(expected.name);
        else expect(details.variant).toBeUndefined();
      },
    );
  }
});

it('asked every case of the specification through OpenFeature', () => {
  const count = specFiles.reduce(
    (sum, spec) => sum + (spec.tests?.length ?? 0) + (spec.variantTests?.length ?? 0),
    0,
  );
  expect(count).toBeGreaterThanOrEqual(270);
  expect(asked).toBe(count);
});
