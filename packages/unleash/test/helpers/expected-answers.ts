// The answers unleash-client gave for a payload and a set of contexts (test/fixtures/*/…expected.json), checked
// case by case against a flagwise client serving the same payload.
import { createFlags, type FlagContext, type FlagSource, type FlagsClient } from '@flagwise/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LoopbackServer, type Responder, startLoopbackServer } from './loopback-server.js';

export interface ExpectedCase {
  context: string;
  flag: string;
  isEnabled: boolean | 'random';
  variant: { name: string; enabled: boolean; feature_enabled: boolean; payload?: unknown } | 'random';
}

export interface ExpectedAnswers {
  staticContext: { appName: string; environment: string };
  contexts: Record<string, unknown>;
  cases: unknown[];
}

/**
 * Before the tests of the describe block: a loopback server answering with `respond`, and a ready client over
 * the source `sourceFor(serverUrl)` gives, in the app and environment unleash-client was asked with; both closed
 * after them.
 */
export function clientOnLoopback(
  respond: Responder,
  sourceFor: (serverUrl: string) => FlagSource,
  expected: ExpectedAnswers,
): { readonly server: LoopbackServer; readonly flags: FlagsClient } {
  let server: LoopbackServer;
  let flags: FlagsClient;
  beforeAll(async () => {
    server = await startLoopbackServer(respond);
    flags = createFlags({
      source: sourceFor(server.url),
      appName: expected.staticContext.appName,
      environment: expected.staticContext.environment,
    });
    await flags.ready({ timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await flags?.close();
    await server?.close();
  });
  return {
    get server() {
      return server;
    },
    get flags() {
      return flags;
    },
  };
}

/**
 * One test per case unleash-client answered the same every time (not `random`): isEnabled() and getVariant() of
 * the client `flags()` gives must equal its answers; and a test that there are more than `atLeast` such cases.
 */
export function itAnswersAsUnleashClient(
  expected: ExpectedAnswers,
  flags: () => FlagsClient,
  atLeast: number,
): void {
  const cases = (expected.cases as ExpectedCase[]).filter(
    (entry) => entry.isEnabled !== 'random' && entry.variant !== 'random',
  );

  it('has cases to check', () => {
    expect(cases.length).toBeGreaterThan(atLeast);
  });

  it.each(cases)(
    '$flag for context $context matches unleash-client',
    ({ context, flag, isEnabled, variant }) => {
      const ctx = (expected.contexts as Record<string, FlagContext>)[context];
      expect(flags().isEnabled(flag, ctx)).toBe(isEnabled);
      const actual = flags().getVariant(flag, ctx);
      const shape: Record<string, unknown> = {
        name: actual.name,
        enabled: actual.enabled,
        feature_enabled: actual.feature_enabled,
      };
      if (actual.payload !== undefined) shape.payload = actual.payload;
      expect(shape).toEqual(variant);
    },
  );
}
