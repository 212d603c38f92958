// The shape of a built-in strategy: its Unleash name, and how its parameters compile into a predicate.
import type { Predicate } from '../constraints.js';
import type { StrategyEnvironment } from './environment.js';

/** One of Unleash's built-in activation strategies. */
export interface BuiltInStrategy {
  /** the name definitions use, e.g. `flexibleRollout` */
  readonly name: string;
  /**
   * Compiles the strategy's own rule (its constraints and segments are compiled apart); `field` is the path of
   * its parameters, for messages.
   */
  compile(parameters: Record<string, unknown>, field: string, env: StrategyEnvironment): Predicate;
}
