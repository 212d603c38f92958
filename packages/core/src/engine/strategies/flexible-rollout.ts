// `flexibleRollout`: on for a percentage by the bucket of `groupId:<stickiness value>`, where the default
// stickiness is the userId, else the sessionId, else random (unleash-client lib/strategy/flexible-rollout-strategy.js).
import { ALWAYS_FALSE, ALWAYS_TRUE, type Predicate } from '../constraints.js';
import { readFieldText, staticValueOf } from '../context-value.js';
import { optionalString } from '../definition-problem.js';
import {
  bucketOf,
  type HashPrefix,
  hashWithPrefix,
  murmurHash32,
  prepareHashPrefix,
  STRATEGY_SEED,
} from '../murmur.js';
import type { BuiltInStrategy } from './built-in-strategy.js';
import { randomWithin } from './gradual-rollout-random.js';
import { groupIdText, percentageParameter, randomPercent } from './parameters.js';

export const flexibleRolloutStrategy: BuiltInStrategy = {
  name: 'flexibleRollout',
  compile(parameters, field, env) {
    const percentage = percentageParameter(parameters, 'rollout', field);
    const stickiness = optionalString(parameters.stickiness, `${field}.stickiness`) || 'default';
    if (percentage <= 0) return ALWAYS_FALSE;
    const groupId = groupIdText(parameters.groupId, `${field}.groupId`);
    const staticValue = staticValueOf(stickiness, env.staticContext);

    if (percentage >= 100) {
      // every bucket (1..100) is within the rollout: only a missing stickiness value can turn it off
      if (stickiness === 'default' || stickiness === 'random') return ALWAYS_TRUE;
      return fieldPresent(stickiness, staticValue);
    }
    if (stickiness === 'random') return randomWithin(percentage);
    // unleash-client: `parameters.groupId || context.featureToggle || ''` (nothing sets featureToggle itself)
    if (groupId === undefined) return featureToggleGroupBucketWithin(stickiness, staticValue, percentage);
    const prefix = prepareHashPrefix(`${groupId}:`, STRATEGY_SEED);
    if (stickiness === 'default') return defaultStickinessBucketWithin(prefix, percentage);
    return fieldBucketWithin(stickiness, staticValue, prefix, percentage);
  },
};

function fieldPresent(field: string, staticValue: string | undefined): Predicate {
  return (context) => !!readFieldText(context, field, staticValue);
}

/** The `default` stickiness: userId, else sessionId, else a random bucket. */
function defaultStickinessBucketWithin(prefix: HashPrefix, percentage: number): Predicate {
  return (context) => {
    const id = context.userId || context.sessionId;
    if (!id) return randomPercent() <= percentage;
    return bucketOf(hashWithPrefix(prefix, typeof id === 'string' ? id : String(id)), 100) <= percentage;
  };
}

function fieldBucketWithin(
  field: string,
  staticValue: string | undefined,
  prefix: HashPrefix,
  percentage: number,
): Predicate {
  return (context) => {
    const id = readFieldText(context, field, staticValue);
    return !!id && bucketOf(hashWithPrefix(prefix, id), 100) <= percentage;
  };
}

/** Without a groupId the group is the context's `featureToggle`, known only at evaluation time. */
function featureToggleGroupBucketWithin(
  stickiness: string,
  staticValue: string | undefined,
  percentage: number,
): Predicate {
  return (context) => {
    const id =
      stickiness === 'default'
        ? context.userId || context.sessionId
        : readFieldText(context, stickiness, staticValue);
    if (!id) return stickiness === 'default' ? randomPercent() <= percentage : false;
    const key = `${(context.featureToggle as string) || ''}:${typeof id === 'string' ? id : String(id)}`;
    return bucketOf(murmurHash32(key, STRATEGY_SEED), 100) <= percentage;
  };
}
