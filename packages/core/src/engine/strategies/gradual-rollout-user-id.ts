// `gradualRolloutUserId`: on for a percentage of user ids, by the bucket of `groupId:userId`
// (unleash-client lib/strategy/gradual-rollout-user-id.js).
import { ALWAYS_FALSE, type Predicate } from '../constraints.js';
import { bucketOf, type HashPrefix, hashWithPrefix, prepareHashPrefix, STRATEGY_SEED } from '../murmur.js';
import type { BuiltInStrategy } from './built-in-strategy.js';
import { groupIdText, percentageParameter } from './parameters.js';

export const gradualRolloutUserIdStrategy: BuiltInStrategy = {
  name: 'gradualRolloutUserId',
  compile(parameters, field) {
    const percentage = percentageParameter(parameters, 'percentage', field);
    if (percentage <= 0) return ALWAYS_FALSE;
    const prefix = prepareHashPrefix(
      `${groupIdText(parameters.groupId, `${field}.groupId`) || ''}:`,
      STRATEGY_SEED,
    );
    return userIdBucketWithin(prefix, percentage);
  },
};

/** `userId` must be truthy; the bucket of `groupId:userId` within the percentage. */
function userIdBucketWithin(prefix: HashPrefix, percentage: number): Predicate {
  return (context) => {
    const id = context.userId;
    return (
      !!id && bucketOf(hashWithPrefix(prefix, typeof id === 'string' ? id : String(id)), 100) <= percentage
    );
  };
}
