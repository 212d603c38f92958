// Unleash's built-in activation strategies, by name: one file each, as unleash-client keeps them.
import { applicationHostnameStrategy } from './application-hostname.js';
import type { BuiltInStrategy } from './built-in-strategy.js';
import { defaultStrategy } from './default.js';
import { flexibleRolloutStrategy } from './flexible-rollout.js';
import { gradualRolloutRandomStrategy } from './gradual-rollout-random.js';
import { gradualRolloutSessionIdStrategy } from './gradual-rollout-session-id.js';
import { gradualRolloutUserIdStrategy } from './gradual-rollout-user-id.js';
import { remoteAddressStrategy } from './remote-address.js';
import { userWithIdStrategy } from './user-with-id.js';

export const BUILT_IN_STRATEGIES: ReadonlyMap<string, BuiltInStrategy> = new Map(
  [
    defaultStrategy,
    userWithIdStrategy,
    gradualRolloutUserIdStrategy,
    gradualRolloutSessionIdStrategy,
    gradualRolloutRandomStrategy,
    flexibleRolloutStrategy,
    remoteAddressStrategy,
    applicationHostnameStrategy,
  ].map((strategy) => [strategy.name, strategy]),
);
