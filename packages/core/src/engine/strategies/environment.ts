// What compiling strategies needs besides the definition.
import type { CustomStrategy } from '../../types.js';
import type { CompileEnvironment, Predicate } from '../constraints.js';

/** A global segment, compiled the first time a strategy uses it. */
export interface SegmentEntry {
  readonly raw: unknown;
  compiled?: Predicate;
  problem?: { field: string; message: string };
}

export interface StrategyEnvironment extends CompileEnvironment {
  readonly customStrategies: ReadonlyMap<string, CustomStrategy>;
  /** undefined when the payload's `segments` is unusable (not an array) */
  readonly segments: ReadonlyMap<unknown, SegmentEntry> | undefined;
  /** the lower-cased host name, computed on first use like unleash-client's ApplicationHostnameStrategy */
  hostname(): string;
}
