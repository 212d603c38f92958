// An evaluation in OpenFeature's terms: the reason that names what decided, the value of each type, and each
// error code, from real explanations of real definitions.
import { describe, expect, it } from 'vitest';
import { payload } from '../../../../test/support/definitions.js';
import { compileFlags } from '../../src/engine/index.js';
import { parsePayload, resolveExplanation, type ValueType } from '../../src/ofrep/resolution.js';
import type {
  ConstraintDefinition,
  FeatureDefinition,
  FlagContext,
  StrategyDefinition,
} from '../../src/types.js';

const strategy = (
  name: string,
  parameters: Record<string, string> = {},
  constraints: ConstraintDefinition[] = [],
): StrategyDefinition => ({
  name,
  parameters,
  constraints,
});

const FLAGS: FeatureDefinition[] = [
  { name: 'static', enabled: true, strategies: [strategy('default')] },
  { name: 'off', enabled: false, strategies: [strategy('default')] },
  { name: 'users', enabled: true, strategies: [strategy('userWithId', { userIds: 'ada' })] },
  {
    name: 'half',
    enabled: true,
    strategies: [strategy('flexibleRollout', { rollout: '50', groupId: 'half' })],
  },
  {
    name: 'pro',
    enabled: true,
    strategies: [strategy('default', {}, [{ contextName: 'plan', operator: 'IN', values: ['pro'] }])],
  },
  {
    name: 'split',
    enabled: true,
    strategies: [strategy('default')],
    variants: [
      { name: 'a', weight: 500, payload: { type: 'number', value: '7' } },
      { name: 'b', weight: 500, payload: { type: 'number', value: '7' } },
    ],
  },
  {
    name: 'json',
    enabled: true,
    strategies: [strategy('default')],
    variants: [{ name: 'only', weight: 1000, payload: { type: 'json', value: '{"headline":"Buy"}' } }],
  },
  {
    name: 'broken-json',
    enabled: true,
    strategies: [strategy('default')],
    variants: [{ name: 'only', weight: 1000, payload: { type: 'json', value: '{nope' } }],
  },
  {
    name: 'targeted-variant',
    enabled: true,
    strategies: [strategy('default')],
    variants: [
      { name: 'a', weight: 500, overrides: [{ contextName: 'userId', values: ['ada'] }] },
      { name: 'b', weight: 500 },
    ],
  },
];
const compiled = compileFlags(payload(FLAGS), { onWarn: () => {} });

function resolve(flag: string, type: ValueType | 'any', context: FlagContext = {}) {
  return resolveExplanation(compiled.explain(flag, context), compiled.feature(flag), type, context);
}

describe('resolveExplanation: reasons', () => {
  it('names what decided: a rule for everyone, targeting, a split, off, no match', () => {
    expect(resolve('static', 'boolean')).toMatchObject({ value: true, reason: 'STATIC' });
    expect(resolve('users', 'boolean', { userId: 'ada' })).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
    });
    expect(resolve('pro', 'boolean', { properties: { plan: 'pro' } }).reason).toBe('TARGETING_MATCH');
    const inRollout = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'].find((id) =>
      compiled.isEnabled('half', { userId: id }),
    )!;
    expect(resolve('half', 'boolean', { userId: inRollout })).toMatchObject({ value: true, reason: 'SPLIT' });
    expect(resolve('off', 'boolean')).toMatchObject({ value: false, reason: 'DISABLED' });
    expect(resolve('users', 'boolean', { userId: 'bob' })).toMatchObject({ value: false, reason: 'DEFAULT' });
    expect(resolve('split', 'string', { userId: 'ada' }).reason).toBe('SPLIT');
    expect(resolve('targeted-variant', 'string', { userId: 'ada' })).toMatchObject({
      value: 'a',
      reason: 'TARGETING_MATCH',
    });
  });

  it('carries flagwise’s own reason and the strategy in the metadata', () => {
    expect(resolve('users', 'boolean', { userId: 'ada' }).flagMetadata).toMatchObject({
      reason: 'strategy-matched',
      enabled: true,
      strategyName: 'userWithId',
      strategyIndex: 0,
    });
  });
});

describe('resolveExplanation: values of each type', () => {
  it('gives the enabled state, the variant name, and the payload by its declared type', () => {
    expect(resolve('split', 'boolean', { userId: 'ada' }).value).toBe(true);
    expect(['a', 'b']).toContain(resolve('split', 'string', { userId: 'ada' }).value);
    expect(resolve('split', 'number', { userId: 'ada' }).value).toBe(7);
    expect(resolve('json', 'object')).toMatchObject({ value: { headline: 'Buy' }, variant: 'only' });
    expect(resolve('json', 'any').value).toEqual({ headline: 'Buy' });
  });

  it('leaves the caller’s default for a flag that is on without a variant, or off', () => {
    expect(resolve('static', 'string')).toMatchObject({ value: undefined, reason: 'DEFAULT' });
    expect(resolve('off', 'number')).toMatchObject({ value: undefined, reason: 'DISABLED' });
    expect(resolve('static', 'any')).toMatchObject({ value: true, reason: 'STATIC' });
  });
});

describe('resolveExplanation: errors', () => {
  it('says FLAG_NOT_FOUND, TYPE_MISMATCH and PARSE_ERROR with a message', () => {
    expect(resolve('nope', 'boolean')).toMatchObject({ reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    expect(resolve('json', 'number')).toMatchObject({
      reason: 'ERROR',
      errorCode: 'TYPE_MISMATCH',
      errorMessage: 'variant "only" of "json" has a json payload, not a number',
    });
    expect(resolve('targeted-variant', 'number', { userId: 'ada' })).toMatchObject({
      errorCode: 'TYPE_MISMATCH',
      errorMessage: 'variant "a" of "targeted-variant" has no payload',
    });
    expect(resolve('broken-json', 'object')).toMatchObject({ reason: 'ERROR', errorCode: 'PARSE_ERROR' });
  });

  it('says PROVIDER_NOT_READY for an explanation given before the flags loaded', () => {
    const explanation = {
      ...compiled.explain('nope', {}),
      reason: 'not-ready' as const,
      detail: 'not loaded',
    };
    expect(resolveExplanation(explanation, undefined, 'boolean', {})).toMatchObject({
      reason: 'ERROR',
      errorCode: 'PROVIDER_NOT_READY',
      errorMessage: 'not loaded',
    });
  });
});

describe('parsePayload', () => {
  it('reads numbers, JSON, CSV and strings, and says what does not parse', () => {
    expect(parsePayload({ type: 'number', value: ' 12.5 ' })).toEqual({ ok: true, value: 12.5 });
    expect(parsePayload({ type: 'number', value: '' })).toMatchObject({ ok: false });
    expect(parsePayload({ type: 'json', value: '[1,2]' })).toEqual({ ok: true, value: [1, 2] });
    expect(parsePayload({ type: 'csv', value: 'a, b ,c' })).toEqual({ ok: true, value: ['a', 'b', 'c'] });
    expect(parsePayload({ type: 'string', value: 'x' })).toEqual({ ok: true, value: 'x' });
  });
});
