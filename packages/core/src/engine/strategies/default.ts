// `default`: on for everyone its constraints let through (unleash-client lib/strategy/default-strategy.js).
import { ALWAYS_TRUE } from '../constraints.js';
import type { BuiltInStrategy } from './built-in-strategy.js';

export const defaultStrategy: BuiltInStrategy = {
  name: 'default',
  compile: () => ALWAYS_TRUE,
};
