// flagwise's answer (an Explanation) in OpenFeature's terms: value, variant, reason, error code and metadata.
// The OpenFeature provider (@flagwise/openfeature) and the OFREP endpoint both answer through here, so a flag resolves the same on either side.
import type {
  Explanation,
  FeatureDefinition,
  FlagContext,
  Payload,
  StrategyDefinition,
  VariantDefinition,
} from '../types.js';

/** The value types OpenFeature resolves. */
export type ValueType = 'boolean' | 'string' | 'number' | 'object';

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

/** OpenFeature's error codes, member by member, as flagwise gives them. */
export interface ResolutionErrorCodes {
  /** No flag of that name in the definitions. */
  FLAG_NOT_FOUND: true;
  /** The definitions have not loaded yet. */
  PROVIDER_NOT_READY: true;
  /** The variant's payload is not of the asked type, or the variant has no payload. */
  TYPE_MISMATCH: true;
  /** The flag's definition was rejected, or a payload does not parse as its declared type. */
  PARSE_ERROR: true;
}

/** OpenFeature's error code of a failed resolution: one of the members of ResolutionErrorCodes. */
export type ResolutionErrorCode = keyof ResolutionErrorCodes;

/** flagwise's detail for one resolution, in OpenFeature's `flagMetadata`. */
export type ResolutionMetadata = Record<string, string | number | boolean>;

export interface Resolution {
  /** the resolved value; undefined when the caller's default applies */
  value: unknown;
  variant?: string;
  reason: ResolutionReason;
  errorCode?: ResolutionErrorCode;
  errorMessage?: string;
  /** `reason` (flagwise's own), `detail`, `enabled`, and `strategyName`/`strategyIndex` when a strategy matched */
  flagMetadata: ResolutionMetadata;
}

type ParsedPayload = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * Turns flagwise's explanation of one flag into an OpenFeature resolution of the asked type. A boolean is the
 * flag's enabled state, a string the variant's name, a number or an object the variant's payload.
 * @example resolveExplanation(client.explain('new-pricing', ctx), client.feature('new-pricing'), 'boolean', ctx)
 */
export function resolveExplanation(
  explanation: Explanation,
  definition: FeatureDefinition | undefined,
  type: ValueType | 'any',
  context: FlagContext,
): Resolution {
  const flagMetadata = metadataOf(explanation);
  switch (explanation.reason) {
    case 'not-found':
      return failure('FLAG_NOT_FOUND', explanation, flagMetadata);
    case 'not-ready':
      return failure('PROVIDER_NOT_READY', explanation, flagMetadata);
    case 'error':
      return failure('PARSE_ERROR', explanation, flagMetadata);
  }
  const { enabled, variant } = explanation;
  const hasVariant = enabled && variant.enabled;
  const variantName = hasVariant ? variant.name : undefined;
  const decided = decidedBy(explanation, definition, context, hasVariant && type !== 'boolean');
  if (type === 'boolean') return withVariant({ value: enabled, reason: decided, flagMetadata }, variantName);
  if (!hasVariant) {
    // Off, or on without a variant: nothing to give but the caller's default.
    if (type === 'any') return { value: enabled, reason: decided, flagMetadata };
    return { value: undefined, reason: enabled ? 'DEFAULT' : decided, flagMetadata };
  }
  if (type === 'string') return { value: variant.name, variant: variant.name, reason: decided, flagMetadata };
  if (variant.payload === undefined) {
    if (type === 'any') return { value: variant.name, variant: variant.name, reason: decided, flagMetadata };
    return typeMismatch(`variant "${variant.name}" of "${explanation.flag}" has no payload`, flagMetadata);
  }
  const parsed = parsePayload(variant.payload);
  if (!parsed.ok) {
    return {
      value: undefined,
      reason: 'ERROR',
      errorCode: 'PARSE_ERROR',
      errorMessage: `variant "${variant.name}" of "${explanation.flag}": ${parsed.message}`,
      flagMetadata,
    };
  }
  if (type !== 'any' && !isOfType(parsed.value, type)) {
    return typeMismatch(
      `variant "${variant.name}" of "${explanation.flag}" has a ${variant.payload.type} payload, not a ${type}`,
      flagMetadata,
    );
  }
  return { value: parsed.value, variant: variant.name, reason: decided, flagMetadata };
}

function withVariant(resolution: Resolution, variant: string | undefined): Resolution {
  if (variant !== undefined) resolution.variant = variant;
  return resolution;
}

function failure(
  errorCode: ResolutionErrorCode,
  explanation: Explanation,
  flagMetadata: ResolutionMetadata,
): Resolution {
  return {
    value: undefined,
    reason: 'ERROR',
    errorCode,
    errorMessage: explanation.detail ?? explanation.reason,
    flagMetadata,
  };
}

function typeMismatch(message: string, flagMetadata: ResolutionMetadata): Resolution {
  return {
    value: undefined,
    reason: 'ERROR',
    errorCode: 'TYPE_MISMATCH',
    errorMessage: message,
    flagMetadata,
  };
}

function metadataOf(explanation: Explanation): ResolutionMetadata {
  const metadata: ResolutionMetadata = { reason: explanation.reason, enabled: explanation.enabled };
  if (explanation.detail !== undefined) metadata.detail = explanation.detail;
  if (explanation.strategyName !== undefined) metadata.strategyName = explanation.strategyName;
  if (explanation.strategyIndex !== undefined) metadata.strategyIndex = explanation.strategyIndex;
  return metadata;
}

/** Which OpenFeature reason names what decided this value (see ResolutionReason). */
function decidedBy(
  explanation: Explanation,
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

/**
 * A payload's value by its declared type: `number` → a number, `json` → the parsed JSON, `csv` → an array of
 * strings, `string` (and anything else) → the string.
 */
export function parsePayload(payload: Payload): ParsedPayload {
  switch (payload.type) {
    case 'number': {
      const value = payload.value.trim() === '' ? Number.NaN : Number(payload.value);
      return Number.isFinite(value)
        ? { ok: true, value }
        : { ok: false, message: `the number payload "${payload.value}" is not a number` };
    }
    case 'json':
      try {
        return { ok: true, value: JSON.parse(payload.value) };
      } catch (error) {
        return {
          ok: false,
          message: `the json payload does not parse: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
    case 'csv':
      return { ok: true, value: payload.value.split(',').map((item) => item.trim()) };
    default:
      return { ok: true, value: payload.value };
  }
}

function isOfType(value: unknown, type: ValueType): boolean {
  if (type === 'object') return typeof value === 'object' && value !== null;
  return typeof value === type;
}
