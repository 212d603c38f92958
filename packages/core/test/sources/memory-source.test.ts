// memorySource and inlineSource: flags in code, checked where they are written; memorySource changes at run time.
import { describe, expect, it } from 'vitest';
import { recordEvents, summary } from '../../../../test/support/sources.js';
import { compileFlags } from '../../src/engine/index.js';
import { ConfigurationError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { inlineSource, memorySource } from '../../src/sources/index.js';
import type { FeatureDefinition } from '../../src/types.js';

/** Evaluates what a source serves right now, through the real engine. */
function evaluate(source: { current(): ReturnType<ReturnType<typeof memorySource>['current']> }) {
  return compileFlags(source.current() ?? { version: 2, features: [] });
}

describe('memorySource', () => {
  it('starts empty or with initial flags, in either format', async () => {
    expect(memorySource().current()?.features).toEqual([]);
    const source = memorySource({ flags: { 'dark-mode': true } });
    expect(source.status).toBe('starting');
    await source.start({ logger: silentLogger });
    expect(source.status).toBe('ready');
    expect(summary(source)).toEqual(['dark-mode:true']);
    const unleash = memorySource({ version: 2, features: [{ name: 'x', enabled: true, strategies: [] }] });
    expect(summary(unleash)).toEqual(['x:true']);
  });

  it('makes set() visible to the next current(), with a synchronous definitions event', () => {
    const source = memorySource();
    const events = recordEvents(source);
    source.set('new-pricing', true);
    expect(summary(source)).toEqual(['new-pricing:true']);
    expect(events).toEqual([{ type: 'definitions', definitions: source.current() }]);
    expect(evaluate(source).isEnabled('new-pricing', {})).toBe(true);

    source.set('new-pricing', false);
    expect(summary(source)).toEqual(['new-pricing:false']);
    expect(evaluate(source).isEnabled('new-pricing', {})).toBe(false);
    expect(events).toHaveLength(2);
  });

  it('sets a single variant with { variant }', () => {
    const source = memorySource();
    source.set('checkout-copy', { variant: 'short' });
    const engine = evaluate(source);
    for (const userId of ['1', '2', '3', 'qa']) {
      expect(engine.getVariant('checkout-copy', { userId })).toMatchObject({ name: 'short', enabled: true });
    }
  });

  it('sets a flags-file flag object, resolving segments the source already has', () => {
    const source = memorySource({
      segments: { staff: { email: { ends_with: ['@acme.test'] } } },
      flags: { 'dark-mode': true },
    });
    source.set('admin-tools', { segments: ['staff'], users: ['root'] });
    const engine = evaluate(source);
    expect(engine.isEnabled('admin-tools', { userId: 'root' })).toBe(true);
    expect(engine.isEnabled('admin-tools', { userId: 'kari', properties: { email: 'kari@acme.test' } })).toBe(
      true,
    );
    expect(
      engine.isEnabled('admin-tools', { userId: 'ola', properties: { email: 'ola@elsewhere.test' } }),
    ).toBe(false);
  });

  it('sets an Unleash FeatureDefinition as is, keeping the position of a replaced flag', () => {
    const source = memorySource({ flags: { a: true, b: true, c: true } });
    const definition: FeatureDefinition = {
      name: 'b',
      enabled: true,
      strategies: [{ name: 'userWithId', parameters: { userIds: 'u1' } }],
    };
    source.set('b', definition);
    expect(source.current()?.features.map((feature) => feature.name)).toEqual(['a', 'b', 'c']);
    expect(source.current()?.features[1]).toBe(definition);
    expect(evaluate(source).isEnabled('b', { userId: 'u1' })).toBe(true);
    expect(evaluate(source).isEnabled('b', { userId: 'u2' })).toBe(false);
  });

  it('removes, replaces and resets', () => {
    const source = memorySource({ flags: { a: true } });
    source.set('b', true);
    expect(source.remove('a')).toBe(true);
    expect(source.remove('a')).toBe(false);
    expect(summary(source)).toEqual(['b:true']);
    source.replace({ flags: { z: false } });
    expect(summary(source)).toEqual(['z:false']);
    source.reset();
    expect(summary(source)).toEqual(['a:true']);
  });

  it('never changes definitions it already published', () => {
    const source = memorySource({ flags: { a: true } });
    const before = source.current();
    source.set('a', false);
    expect(before?.features[0].enabled).toBe(true);
    expect(Object.isFrozen(source.current()?.features)).toBe(true);
  });

  it('throws at the call site for input it does not accept, saying what it accepts', () => {
    const source = memorySource();
    const accepted = /set\(\) accepts true, false, \{ variant: 'name' \}/;
    expect(() => source.set('x', 42 as never)).toThrow(accepted);
    expect(() => source.set('x', 'yes' as never)).toThrow(ConfigurationError);
    expect(() => source.set('x', { rollout: 'ten' } as never)).toThrow(
      /x\.rollout must be a number from 0 to 100/,
    );
    expect(() => source.set('x', { segments: ['staff'] })).toThrow(
      /names segment "staff", which is not defined/,
    );
    expect(() => source.set('x', { name: 'y', enabled: true })).toThrow(/named "y"; use the same name/);
    expect(() => source.set('', true)).toThrow(/name must be a flag name/);
    expect(() => source.replace({ nope: true } as never)).toThrow(/is not a flags document/);
    expect(summary(source)).toEqual([]);
  });
});

describe('inlineSource', () => {
  it('serves the short format and Unleash definitions from the moment it is made', async () => {
    const source = inlineSource({
      flags: { 'dark-mode': true, 'new-pricing': { rollout: 0, users: ['qa-1'] } },
    });
    expect(summary(source)).toEqual(['dark-mode:true', 'new-pricing:true']);
    const engine = evaluate(source);
    expect(engine.isEnabled('new-pricing', { userId: 'qa-1' })).toBe(true);
    expect(engine.isEnabled('new-pricing', { userId: 'someone' })).toBe(false);
    const events = recordEvents(source);
    await source.start({ logger: silentLogger });
    expect(source.status).toBe('ready');
    expect(events).toEqual([{ type: 'status', status: 'ready' }]);
    await source.stop();
  });

  it('throws a ConfigurationError naming every problem', () => {
    expect(() => inlineSource({ flags: { a: { rolout: 5 }, b: { variants: { x: 10 } } } } as never)).toThrow(
      /inlineSource\(\): a\.rolout is not a known key; did you mean "rollout"\?; b\.variants weights add up to 10%/,
    );
  });
});
