export { currentHostname } from './application-hostname.js';
export { type CompiledStrategy, compileStrategy } from './compile-strategy.js';
export type { SegmentEntry, StrategyEnvironment } from './environment.js';
