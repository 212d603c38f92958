// `userWithId`: on for the listed user ids (unleash-client lib/strategy/user-with-id-strategy.js).
import { ALWAYS_FALSE, type Predicate } from '../constraints.js';
import type { BuiltInStrategy } from './built-in-strategy.js';
import { listParameter } from './parameters.js';

export const userWithIdStrategy: BuiltInStrategy = {
  name: 'userWithId',
  compile(parameters, field) {
    const userIds = listParameter(parameters.userIds, `${field}.userIds`, '');
    return userIds === undefined ? ALWAYS_FALSE : userIdIn(new Set(userIds));
  },
};

function userIdIn(ids: ReadonlySet<string>): Predicate {
  return (context) => {
    const userId = context.userId;
    return userId !== undefined && ids.has(userId as string);
  };
}
