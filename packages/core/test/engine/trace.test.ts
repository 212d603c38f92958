// traceFlag: the same answer as explain(), with every part behind it — each constraint's context value and
// result, the rollout bucket against its percentage, segments, unknown strategies and dependencies.
import { describe, expect, it } from 'vitest';
import { payload } from '../../../../test/support/definitions.js';
import { compileFlags } from '../../src/engine/index.js';
import { bucketOf, hashWithPrefix, prepareHashPrefix, STRATEGY_SEED } from '../../src/engine/murmur.js';
import { traceFlag } from '../../src/engine/trace.js';
import type { FeatureDefinition, FlagContext } from '../../src/types.js';

const FLAGS: FeatureDefinition[] = [
  {
    name: 'pro-rollout',
    enabled: true,
    strategies: [
      {
        name: 'flexibleRollout',
        parameters: { rollout: '30', stickiness: 'default', groupId: 'pro-rollout' },
        constraints: [{ contextName: 'plan', operator: 'IN', values: ['pro', 'team'] }],
        segments: [1],
      },
    ],
  },
  {
    name: 'two-strategies',
    enabled: true,
    strategies: [
      { name: 'userWithId', parameters: { userIds: 'ada, bob' }, title: 'staff' },
      {
        name: 'default',
        parameters: {},
        constraints: [{ contextName: 'version', operator: 'SEMVER_GTE', value: '2.0.0' }],
      },
    ],
  },
  { name: 'unknown-strategy', enabled: true, strategies: [{ name: 'nobodyRegisteredThis', parameters: {} }] },
  {
    name: 'missing-segment',
    enabled: true,
    strategies: [{ name: 'default', parameters: {}, segments: [99] }],
  },
  {
    name: 'parent',
    enabled: true,
    strategies: [{ name: 'default', parameters: {} }],
    variants: [{ name: 'blue', weight: 1000 }],
  },
  {
    name: 'child',
    enabled: true,
    strategies: [{ name: 'default', parameters: {} }],
    dependencies: [{ feature: 'parent', variants: ['blue'] }, { feature: 'absent' }],
  },
  { name: 'off', enabled: false, strategies: [{ name: 'default', parameters: {} }] },
];
const segments = [
  { id: 1, name: 'europe', constraints: [{ contextName: 'region', operator: 'IN', values: ['eu'] }] },
];
const flags = compileFlags(payload(FLAGS, segments), { onWarn: () => {} });

describe('traceFlag', () => {
  it('gives each constraint’s context value and result, the segment, and the bucket against the rollout', () => {
    const context: FlagContext = { userId: 'u-7', properties: { plan: 'pro', region: 'eu' } };
    const trace = traceFlag(flags, 'pro-rollout', context);
    const [strategy] = trace.strategies;
    expect(strategy.constraints).toEqual([
      {
        contextName: 'plan',
        operator: 'IN',
        inverted: false,
        caseInsensitive: false,
        values: ['pro', 'team'],
        contextValue: 'pro',
        held: true,
      },
    ]);
    expect(strategy.segments).toMatchObject([{ id: 1, name: 'europe', defined: true, held: true }]);
    const bucket = bucketOf(hashWithPrefix(prepareHashPrefix('pro-rollout:', STRATEGY_SEED), 'u-7'), 100);
    expect(strategy.rollout).toMatchObject({
      percentage: 30,
      stickiness: 'default',
      groupId: 'pro-rollout',
      field: 'userId',
      stickinessValue: 'u-7',
      bucket,
      random: false,
      held: bucket <= 30,
    });
    expect(strategy.matched).toBe(bucket <= 30);
    expect(trace.enabled).toBe(bucket <= 30);
  });

  it('shows which part failed: a constraint, then a segment', () => {
    const free = traceFlag(flags, 'pro-rollout', {
      userId: 'u-7',
      properties: { plan: 'free', region: 'eu' },
    });
    expect(free.strategies[0].constraints[0]).toMatchObject({ contextValue: 'free', held: false });
    expect(free.strategies[0].matched).toBe(false);
    expect(free.reason).toBe('no-strategy-matched');
    const elsewhere = traceFlag(flags, 'pro-rollout', {
      userId: 'u-7',
      properties: { plan: 'pro', region: 'us' },
    });
    expect(elsewhere.strategies[0].segments[0]).toMatchObject({ held: false });
  });

  it('traces every strategy, naming the one that matched, as explain() does', () => {
    const ada = traceFlag(flags, 'two-strategies', { userId: 'ada' });
    expect(ada.strategies.map((s) => [s.name, s.title, s.ruleHeld, s.matched])).toEqual([
      ['userWithId', 'staff', true, true],
      ['default', undefined, true, false],
    ]);
    expect(ada).toMatchObject({ reason: 'strategy-matched', strategyIndex: 0 });
    const newer = traceFlag(flags, 'two-strategies', { userId: 'carol', properties: { version: '2.1.0' } });
    expect(newer.strategies[1].constraints[0]).toMatchObject({
      operator: 'SEMVER_GTE',
      values: ['2.0.0'],
      held: true,
    });
    expect(newer.strategyIndex).toBe(1);
  });

  it('agrees with explain() on value and reason for every flag and many contexts', () => {
    for (const name of flags.names()) {
      for (let i = 0; i < 50; i++) {
        const context: FlagContext = {
          userId: `user-${i}`,
          properties: { plan: i % 2 ? 'pro' : 'free', region: i % 3 ? 'eu' : 'us', version: `${i % 4}.0.0` },
        };
        const explanation = flags.explain(name, context);
        const trace = traceFlag(flags, name, context);
        expect([trace.enabled, trace.reason, trace.strategyIndex]).toEqual([
          explanation.enabled,
          explanation.reason,
          explanation.strategyIndex,
        ]);
        const matched = trace.strategies.findIndex((strategy) => strategy.matched);
        if (explanation.reason === 'strategy-matched') expect(matched).toBe(explanation.strategyIndex);
      }
    }
  });

  it('marks an unknown strategy and a segment the definitions lack', () => {
    expect(traceFlag(flags, 'unknown-strategy', {}).strategies[0]).toMatchObject({
      known: false,
      matched: false,
    });
    expect(traceFlag(flags, 'missing-segment', {}).strategies[0].segments).toEqual([
      { id: 99, defined: false, constraints: [], held: false },
    ]);
  });

  it('gives each dependency’s expectation and the parent’s answer', () => {
    const trace = traceFlag(flags, 'child', {});
    expect(trace.dependencies).toMatchObject([
      {
        feature: 'parent',
        expects: 'variant',
        variants: ['blue'],
        defined: true,
        parentEnabled: true,
        parentVariant: 'blue',
        held: true,
      },
      { feature: 'absent', expects: 'enabled', defined: false, held: false },
    ]);
    expect(trace.reason).toBe('dependency-failed');
  });

  it('says a random bucket is random when the request has no user or session', () => {
    const rollout = traceFlag(flags, 'pro-rollout', { properties: { plan: 'pro', region: 'eu' } })
      .strategies[0].rollout;
    expect(rollout).toMatchObject({ random: true, stickiness: 'default', percentage: 30 });
    expect(rollout?.bucket).toBeUndefined();
  });

  it('answers an unknown flag and a disabled one without strategies to trace into', () => {
    expect(traceFlag(flags, 'nope', {})).toMatchObject({
      reason: 'not-found',
      flagEnabled: false,
      strategies: [],
    });
    expect(traceFlag(flags, 'off', {})).toMatchObject({ reason: 'disabled', flagEnabled: false });
  });
});
