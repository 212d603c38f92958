// `gradualRolloutRandom`: on for a random percentage of evaluations (unleash-client
// lib/strategy/gradual-rollout-random.js).
import { ALWAYS_FALSE, ALWAYS_TRUE, type Predicate } from '../constraints.js';
import type { BuiltInStrategy } from './built-in-strategy.js';
import { percentageParameter, randomPercent } from './parameters.js';

export const gradualRolloutRandomStrategy: BuiltInStrategy = {
  name: 'gradualRolloutRandom',
  compile(parameters, field) {
    const percentage = percentageParameter(parameters, 'percentage', field);
    if (percentage <= 0) return ALWAYS_FALSE;
    if (percentage >= 100) return ALWAYS_TRUE;
    return randomWithin(percentage);
  },
};

/** On for `percentage` % of evaluations, at random. */
export function randomWithin(percentage: number): Predicate {
  return () => randomPercent() <= percentage;
}
