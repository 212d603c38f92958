// What the client specification does not cover: explain's reasons, keeping a flag's previous version when its new
// definition is broken, warnings, custom strategies, the static context and the shapes getVariant returns.
import { describe, expect, it } from 'vitest';
import { payload } from '../../../../test/support/definitions.js';
import { compileFlags } from '../../src/engine/index.js';
import { hashWithPrefix, prepareHashPrefix, STRATEGY_SEED } from '../../src/engine/murmur.js';
import { FlagDefinitionError } from '../../src/errors.js';
import type { CustomStrategy, FeatureDefinition } from '../../src/types.js';

const on = (name: string, extra: Partial<FeatureDefinition> = {}): FeatureDefinition => ({
  name,
  enabled: true,
  strategies: [{ name: 'default', parameters: {} }],
  variants: [],
  ...extra,
});

describe('explain', () => {
  const flags = compileFlags(
    payload([
      on('parent'),
      on('off', { enabled: false }),
      on('everyone', { strategies: [] }),
      on('pro-only', {
        strategies: [
          { name: 'userWithId', parameters: { userIds: 'alice' } },
          {
            name: 'flexibleRollout',
            parameters: { rollout: '100', stickiness: 'default', groupId: 'pro-only' },
            constraints: [{ contextName: 'plan', operator: 'IN', values: ['pro'] }],
          },
        ],
        variants: [
          { name: 'blue', weight: 1000, weightType: 'variable', payload: { type: 'string', value: 'b' } },
        ],
      }),
      on('child', { dependencies: [{ feature: 'parent', enabled: false }] }),
      on('mystery', { strategies: [{ name: 'gradualRolloutTeleport', parameters: {} }] }),
      { name: 'broken', enabled: 'yes' } as unknown as FeatureDefinition,
    ]),
  );

  it('says which strategy matched, by index and name, with the variant', () => {
    const explanation = flags.explain('pro-only', { userId: 'bob', properties: { plan: 'pro' } });
    expect(explanation).toMatchObject({
      flag: 'pro-only',
      enabled: true,
      reason: 'strategy-matched',
      strategyIndex: 1,
      strategyName: 'flexibleRollout',
      variant: { name: 'blue', enabled: true, payload: { type: 'string', value: 'b' } },
    });
    expect(explanation.detail).toContain('strategy #2 (flexibleRollout, rollout 100%, 1 constraint) matched');
    expect(flags.explain('pro-only', { userId: 'alice' })).toMatchObject({
      strategyIndex: 0,
      strategyName: 'userWithId',
    });
  });

  it('gives every other reason', () => {
    expect(flags.explain('pro-only', { userId: 'bob' })).toMatchObject({
      reason: 'no-strategy-matched',
      enabled: false,
    });
    expect(flags.explain('off', {})).toMatchObject({ reason: 'disabled', enabled: false });
    expect(flags.explain('everyone', {})).toMatchObject({ reason: 'strategy-matched', enabled: true });
    expect(flags.explain('everyone', {}).strategyIndex).toBeUndefined();
    expect(flags.explain('child', {})).toMatchObject({ reason: 'dependency-failed', enabled: false });
    expect(flags.explain('child', {}).detail).toContain('"parent" being disabled');
    expect(flags.explain('nope', {})).toMatchObject({
      reason: 'not-found',
      enabled: false,
      variant: { name: 'disabled' },
    });
    expect(flags.explain('broken', {})).toMatchObject({ reason: 'error', enabled: false });
    expect(flags.explain('broken', {}).detail).toContain('enabled: must be true or false');
    expect(flags.explain('mystery', {}).detail).toContain(
      'its one strategy did not match this context; unknown strategies never match: gradualRolloutTeleport',
    );
    expect(flags.explain('pro-only', { userId: 'bob' }).detail).toContain(
      'none of its 2 strategies matched this context',
    );
  });

  it('agrees with isEnabled and getVariant', () => {
    for (const name of [...flags.names(), 'nope']) {
      for (const context of [{}, { userId: 'alice' }, { userId: 'bob', properties: { plan: 'pro' } }]) {
        const explanation = flags.explain(name, context);
        expect(explanation.enabled, name).toBe(flags.isEnabled(name, context));
        expect(explanation.variant, name).toEqual(flags.getVariant(name, context));
      }
    }
  });
});

describe('broken definitions', () => {
  it('are reported with the flag and the field, and answer with the fallback', () => {
    const flags = compileFlags(
      payload([
        on('fine'),
        on('bad-rollout', { strategies: [{ name: 'flexibleRollout', parameters: { rollout: 'lots' } }] }),
      ]),
    );
    expect(flags.errors).toHaveLength(1);
    const [error] = flags.errors;
    expect(error).toBeInstanceOf(FlagDefinitionError);
    expect(error).toMatchObject({
      flag: 'bad-rollout',
      field: 'strategies[0].parameters.rollout',
      code: 'INVALID_DEFINITION',
    });
    expect(error.message).toContain('must be a percentage from 0 to 100');
    expect(flags.isEnabled('bad-rollout', {}, true)).toBe(true);
    expect(flags.getVariant('bad-rollout', {})).toEqual({
      name: 'disabled',
      enabled: false,
      feature_enabled: false,
      featureEnabled: false,
    });
    expect(flags.isEnabled('fine', {})).toBe(true);
  });

  it('keep the previous good version when `previous` has one, linked to the new snapshot', () => {
    const first = compileFlags(
      payload([on('parent'), on('child', { strategies: [], dependencies: [{ feature: 'parent' }] })]),
    );
    expect(first.isEnabled('child', {})).toBe(true);

    const brokenChild = {
      name: 'child',
      enabled: true,
      strategies: 'all of them',
    } as unknown as FeatureDefinition;
    const second = compileFlags(payload([on('parent', { enabled: false }), brokenChild]), {
      previous: first,
    });
    expect(second.errors.map((error) => error.flag)).toEqual(['child']);
    // the kept child still depends on "parent", and now sees the new, disabled parent
    expect(second.explain('child', {})).toMatchObject({ reason: 'dependency-failed' });
    expect(second.explain('child', {}).detail).toContain('serving the last good version');
    // the previous snapshot is untouched
    expect(first.isEnabled('child', {})).toBe(true);

    const third = compileFlags(payload([on('parent'), brokenChild]), { previous: second });
    expect(third.isEnabled('child', {})).toBe(true);
    const withoutPrevious = compileFlags(payload([on('parent'), brokenChild]));
    expect(withoutPrevious.explain('child', {}).reason).toBe('error');
  });

  it('keep every previous flag when the payload itself is unusable', () => {
    const good = compileFlags(payload([on('a')]));
    const garbage = compileFlags({ features: 'nope' }, { previous: good });
    expect(garbage.errors[0]).toMatchObject({ flag: '(payload)', field: 'features' });
    expect(garbage.isEnabled('a', {})).toBe(true);
    expect(compileFlags(null).names()).toEqual([]);
  });
});

describe('warnings', () => {
  it('warn about an unknown strategy once per name, across flags and recompiles', () => {
    const warnings: string[] = [];
    const definitions = payload([
      on('a', { strategies: [{ name: 'teleport', parameters: {} }] }),
      on('b', {
        strategies: [
          { name: 'teleport', parameters: {} },
          { name: 'default', parameters: {} },
        ],
      }),
    ]);
    const first = compileFlags(definitions, { onWarn: (message) => warnings.push(message) });
    compileFlags(definitions, { onWarn: (message) => warnings.push(message), previous: first });
    expect(warnings.filter((message) => message.includes('"teleport"'))).toHaveLength(1);
    expect(warnings[0]).toContain("register it with { strategies: [{ name: 'teleport', isEnabled }] }");
    expect(first.isEnabled('a', {})).toBe(false);
    expect(first.isEnabled('b', {})).toBe(true);
  });

  it('warn about an unknown operator once, which never matches even inverted (as unleash-client)', () => {
    const warnings: string[] = [];
    const strategy = (inverted: boolean) => ({
      name: 'default',
      parameters: {},
      constraints: [{ contextName: 'x', operator: 'FUZZY_MATCH', values: ['x'], inverted }],
    });
    const flags = compileFlags(
      payload([on('a', { strategies: [strategy(false)] }), on('b', { strategies: [strategy(true)] })]),
      {
        onWarn: (message) => warnings.push(message),
      },
    );
    expect(flags.isEnabled('a', { x: 'x' } as never)).toBe(false);
    expect(flags.isEnabled('b', { x: 'x' } as never)).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(flags.errors).toEqual([]);
  });
});

describe('custom strategies', () => {
  const planIs: CustomStrategy = {
    name: 'planIs',
    isEnabled: (parameters, context) =>
      context.properties?.plan === parameters.plan && context.appName === 'shop',
  };
  const definitions = payload([
    on('custom', {
      strategies: [
        {
          name: 'planIs',
          parameters: { plan: 'pro' },
          constraints: [{ contextName: 'country', operator: 'IN', values: ['NO'] }],
        },
      ],
    }),
  ]);

  it('are called by name with their parameters and the merged context, after the constraints', () => {
    const flags = compileFlags(definitions, { strategies: [planIs], staticContext: { appName: 'shop' } });
    expect(flags.isEnabled('custom', { properties: { plan: 'pro', country: 'NO' } })).toBe(true);
    expect(flags.isEnabled('custom', { properties: { plan: 'pro', country: 'SE' } })).toBe(false);
    expect(flags.isEnabled('custom', { properties: { plan: 'free', country: 'NO' } })).toBe(false);
    expect(flags.explain('custom', { properties: { plan: 'pro', country: 'NO' } }).strategyName).toBe(
      'planIs',
    );
  });

  it('replace a built-in strategy of the same name, as in unleash-client', () => {
    const never: CustomStrategy = { name: 'default', isEnabled: () => false };
    expect(compileFlags(payload([on('a')]), { strategies: [never] }).isEnabled('a', {})).toBe(false);
  });

  it('that throw make the flag answer with its fallback, reason error, and are reported once', () => {
    const warnings: string[] = [];
    const throwing: CustomStrategy = {
      name: 'planIs',
      isEnabled: () => {
        throw new Error('database down');
      },
    };
    const flags = compileFlags(definitions, {
      strategies: [throwing],
      onWarn: (message) => warnings.push(message),
    });
    const context = { properties: { country: 'NO' } };
    expect(flags.isEnabled('custom', context, true)).toBe(true);
    expect(flags.isEnabled('custom', context, false)).toBe(false);
    expect(flags.getVariant('custom', context).feature_enabled).toBe(false);
    expect(flags.explain('custom', context)).toMatchObject({ reason: 'error' });
    expect(warnings.filter((message) => message.includes('database down'))).toHaveLength(1);
  });
});

describe('context', () => {
  const flags = compileFlags(
    payload([
      on('prod-only', {
        strategies: [
          {
            name: 'default',
            parameters: {},
            constraints: [{ contextName: 'environment', operator: 'IN', values: ['production'] }],
          },
        ],
      }),
    ]),
    { staticContext: { appName: 'shop', environment: 'production' } },
  );

  it('merges the static context under the caller context, with spread semantics', () => {
    expect(flags.isEnabled('prod-only', {})).toBe(true);
    expect(flags.isEnabled('prod-only', { environment: 'staging' })).toBe(false);
    // `{ ...static, ...{ environment: undefined } }` has no environment, so properties are read
    expect(flags.isEnabled('prod-only', { environment: undefined })).toBe(false);
    expect(
      flags.isEnabled('prod-only', { environment: undefined, properties: { environment: 'production' } }),
    ).toBe(true);
  });

  it('treats a missing or non-object context as empty', () => {
    expect(flags.isEnabled('prod-only', undefined as never)).toBe(true);
    expect(flags.isEnabled('prod-only', null as never)).toBe(true);
    expect(flags.isEnabled('prod-only', 'user-1' as never)).toBe(true);
  });
});

describe('getVariant', () => {
  const flags = compileFlags(
    payload([
      on('plain'),
      on('off', { enabled: false }),
      on('colours', {
        variants: [
          { name: 'red', weight: 500, weightType: 'variable', stickiness: 'userId' },
          { name: 'blue', weight: 500, weightType: 'variable', stickiness: 'userId' },
        ],
      }),
    ]),
  );

  it("returns unleash-client 6.12.1's shapes", () => {
    const disabled = { name: 'disabled', enabled: false, feature_enabled: false, featureEnabled: false };
    expect(flags.getVariant('missing', {})).toEqual(disabled);
    expect(flags.getVariant('off', {})).toEqual(disabled);
    expect(flags.getVariant('plain', {})).toEqual({
      ...disabled,
      feature_enabled: true,
      featureEnabled: true,
    });
    const fallback = { name: 'fallback', enabled: true, feature_enabled: false, featureEnabled: false };
    expect(flags.getVariant('missing', {}, fallback)).toEqual(fallback);
    expect(flags.getVariant('plain', {}, fallback)).toEqual({
      ...fallback,
      feature_enabled: true,
      featureEnabled: true,
    });
  });

  it('returns the same frozen object for the same variant (nothing allocated per call)', () => {
    const first = flags.getVariant('colours', { userId: '1' });
    const again = flags.getVariant('colours', { userId: '1' });
    expect(again).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    const names = new Set(
      Array.from({ length: 50 }, (_, i) => flags.getVariant('colours', { userId: String(i) }).name),
    );
    expect(names).toEqual(new Set(['red', 'blue']));
  });
});

describe('unleash-client details', () => {
  it('hashes a flexibleRollout without groupId with an empty group, as unleash-client does', () => {
    const flags = compileFlags(
      payload([on('no-group', { strategies: [{ name: 'flexibleRollout', parameters: { rollout: '30' } }] })]),
    );
    const prefix = prepareHashPrefix(':', STRATEGY_SEED);
    for (let i = 0; i < 200; i++) {
      const userId = `user-${i}`;
      expect(flags.isEnabled('no-group', { userId })).toBe((hashWithPrefix(prefix, userId) % 100) + 1 <= 30);
    }
  });

  it('resolves a dependency on a flag that comes later in the payload', () => {
    const flags = compileFlags(
      payload([on('a-child', { dependencies: [{ feature: 'z-parent' }] }), on('z-parent')]),
    );
    expect(flags.isEnabled('a-child', {})).toBe(true);
  });

  it('uses the last definition of a duplicated name, and warns', () => {
    const warnings: string[] = [];
    const flags = compileFlags(payload([on('twice'), on('twice', { enabled: false })]), {
      onWarn: (message) => warnings.push(message),
    });
    expect(flags.isEnabled('twice', {})).toBe(false);
    expect(warnings.join()).toContain('defined twice');
  });

  it('compares applicationHostname with HOSTNAME, case-insensitively', () => {
    const saved = process.env.HOSTNAME;
    process.env.HOSTNAME = 'Web-7';
    try {
      const hostFlag = (hostNames: string) =>
        compileFlags(
          payload([on('host', { strategies: [{ name: 'applicationHostname', parameters: { hostNames } }] })]),
        );
      expect(hostFlag('web-1, WEB-7').isEnabled('host', {})).toBe(true);
      expect(hostFlag('web-1,web-2').isEnabled('host', {})).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.HOSTNAME;
      else process.env.HOSTNAME = saved;
    }
  });
});
