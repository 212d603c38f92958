// Variant selection with unleash-client 6.12.1's semantics (lib/variant.js): overrides first, then the bucket
// `normalizedVariantValue(seed, groupId, totalWeight)` walked through the weights in order. Weights are used as
// given: unleash-client never reads `weightType` (the server turns `variable` weights into numbers before sending).
// Every possible result is built and frozen here, so picking a variant allocates nothing.
import type { FlagContext, Payload, VariantResult } from '../types.js';
import type { CompileEnvironment } from './constraints.js';
import { readFieldText } from './context-value.js';
import { fail, isAbsent, isRecord, kindOf, optionalArray, optionalString } from './definition-problem.js';
import { bucketOf, type HashPrefix, hashWithPrefix, prepareHashPrefix, VARIANT_SEED } from './murmur.js';

/** Picks a variant for a context, or null when none applies (unleash-client then falls back). */
export interface VariantPicker {
  pick(context: FlagContext): VariantResult | null;
}

/** Unleash's answer when there is no variant: `{ name: 'disabled', enabled: false }`. */
export const DISABLED_VARIANT: VariantResult = Object.freeze({
  name: 'disabled',
  enabled: false,
  feature_enabled: false,
  featureEnabled: false,
});

/** The flag is on but has no variant for this context. */
export const DISABLED_VARIANT_OF_ENABLED_FLAG: VariantResult = Object.freeze({
  name: 'disabled',
  enabled: false,
  feature_enabled: true,
  featureEnabled: true,
});

const WEIGHT_TYPES = new Set(['variable', 'fix']);
const NO_OVERRIDES: readonly VariantEntry[] = Object.freeze([]);

/** A checked, normalised variant definition. */
interface VariantEntry {
  readonly name: string;
  readonly weight: number;
  readonly result: VariantResult;
  readonly overrideMatchers: readonly ((context: FlagContext) => boolean)[];
}

/**
 * Compiles a variants list into a picker; null when it can never pick (empty, or total weight <= 0).
 * `groupId` is the hash group (the flag name for flag variants, the strategy's `groupId` parameter for strategy
 * variants) and `stickiness` the field whose value is hashed (`undefined` means Unleash's `default`).
 * @example
 * const pick = compileVariants(definition.variants, 'variants', 'checkout', undefined, env);
 */
export function compileVariants(
  raw: readonly unknown[],
  field: string,
  groupId: string,
  stickiness: string | undefined,
  env: CompileEnvironment,
): VariantPicker | null {
  const entries = raw.map((variant, index) => compileVariantEntry(variant, `${field}[${index}]`, env));
  if (entries.length === 0) return null;

  let totalWeight = 0;
  for (const entry of entries) totalWeight += entry.weight;
  if (!(totalWeight > 0)) return null;
  return new WeightedVariants(entries, totalWeight, groupId, stickiness, env);
}

/** Where the hashed seed comes from: Unleash's default chain, or one context field. */
const DEFAULT_STICKINESS = 0;
const FIELD_STICKINESS = 1;

/** One flag's (or strategy's) variants: a small object, not a closure per list, so 10,000 flags stay light. */
class WeightedVariants implements VariantPicker {
  private readonly results: readonly VariantResult[];
  private readonly cumulative: readonly number[];
  private readonly overridden: readonly VariantEntry[];
  private readonly prefix: HashPrefix;
  private readonly stickinessKind: number;
  private readonly stickinessField: string;
  private readonly staticValue: string | undefined;
  private readonly wholeTotal: boolean;

  constructor(
    entries: readonly VariantEntry[],
    private readonly totalWeight: number,
    groupId: string,
    stickiness: string | undefined,
    env: CompileEnvironment,
  ) {
    this.wholeTotal = Number.isInteger(totalWeight);
    // unleash-client skips weight-0 variants and returns the first whose running sum reaches the target
    const candidates = entries.filter((entry) => entry.weight !== 0);
    const cumulative: number[] = [];
    let counter = 0;
    for (const entry of candidates) cumulative.push((counter += entry.weight));
    this.cumulative = cumulative.slice(); // exact length: it lives as long as the flag
    this.results = candidates.map((entry) => entry.result);
    const overridden = entries.filter((entry) => entry.overrideMatchers.length > 0);
    this.overridden = overridden.length === 0 ? NO_OVERRIDES : overridden;
    this.prefix = prepareHashPrefix(`${groupId}:`, VARIANT_SEED);
    const isDefault = stickiness === undefined || stickiness === 'default';
    this.stickinessKind = isDefault ? DEFAULT_STICKINESS : FIELD_STICKINESS;
    this.stickinessField = isDefault ? '' : (stickiness ?? '');
    this.staticValue =
      stickiness === 'appName' || stickiness === 'environment' ? env.staticContext?.[stickiness] : undefined;
  }

  pick(context: FlagContext): VariantResult | null {
    const overridden = this.overridden;
    for (let i = 0; i < overridden.length; i++) {
      const matchers = overridden[i].overrideMatchers;
      for (let j = 0; j < matchers.length; j++) if (matchers[j](context)) return overridden[i].result;
    }
    const seed = this.seedOf(context);
    const hash =
      seed === undefined ? Math.floor(Math.random() * 4294967296) : hashWithPrefix(this.prefix, seed);
    // fractional totals (Unleash never sends them, but they evaluate) keep unleash-client's exact `%`
    const target = this.wholeTotal ? bucketOf(hash, this.totalWeight) : (hash % this.totalWeight) + 1;
    const cumulative = this.cumulative;
    for (let i = 0; i < cumulative.length; i++) if (cumulative[i] >= target) return this.results[i];
    return null;
  }

  /** unleash-client's `getSeed`: the value to hash, or undefined when it would use a random one. */
  private seedOf(context: FlagContext): string | undefined {
    if (this.stickinessKind === FIELD_STICKINESS) {
      return readFieldText(context, this.stickinessField, this.staticValue) || undefined;
    }
    const userId = context.userId;
    if (typeof userId === 'string' && userId !== '') return userId;
    const sessionId = context.sessionId;
    if (typeof sessionId === 'string' && sessionId !== '') return sessionId;
    const remoteAddress = context.remoteAddress;
    if (typeof remoteAddress === 'string' && remoteAddress !== '') return remoteAddress;
    return undefined;
  }
}

/**
 * The stickiness unleash-client uses for a flag's own variants: the first variant's, `default` when unset.
 * @example
 * flagVariantStickiness(definition.variants); // 'userId'
 */
export function flagVariantStickiness(variants: readonly unknown[]): string | undefined {
  const first = variants[0];
  const stickiness = isRecord(first) ? first.stickiness : undefined;
  return isAbsent(stickiness) ? undefined : String(stickiness);
}

/**
 * The stickiness unleash-client uses for a strategy's variants: the first variant's, else the strategy's.
 * @example
 * strategyVariantStickiness(strategy.variants, strategy.parameters); // 'sessionId'
 */
export function strategyVariantStickiness(
  variants: readonly unknown[],
  parameters: Record<string, unknown>,
): string | undefined {
  const first = variants[0];
  const stickiness = (isRecord(first) ? first.stickiness : undefined) || parameters.stickiness;
  return stickiness === undefined ? undefined : String(stickiness);
}

function compileVariantEntry(raw: unknown, field: string, env: CompileEnvironment): VariantEntry {
  if (!isRecord(raw)) fail(field, `must be an object like { name, weight, payload }, got ${kindOf(raw)}`);
  const name = raw.name;
  if (typeof name !== 'string') fail(`${field}.name`, `must be a string, got ${kindOf(name)}`);
  const weight = raw.weight;
  if (typeof weight !== 'number' || !Number.isFinite(weight)) {
    fail(
      `${field}.weight`,
      `must be a number (Unleash sends weights that add up to 1000), got ${kindOf(weight)}`,
    );
  }
  const weightType = optionalString(raw.weightType, `${field}.weightType`);
  if (weightType !== undefined && !WEIGHT_TYPES.has(weightType)) {
    env.warnOnce(
      `weightType:${weightType}`,
      `${field}.weightType "${weightType}" is neither "variable" nor "fix"; the weight is used as given`,
    );
  }
  optionalString(raw.stickiness, `${field}.stickiness`);

  let payload: Payload | undefined;
  if (!isAbsent(raw.payload)) {
    const rawPayload = raw.payload;
    if (!isRecord(rawPayload)) fail(`${field}.payload`, `must be { type, value }, got ${kindOf(rawPayload)}`);
    if (typeof rawPayload.type !== 'string') {
      fail(
        `${field}.payload.type`,
        `must be "string", "json", "csv" or "number", got ${kindOf(rawPayload.type)}`,
      );
    }
    if (typeof rawPayload.value !== 'string') {
      fail(
        `${field}.payload.value`,
        `must be a string (JSON and numbers are sent as text), got ${kindOf(rawPayload.value)}`,
      );
    }
    payload = Object.freeze({ ...rawPayload }) as unknown as Payload;
  }

  const overrideMatchers: ((context: FlagContext) => boolean)[] = [];
  const overrides = optionalArray(raw.overrides, `${field}.overrides`) ?? [];
  overrides.forEach((override, index) => {
    const overrideField = `${field}.overrides[${index}]`;
    if (!isRecord(override)) fail(overrideField, `must be { contextName, values }, got ${kindOf(override)}`);
    if (typeof override.contextName !== 'string') {
      fail(`${overrideField}.contextName`, `must be a string, got ${kindOf(override.contextName)}`);
    }
    const values = override.values;
    if (!Array.isArray(values))
      fail(`${overrideField}.values`, `must be an array of strings, got ${kindOf(values)}`);
    values.forEach((value, valueIndex) => {
      if (typeof value !== 'string')
        fail(`${overrideField}.values[${valueIndex}]`, `must be a string, got ${kindOf(value)}`);
    });
    const contextName = override.contextName;
    const staticValue =
      contextName === 'appName' || contextName === 'environment'
        ? env.staticContext?.[contextName]
        : undefined;
    const accepted = new Set(values as string[]);
    overrideMatchers.push((context) => {
      const value = readFieldText(context, contextName, staticValue);
      return value !== undefined && accepted.has(value);
    });
  });

  // unleash-client passes the definition's payload through, so an explicit `payload: null` stays null
  const result: VariantResult =
    payload === undefined && raw.payload !== null
      ? Object.freeze({ name, enabled: true, feature_enabled: true, featureEnabled: true })
      : Object.freeze({
          name,
          enabled: true,
          payload: payload ?? (null as never),
          feature_enabled: true,
          featureEnabled: true,
        });
  return { name, weight, result, overrideMatchers };
}
