// What compiling definitions gives: one immutable set of compiled flags, and the options of compiling.
import type { FlagDefinitionError } from '../errors.js';
import type {
  ClientFeaturesPayload,
  CustomStrategy,
  Explanation,
  FeatureDefinition,
  FlagContext,
  VariantResult,
} from '../types.js';

/**
 * Options of compileFlags.
 * @example
 * compileFlags(payload, { staticContext: { appName: 'shop', environment: 'production' }, onWarn: log.warn, previous });
 */
export interface CompileOptions {
  /** custom strategies, by name */
  strategies?: readonly CustomStrategy[];
  /** merged under every evaluation's context as Unleash does (appName, environment) */
  staticContext?: { appName?: string; environment?: string };
  /** called for warnings such as an unknown strategy (once per strategy name) */
  onWarn?: (message: string) => void;
  /** flags that fail to compile keep their evaluator from this previous snapshot, when it has one */
  previous?: CompiledFlags;
}

/** One flag of a compiled snapshot, from `handle(name)`. */
export interface FlagHandle {
  readonly name: string;
}

/**
 * One compiled snapshot of definitions. Every method is synchronous and never throws.
 * @example
 * const flags = compileFlags(payload);
 * flags.isEnabled('new-pricing', { userId: '42' });
 * flags.getVariant('checkout', { userId: '42' }).name;
 * flags.explain('new-pricing', { userId: '42' }).reason; // 'strategy-matched'
 */
export interface CompiledFlags {
  readonly definitions: ClientFeaturesPayload;
  /** one entry per flag that failed to compile */
  readonly errors: readonly FlagDefinitionError[];
  has(name: string): boolean;
  names(): string[];
  feature(name: string): FeatureDefinition | undefined;
  isEnabled(name: string, context: FlagContext, fallback?: boolean): boolean;
  getVariant(name: string, context: FlagContext, fallback?: VariantResult): VariantResult;
  /**
   * The flag itself, for callers that read it often (per-request objects keep it): evaluating through a handle
   * skips the name lookup. A handle belongs to this snapshot only.
   */
  handle(name: string): FlagHandle | undefined;
  isEnabledHandle(handle: FlagHandle, context: FlagContext, fallback?: boolean): boolean;
  getVariantHandle(handle: FlagHandle, context: FlagContext, fallback?: VariantResult): VariantResult;
  explain(name: string, context: FlagContext): Explanation;
  /**
   * One evaluation's decision: the matching strategy's index, or a negative code for why nothing matched (see
   * `isOnDecision`, `reasonOfDecision`). Value, variant and explanation all follow from it, so a caller that
   * keeps the decision answers all three from one evaluation. Never throws.
   */
  decide(handle: FlagHandle, context: FlagContext): number;
  /** The variant for a decision from `decide` (picked now: random stickiness picks anew on each call). */
  variantOfDecision(handle: FlagHandle, context: FlagContext, decision: number): VariantResult;
  /** The explanation of a decision from `decide` and the variant picked for it. */
  explainDecision(
    handle: FlagHandle,
    context: FlagContext,
    decision: number,
    variant: VariantResult,
  ): Explanation;
}
