// Route guards, the same rules in every adapter: their arguments checked at startup, the message for a guard
// without the adapter before it, and warnings for guards naming flags the loaded definitions lack.
import { afterEach, describe, expect, it } from 'vitest';
import { messagesAt, recordingLogger } from '../../../../test/support/logging.js';
import { waitFor } from '../../../../test/support/waiting.js';
import {
  checkGuard,
  checkGuardOptions,
  flagAllows,
  guardWithoutFlagsError,
  watchGuardedFlags,
} from '../../src/adapter/index.js';
import { ConfigurationError, createFlags, type FlagsClient, memorySource } from '../../src/index.js';

const RULES = { onDisabledExample: '(req, res) => res.sendStatus(503)' };

const clients: FlagsClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

describe('checkGuard', () => {
  it('gives back the name, the variants of a variant guard, and onDisabled', () => {
    const onDisabled = () => {};
    expect(checkGuard('requireFeature', 'beta', { onDisabled }, RULES)).toMatchObject({
      name: 'beta',
      where: "requireFeature('beta')",
      variants: undefined,
      needsVariants: false,
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
  it('says which guard ran before which adapter, and the fix, and logs it once through the guard’s client', async () => {
    const { logger, lines } = recordingLogger();
    const client = createFlags({ source: memorySource({ flags: { beta: true } }), logger });
    clients.push(client);
    watchGuardedFlags(client);
    const guard = checkGuard('requireFeature', 'beta', {}, RULES);
    const error = guardWithoutFlagsError(guard, "requireFeature('beta')", 'featureFlags()', 'add it first');
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe(
      "requireFeature('beta') ran before featureFlags(), so the request has no flags and fails: add it first",
    );
    guardWithoutFlagsError(guard, "requireFeature('beta')", 'featureFlags()', 'add it first');
    expect(messagesAt(lines, 'error')).toEqual([`flagwise: ${error.message}`]);
  });
});

describe('guards per client', () => {
  async function app(flags: Record<string, boolean>) {
    const { logger, lines } = recordingLogger();
    const source = memorySource({ flags });
    const client = createFlags({ source, logger });
    clients.push(client);
    await client.ready();
    // the warnings about the guards these tests make (guards the tests above made, before any adapter was set
    // up, go to the first client set up here)
    const guardWarnings = () =>
      messagesAt(lines, 'warn').filter(
        (line) =>
          line.includes('the route always answers') && /only-in-|declared-early|"checkout"/.test(line),
      );
    return { client, source, guardWarnings };
  }

  it('checks a guard with the client of the adapter set up before it, and no other client', async () => {
    const a = await app({ home: true });
    watchGuardedFlags(a.client);
    checkGuard('requireFeature', 'only-in-a', {}, RULES);
    const b = await app({ home: true });
    watchGuardedFlags(b.client);
    checkGuard('requireFeature', 'only-in-b', {}, RULES);
    await waitFor(() => a.guardWarnings().length > 0 && b.guardWarnings().length > 0, 'both warnings', 5000);
    expect(a.guardWarnings()).toEqual([
      `flagwise: requireFeature('only-in-a') names flag "only-in-a", which is not defined: the route always answers as off (defined: home)`,
    ]);
    expect(b.guardWarnings()).toEqual([
      `flagwise: requireFeature('only-in-b') names flag "only-in-b", which is not defined: the route always answers as off (defined: home)`,
    ]);
  });

  it('gives a guard made before any adapter to the next one set up', async () => {
    const a = await app({ home: true });
    await a.client.close();
    checkGuard('@FeatureRequired', 'declared-early', {}, RULES);
    const b = await app({ home: true });
    watchGuardedFlags(b.client);
    await waitFor(() => b.guardWarnings().length > 0, 'the warning', 5000);
    expect(b.guardWarnings()[0]).toContain(
      '@FeatureRequired(\'declared-early\') names flag "declared-early"',
    );
  });

  it('moves a guard to the client its requests come through', async () => {
    const a = await app({ home: true });
    watchGuardedFlags(a.client);
    const b = await app({ other: true });
    watchGuardedFlags(b.client);
    // made while b was the adapter set up last, but on a's routes: its first request says so
    const guard = checkGuard('requireFeature', 'checkout', {}, RULES);
    expect(flagAllows(a.client.forContext({}), guard.name, guard.variants, guard)).toBe(false);
    expect(guard.lastClient).toBe(a.client);
    await waitFor(
      () => a.guardWarnings().length > 0,
      'the warning of the client that serves the guard',
      5000,
    );
    expect(a.guardWarnings()[0]).toContain(`requireFeature('checkout') names flag "checkout"`);
    // b, which lacks the flag too, checks only its own guards: not at startup, not after a change
    const changed = new Promise((resolve) => b.client.once('changed', resolve));
    b.source.set('another', true);
    await changed;
    await new Promise((resolve) => setImmediate(resolve));
    expect(b.guardWarnings()).toEqual([]);
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
