// `gradualRolloutUserId`: on for a percentage of user ids, by the bucket of `groupId:userId`
// (unleash-client lib/strategy/gradual-rollout-user-id.js).
import { ALWAYS_FALSE, type Predicate } from '../constraints.js';
import { bucketOf, type HashPrefix, hashWithPrefix } from '../murmur.js';
import type { BuiltInStrategy } from './built-in-strategy.js';
import { gradualRollout } from './parameters.js';

export const gradualRolloutUserIdStrategy: BuiltInStrategy = {
  name: 'gradualRolloutUserId',
  compile(parameters, field) {
    const rollout = gradualRollout(parameters, field);
    return rollout === undefined ? ALWAYS_FALSE : userIdBucketWithin(rollout.prefix, rollout.percentage);
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
