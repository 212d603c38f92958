import { describe, expect, it } from 'vitest';
import { countedFlag, countingStrategy, payload, simpleFlag } from '../../../../test/support/definitions.js';
import { flagAllows, templateView } from '../../src/adapter/index.js';
import {
  createFlags,
  type FlagSource,
  inlineSource,
  memorySource,
  type RequestFlags,
} from '../../src/index.js';
import { isRequestFlags, readsOf, VIEWED } from '../../src/request/flags-object.js';

async function clientWith(features: Parameters<typeof payload>[0], strategy = countingStrategy()) {
  const source = memorySource(payload(features));
  const client = createFlags({ source, strategies: [strategy] });
  await client.ready({ timeoutMs: 2000 });
  return { client, source, strategy };
}

describe('per-request flags', () => {
  it('evaluates only what is read: one flag of 1,000', async () => {
    const features = Array.from({ length: 1000 }, (_, i) => countedFlag(`flag-${i}`, i % 2 === 0));
    const { client, strategy } = await clientWith(features);
    const flags = client.forContext({ userId: 'u1' });
    expect(strategy.total()).toBe(0);
    expect(flags.flag500).toBe(true);
    expect(strategy.total()).toBe(1);
    expect(strategy.calls.get('flag-500')).toBe(1);
    await client.close();
  });

  it('memoizes each flag for the life of the object, across every way of reading it', async () => {
    const { client, strategy } = await clientWith([countedFlag('new-pricing', true)]);
    const flags = client.forContext({ userId: 'u1' });
    expect(flags.newPricing).toBe(true);
    expect(flags['new-pricing']).toBe(true);
    expect(flags.isEnabled('new-pricing')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(flags, 'newPricing')?.value).toBe(true);
    expect(strategy.calls.get('new-pricing')).toBe(1);
    // A new request evaluates again.
    expect(client.forContext({ userId: 'u1' }).newPricing).toBe(true);
    expect(strategy.calls.get('new-pricing')).toBe(2);
    await client.close();
  });

  it('memoizes every flag of a request that reads many (past the small-request fast path)', async () => {
    const features = Array.from({ length: 60 }, (_, i) => countedFlag(`flag-${i}`, i % 3 !== 0));
    const { client, strategy } = await clientWith(features);
    const flags = client.forContext({ userId: 'u1' });
    const first = features.map((_, i) => flags.isEnabled(`flag-${i}`));
    expect(first).toEqual(features.map((_, i) => i % 3 !== 0));
    expect(strategy.total()).toBe(features.length);
    // Read again in reverse, by property and by exact name: nothing is evaluated twice.
    for (let i = features.length - 1; i >= 0; i--) {
      expect(flags[`flag${i}`]).toBe(first[i]);
      expect(flags[`flag-${i}`]).toBe(first[i]);
    }
    expect(strategy.total()).toBe(features.length);
    // A variant is picked once per flag from the decision the read made (no second evaluation), agrees with
    // isEnabled, and is remembered too.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < features.length; i++) {
        expect(flags.variant(`flag-${i}`).feature_enabled).toBe(first[i]);
      }
    }
    expect(strategy.total()).toBe(features.length);
    await client.close();
  });

  it('keeps its own members for flags named like them, and reads such flags with isEnabled(name)', async () => {
    const { client } = await clientWith([
      simpleFlag('constructor', true),
      simpleFlag('to-string', true),
      simpleFlag('context', true),
      simpleFlag('is-enabled', true),
      simpleFlag('variant', true),
      simpleFlag('new-pricing', true),
    ]);
    const flags = client.forContext({ userId: 'u1' });
    expect(flags.constructor).toBe(Object);
    expect(String(flags)).toBe('[object RequestFlags]');
    expect(flags.context).toEqual({ userId: 'u1' });
    expect(typeof flags.isEnabled).toBe('function');
    expect(typeof flags.variant).toBe('function');
    for (const name of ['constructor', 'to-string', 'context', 'is-enabled', 'variant'])
      expect(flags.isEnabled(name)).toBe(true);
    expect(flags.newPricing).toBe(true);
    expect(flags.toString).toBe(Object.prototype.toString);
    await client.close();
  });

  it('answers guards (flagAllows) as isEnabled and variant do, and asks objects it did not make through their methods', async () => {
    const one = (name: string) => ({ name, weight: 1000, weightType: 'variable', stickiness: 'default' });
    const { client, strategy } = await clientWith([
      countedFlag('on', true),
      countedFlag('off', false),
      simpleFlag('checkout', true, { variants: [one('one-page')] }),
      simpleFlag('plain', true),
    ]);
    const flags = client.forContext({ userId: 'u1' });
    expect(flagAllows(flags, 'on')).toBe(true);
    expect(flagAllows(flags, 'off')).toBe(false);
    expect(flagAllows(flags, 'missing')).toBe(false);
    expect(flagAllows(flags, 'checkout', new Set(['one-page']))).toBe(true);
    expect(flagAllows(flags, 'checkout', new Set(['multi-step']))).toBe(false);
    // On, but without variants: its variant is "disabled", which no variant guard lets through.
    expect(flagAllows(flags, 'plain', new Set(['disabled']))).toBe(false);
    // Memoized with the object's own reads.
    expect(flags.on).toBe(true);
    expect(strategy.calls.get('on')).toBe(1);

    const double = {
      isEnabled: (name: string) => name === 'yes',
      variant: (name: string) => ({ name, enabled: true, feature_enabled: true, featureEnabled: true }),
    } as unknown as RequestFlags;
    expect(flagAllows(double, 'yes')).toBe(true);
    expect(flagAllows(double, 'no')).toBe(false);
    expect(flagAllows(double, 'b', new Set(['b']))).toBe(true);
    // A stub that answers every property, its own included, with itself is no flags object either.
    const stub: () => unknown = new Proxy(() => stub, { get: () => stub });
    expect(isRequestFlags(stub)).toBe(false);
    expect(readsOf(stub)).toEqual([]);
    expect(flagAllows(stub as unknown as RequestFlags, 'on')).toBe(false);
    await client.close();
  });

  it('keeps values it returned, and its snapshot, when definitions change mid-request', async () => {
    const { client, source } = await clientWith([simpleFlag('a', true), simpleFlag('b', true)]);
    const flags = client.forContext({});
    expect(flags.a).toBe(true);
    source.replace(payload([simpleFlag('a', false), simpleFlag('b', false)]));
    expect(flags.a).toBe(true); // already read
    expect(flags.b).toBe(true); // not read yet, but this request keeps the definitions it started with
    const next = client.forContext({});
    expect(next.a).toBe(false);
    expect(next.b).toBe(false);
    await client.close();
  });

  it("answers flags made before and after a reload each from its own snapshot's flags", async () => {
    const { client, source } = await clientWith([simpleFlag('kept', true), simpleFlag('removed', true)]);
    const unknown: string[] = [];
    client.on('warn', (message) => unknown.push(message));
    const before = client.forContext({ userId: 'u1' });
    source.replace(payload([simpleFlag('kept', false), simpleFlag('added', true)]));
    const after = client.forContext({ userId: 'u1' });
    expect([before.kept, before.removed, flagAllows(before, 'removed')]).toEqual([true, true, true]);
    expect([after.kept, after.added, flagAllows(after, 'added')]).toEqual([false, true, true]);
    expect(isRequestFlags(before) && isRequestFlags(after)).toBe(true);
    expect(unknown.join('\n')).not.toMatch(/removed|added/);
    // What a snapshot lacks is unknown to its flags, whichever snapshot has it.
    expect([(before as Record<string, unknown>).added, (after as Record<string, unknown>).removed]).toEqual([
      false,
      false,
    ]);
    expect(flagAllows(after, 'removed')).toBe(false);
    // A view made now of the flags from before the reload reads their snapshot too.
    const viewedAgain = templateView((before as unknown as Record<symbol, RequestFlags>)[VIEWED]);
    expect([viewedAgain.kept, viewedAgain.removed, viewedAgain.isEnabled('removed')]).toEqual([
      true,
      true,
      true,
    ]);
    expect(Object.keys(viewedAgain)).toEqual(['kept', 'removed']);
    expect(unknown.join('\n')).toMatch(/"added"/);
    expect(unknown.join('\n')).toMatch(/"removed"/);
    expect(readsOf(before).map((read) => [read.flag, read.enabled])).toEqual([
      ['kept', true],
      ['removed', true],
    ]);
    expect(readsOf(after).map((read) => [read.flag, read.enabled])).toEqual([
      ['kept', false],
      ['added', true],
    ]);
    await client.close();
  });

  it('finds a flag by camelCase of kebab, snake and camel names', async () => {
    const { client } = await clientWith([
      simpleFlag('new-pricing', true),
      simpleFlag('dark_mode', true),
      simpleFlag('betaBanner', true),
      simpleFlag('holiday.banner', false),
    ]);
    const flags = client.forContext({});
    expect([flags.newPricing, flags.darkMode, flags.betaBanner, flags.holidayBanner]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(Object.keys(flags).sort()).toEqual(['betaBanner', 'darkMode', 'holidayBanner', 'newPricing']);
    await client.close();
  });

  it('reports a camelCase clash when flags load and keeps both reachable by name', async () => {
    const source = memorySource(payload([simpleFlag('new-pricing', true), simpleFlag('new_pricing', false)]));
    const client = createFlags({ source });
    const warnings: string[] = [];
    client.on('warn', (message) => warnings.push(message));
    await client.ready();
    expect(warnings.join('\n')).toMatch(
      /"new-pricing" and "new_pricing" share the property name "newPricing"/,
    );
    const flags = client.forContext({});
    expect(flags.isEnabled('new-pricing')).toBe(true);
    expect(flags.isEnabled('new_pricing')).toBe(false);
    expect(flags.newPricing).toBe(true);
    await client.close();
  });

  it('answers by name alike whatever was asked before it: other names, unknown ones, non-strings, a reload', async () => {
    const { client, source } = await clientWith([
      simpleFlag('on', true),
      simpleFlag('off', false),
      simpleFlag('copy', true, {
        variants: [{ name: 'long', weight: 1000, weightType: 'variable', stickiness: 'default' }],
      }),
    ]);
    const first = client.forContext({ userId: 'u1' });
    // before any name was found: what untyped code may pass
    expect(first.isEnabled(undefined as never)).toBe(false);
    expect(first.variant(undefined as never).enabled).toBe(false);
    const asked = () => {
      const flags = client.forContext({ userId: 'u1' });
      return [
        flags.isEnabled('on'),
        flags.isEnabled('on'),
        flags.isEnabled('off'),
        flags.isEnabled('missing'),
        flags.isEnabled('on'),
        flagAllows(flags, 'off'),
        flags.variant('copy').name,
        flags.variant('on').name,
        flags.variant('copy').name,
        flagAllows(flags, 'copy', new Set(['long'])),
      ];
    };
    expect(asked()).toEqual([true, true, false, false, true, false, 'long', 'disabled', 'long', true]);
    expect(asked()).toEqual([true, true, false, false, true, false, 'long', 'disabled', 'long', true]);
    // A new snapshot's flags find the names in its own definitions.
    source.replace(payload([simpleFlag('on', false), simpleFlag('off', true)]));
    expect(asked()).toEqual([
      false,
      false,
      true,
      false,
      false,
      true,
      'disabled',
      'disabled',
      'disabled',
      false,
    ]);
    await client.close();
  });

  it('reads an unknown name as false and warns once per name', async () => {
    const { client } = await clientWith([simpleFlag('known', true)]);
    const warnings: string[] = [];
    client.on('warn', (message) => warnings.push(message));
    const flags = client.forContext({});
    expect(flags.nope).toBe(false);
    expect(flags.isEnabled('nope')).toBe(false);
    expect(client.forContext({}).nope).toBe(false);
    expect(flags.other).toBe(false);
    expect(warnings.filter((w) => w.includes('"nope"'))).toHaveLength(1);
    expect(warnings.filter((w) => w.includes('"other"'))).toHaveLength(1);
    // Probes by frameworks and test runners are not flag reads.
    expect((flags as any).then).toBeUndefined();
    expect(warnings.some((w) => w.includes('"then"'))).toBe(false);
    await client.close();
  });

  it('answers variant() of a flag without variants as disabled and warns once per flag', async () => {
    const { client } = await clientWith([
      simpleFlag('plain', true),
      simpleFlag('other-plain', true),
      simpleFlag('with-variants', true, {
        variants: [{ name: 'a', weight: 1000, weightType: 'variable', stickiness: 'userId' }],
      }),
    ]);
    const warnings: string[] = [];
    client.on('warn', (message) => warnings.push(message));
    for (let i = 0; i < 5; i++) {
      const flags = client.forContext({ userId: `u${i}` });
      expect(flags.variant('plain')).toMatchObject({
        name: 'disabled',
        enabled: false,
        feature_enabled: true,
      });
      expect(flags.plain).toBe(true);
      expect(flags.variant('with-variants').name).toBe('a');
    }
    void client.forContext({}).variant('other-plain');
    expect(warnings.filter((w) => w.includes('flag "plain" has no variants'))).toHaveLength(1);
    expect(warnings.filter((w) => w.includes('flag "other-plain" has no variants'))).toHaveLength(1);
    expect(warnings.some((w) => w.includes('"with-variants" has no variants'))).toBe(false);
    await client.close();
  });

  it('behaves as a plain object: keys, in, own-property checks, spread and JSON', async () => {
    const { client } = await clientWith([
      simpleFlag('dark-mode', true, { browser: true }),
      simpleFlag('secret-thing', true),
      simpleFlag('checkout-copy', true, {
        browser: true,
        variants: [
          {
            name: 'short',
            weight: 1000,
            weightType: 'variable',
            stickiness: 'default',
            payload: { type: 'string', value: 'Buy' },
          },
        ],
      }),
    ]);
    const flags = client.forContext({ userId: '7' });
    expect('darkMode' in flags).toBe(true);
    expect('dark-mode' in flags).toBe(true);
    expect('nothing' in flags).toBe(false);
    expect(Object.hasOwn(flags, 'darkMode')).toBe(true);
    expect(Object.hasOwn(flags, 'secretThing')).toBe(true);
    expect({ ...flags }).toEqual({ darkMode: true, secretThing: true, checkoutCopy: true });
    expect(Object.entries(flags)).toHaveLength(3);
    expect(JSON.parse(JSON.stringify(flags))).toEqual({
      'dark-mode': { enabled: true },
      'checkout-copy': { enabled: true, variant: 'short', payload: { type: 'string', value: 'Buy' } },
    });
    expect(Object.getPrototypeOf(flags)).toBe(Object.prototype);
    expect(() => {
      (flags as any).darkMode = false;
    }).toThrow(/read-only/);
    await client.close();
  });

  it('keeps methods usable when destructured', async () => {
    const { client } = await clientWith([simpleFlag('a', true)]);
    const { isEnabled, variant, explain } = client.forContext({});
    expect(isEnabled('a')).toBe(true);
    expect(variant('a')).toMatchObject({ name: 'disabled', feature_enabled: true });
    expect(explain('a').reason).toBe('strategy-matched');
    await client.close();
  });

  it('explains not-ready before the source loaded, and not-found after', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inner = inlineSource(payload([simpleFlag('a', true)]));
    // A source that has nothing until its start resolves, like a remote one.
    let started = false;
    const slowSource: FlagSource = {
      name: 'slow',
      get status() {
        return started ? inner.status : 'starting';
      },
      start: async (ctx) => {
        await gate;
        await inner.start(ctx);
        started = true;
      },
      stop: () => inner.stop(),
      current: () => (started ? inner.current() : undefined),
      subscribe: () => () => {},
    };
    const client = createFlags({ source: slowSource });
    expect(client.forContext({}).explain('a').reason).toBe('not-ready');
    expect(client.explain('a').reason).toBe('not-ready');
    expect(client.isEnabled('a', {}, true)).toBe(true); // the fallback
    release();
    await client.ready();
    expect(client.forContext({}).explain('a').reason).toBe('strategy-matched');
    expect(client.forContext({}).explain('zzz').reason).toBe('not-found');
    await client.close();
  });

  it('applies overrides to what they name only, with reason override', async () => {
    const { client, strategy } = await clientWith([
      countedFlag('a', false),
      countedFlag('b', true),
      countedFlag('exp', true, {
        variants: [
          { name: 'x', weight: 500, weightType: 'variable', stickiness: 'default' },
          {
            name: 'y',
            weight: 500,
            weightType: 'variable',
            stickiness: 'default',
            payload: { type: 'string', value: 'why' },
          },
        ],
      }),
    ]);
    const flags = client.forContext(
      { userId: 'u' },
      { overrides: { flags: { a: true }, variants: { exp: 'y' } } },
    );
    expect(flags.a).toBe(true);
    expect(flags.explain('a')).toMatchObject({ reason: 'override', enabled: true });
    expect(flags.variant('exp')).toMatchObject({
      name: 'y',
      enabled: true,
      payload: { type: 'string', value: 'why' },
    });
    expect(flags.b).toBe(true);
    expect(strategy.calls.get('a')).toBeUndefined(); // forced values are not evaluated
    expect(strategy.calls.get('b')).toBe(1);
    await client.close();
  });

  it('costs nothing to create: no flag is evaluated until read', async () => {
    const features = Array.from({ length: 50 }, (_, i) => countedFlag(`f${i}`));
    const { client, strategy } = await clientWith(features);
    for (let i = 0; i < 100; i++) client.forContext({ userId: String(i) });
    expect(strategy.total()).toBe(0);
    await client.close();
  });
});
