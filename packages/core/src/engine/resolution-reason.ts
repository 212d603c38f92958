// Which of OpenFeature's reasons names what decided an evaluation: what the OpenFeature provider and OFREP answer,
// and what telemetry records (lowercased) as `feature_flag.result.reason`, so that both say the same.
import type {
  Explanation,
  FeatureDefinition,
  FlagContext,
  StrategyDefinition,
  VariantDefinition,
} from '../types.js';

/** OpenFeature's reasons, member by member, as flagwise gives them. */
export interface ResolutionReasons {
  /**
   * A rule that picks some contexts decided: a strategy with constraints or segments, a user, host or IP list, a
   * dependency, a variant override; also a QA override (`flagMetadata.reason` says `override`).
   */
  TARGETING_MATCH: true;
  /** A percentage rollout below 100 %, or a weighted choice among variants, decided. */
  SPLIT: true;
  /**
   * The strategy that matched lets everyone in (no strategies, `default`, or a 100 % rollout, without
   * constraints or segments) and, for a variant value, the flag has a single variant.
   */
  STATIC: true;
  /** The flag is switched off. */
  DISABLED: true;
  /**
   * The flag is on but no strategy matched, a dependency is not satisfied, or the flag has no variant to give a
   * string, number or object value: the caller's default applies.
   */
  DEFAULT: true;
  /** The value could not be resolved; `errorCode` says why. */
  ERROR: true;
}

/** OpenFeature's reason for a resolution: one of the members of ResolutionReasons. */
export type ResolutionReason = keyof ResolutionReasons;

/**
 * Which OpenFeature reason names what decided this value (see ResolutionReason); `byVariant` when the value is
 * the variant. Telemetry records the same reason, lowercased, as `feature_flag.result.reason`.
 * @example decidedBy(client.explain('checkout-copy', ctx), client.feature('checkout-copy'), ctx, true) // 'SPLIT'
 */
export function decidedBy(
  explanation: Pick<Explanation, 'reason' | 'strategyIndex' | 'variant'>,
  definition: FeatureDefinition | undefined,
  context: FlagContext,
  byVariant: boolean,
): ResolutionReason {
  switch (explanation.reason) {
    case 'override':
      return 'TARGETING_MATCH';
    case 'disabled':
      return 'DISABLED';
    case 'no-strategy-matched':
    case 'dependency-failed':
      return 'DEFAULT';
  }
  const strategy =
    explanation.strategyIndex === undefined ? undefined : definition?.strategies?.[explanation.strategyIndex];
  if (byVariant) {
    const variants = strategy?.variants?.length ? strategy.variants : (definition?.variants ?? []);
    const chosen = variants.find((candidate) => candidate.name === explanation.variant.name);
    if (chosen !== undefined && overrideMatches(chosen, context)) return 'TARGETING_MATCH';
    if (variants.filter((candidate) => candidate.weight > 0).length > 1) return 'SPLIT';
  }
  if (definition?.dependencies?.length) return 'TARGETING_MATCH';
  if (strategy === undefined) return 'STATIC';
  const share = rolloutShare(strategy);
  if (share !== undefined && share < 100) return 'SPLIT';
  const targeted = (strategy.constraints?.length ?? 0) > 0 || (strategy.segments?.length ?? 0) > 0;
  const everyone = strategy.name === 'default' || share !== undefined;
  return everyone && !targeted ? 'STATIC' : 'TARGETING_MATCH';
}

/** The percentage a rollout strategy lets in, undefined for other strategies. */
function rolloutShare(strategy: StrategyDefinition): number | undefined {
  const parameters = strategy.parameters ?? {};
  const share =
    strategy.name === 'flexibleRollout'
      ? (parameters.rollout ?? 100)
      : strategy.name.startsWith('gradualRollout')
        ? (parameters.percentage ?? 100)
        : undefined;
  return share === undefined ? undefined : Number(share);
}

function overrideMatches(variant: VariantDefinition, context: FlagContext): boolean {
  return (variant.overrides ?? []).some((override) => {
    const value = context[override.contextName] ?? context.properties?.[override.contextName];
    return value !== undefined && value !== null && override.values.includes(String(value));
  });
}
