// Route guards, the same rules in every adapter: their arguments checked at startup, the message for a guard
// without the adapter before it, and warnings for guards naming flags the loaded definitions lack.
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkGuard,
  checkGuardOptions,
  guardWithoutFlagsError,
  watchGuardedFlags,
} from '../../src/adapter/index.js';
import { ConfigurationError, createFlags, type FlagsClient, memorySource } from '../../src/index.js';
import { messagesAt, recordingLogger } from '../support/logging.js';
import { waitFor } from '../support/waiting.js';

const RULES = { onDisabledExample: '(req, res) => res.sendStatus(503)' };

const clients: FlagsClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

describe('checkGuard', () => {
  it('gives back the name, the variants of a variant guard, and onDisabled', () => {
    const onDisabled = () => {};
    expect(checkGuard('requireFeature', 'beta', { onDisabled }, RULES)).toEqual({
      name: 'beta',
      variants: undefined,
      onDisabled,
    });
    const variant = checkGuard('requireVariant', 'copy', {}, { ...RULES, variants: 'short' });
    expect([...variant.variants!]).toEqual(['short']);
    const inOptions = checkGuard(
      '@VariantRequired',
      'copy',
      { variants: ['a', 'b'] },
      {
        ...RULES,
        allowVariantsOption: true,
      },
    );
    expect([...inOptions.variants!]).toEqual(['a', 'b']);
  });

  it('refuses a missing name, unknown options, a bad onDisabled and empty variants, saying how to write them', () => {
    expect(() => checkGuard('requireFeature', '', {}, RULES)).toThrow(
      `requireFeature(name): name must be a flag name, e.g. requireFeature('beta-page'); got ""`,
    );
    expect(() =>
      checkGuard('route GET /beta: config.feature', 7, {}, { ...RULES, plainLabel: true }),
    ).toThrow(`route GET /beta: config.feature must be a flag name, e.g. 'beta-page'; got number 7`);
    expect(() => checkGuard('requireFeature', 'beta', { onDisable: () => {} }, RULES)).toThrow(
      /requireFeature\('beta'\): unknown option "onDisable" \(did you mean "onDisabled"\?\)/,
    );
    expect(() => checkGuard('requireFeature', 'beta', { onDisabled: 503 }, RULES)).toThrow(
      `requireFeature('beta'): onDisabled must be a function, e.g. (req, res) => res.sendStatus(503); got number 503`,
    );
    expect(() => checkGuard('requireVariant', 'copy', {}, { ...RULES, variants: [] })).toThrow(
      /variants must be a variant name or a non-empty list of them, e.g. \['b'\]; got an array \[\]/,
    );
    expect(() => checkGuardOptions('@FeatureRequired([])', 'x', RULES)).toThrow(
      /options must be an object such as \{ onDisabled \}; got "x"/,
    );
  });
});

describe('guardWithoutFlagsError', () => {
  it('says which guard ran before which adapter, and the fix', () => {
    const error = guardWithoutFlagsError("requireFeature('beta')", 'featureFlags()', 'add it first');
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe("requireFeature('beta') ran before featureFlags(): add it first");
  });
});

describe('watchGuardedFlags', () => {
  it('warns once about a guard on a flag the definitions lack, naming the nearest one, and again after a change', async () => {
    const { logger, lines } = recordingLogger();
    const source = memorySource({ flags: { 'beta-page': true } });
    const client = createFlags({ source, logger });
    clients.push(client);
    watchGuardedFlags(client);
    checkGuard('requireFeature', 'beta-pgae', {}, RULES);
    checkGuard('requireVariant', 'beta-page', {}, { ...RULES, variants: ['b'] });
    await client.ready();
    const guardWarnings = () =>
      messagesAt(lines, 'warn').filter((line) =>
        /requireFeature\('beta-pgae'\)|requireVariant\('beta-page'\)/.test(line),
      );
    await waitFor(() => guardWarnings().length === 2, 'both guard warnings', 5000);
    expect(guardWarnings()).toEqual([
      `flagwise: requireFeature('beta-pgae') names flag "beta-pgae", which is not defined: the route always answers as off (did you mean "beta-page"?)`,
      `flagwise: requireVariant('beta-page') asks for variants of flag "beta-page", which has none: the route always answers as off`,
    ]);
    source.set('other', true);
    await waitFor(() => guardWarnings().length === 4, 'the warnings after a change', 5000);
  });
});
