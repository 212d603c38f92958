// `gradualRolloutSessionId`: on for a percentage of session ids, by the bucket of `groupId:sessionId`
// (unleash-client lib/strategy/gradual-rollout-session-id.js).
import { ALWAYS_FALSE, type Predicate } from '../constraints.js';
import { bucketOf, type HashPrefix, hashWithPrefix } from '../murmur.js';
import type { BuiltInStrategy } from './built-in-strategy.js';
import { gradualRollout } from './parameters.js';

export const gradualRolloutSessionIdStrategy: BuiltInStrategy = {
  name: 'gradualRolloutSessionId',
  compile(parameters, field) {
    const rollout = gradualRollout(parameters, field);
    return rollout === undefined ? ALWAYS_FALSE : sessionIdBucketWithin(rollout.prefix, rollout.percentage);
  },
};

/** `sessionId` must be truthy; the bucket of `groupId:sessionId` within the percentage. */
function sessionIdBucketWithin(prefix: HashPrefix, percentage: number): Predicate {
  return (context) => {
    const id = context.sessionId;
    return (
      !!id && bucketOf(hashWithPrefix(prefix, typeof id === 'string' ? id : String(id)), 100) <= percentage
    );
  };
}
