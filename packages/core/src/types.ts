// The shapes every part of flagwise agrees on. Definitions are Unleash's wire format
// (the body of GET /api/client/features); every source produces it.
import type { KnownConstraintOperator } from './engine/operators.js';

// ---------------------------------------------------------------------------
// Definitions (Unleash client-features format)
// ---------------------------------------------------------------------------

/**
 * A constraint's operator: one the engine evaluates (its lists in engine/operators.ts), or any other string a
 * newer Unleash may send, which never matches, as in unleash-client.
 */
export type ConstraintOperator = KnownConstraintOperator | (string & {});

export interface ConstraintDefinition {
  contextName: string;
  operator: ConstraintOperator;
  values?: string[];
  value?: string;
  inverted?: boolean;
  caseInsensitive?: boolean;
}

export type PayloadType = 'string' | 'json' | 'csv' | 'number' | (string & {});

export interface Payload {
  type: PayloadType;
  value: string;
}

export interface VariantOverride {
  contextName: string;
  values: string[];
}

export interface VariantDefinition {
  name: string;
  weight: number;
  weightType?: 'variable' | 'fix' | (string & {});
  stickiness?: string;
  payload?: Payload;
  overrides?: VariantOverride[];
}

export interface StrategyDefinition {
  name: string;
  parameters?: Record<string, string | number | undefined>;
  constraints?: ConstraintDefinition[];
  segments?: number[];
  variants?: VariantDefinition[];
  disabled?: boolean;
  title?: string;
  /** flagwise extension, set by a flags file's short format: how the file wrote this strategy; never sent to Unleash */
  shorthand?: StrategyShorthand;
}

/**
 * How a flags file wrote a strategy in its short format, so explanations say it in the file's words
 * (`users: [alice, bob] does not list carol`, `rollout: 50`) rather than Unleash's (`userWithId`,
 * `flexibleRollout`). Not part of Unleash's format: `flagwise push` and the sync leave it out.
 */
export interface StrategyShorthand {
  /** `users:` (a user list), `rollout:` (a percentage, with `when:` and `segments:`) or `strategy:` (by name) */
  key: 'users' | 'rollout' | 'strategy';
  /** its place in `rules:`, from 1; absent for what is written on the flag itself */
  rule?: number;
}

export interface DependencyDefinition {
  feature: string;
  enabled?: boolean;
  variants?: string[];
}

export interface FeatureDefinition {
  name: string;
  enabled: boolean;
  type?: string;
  description?: string | null;
  project?: string;
  stale?: boolean;
  strategies?: StrategyDefinition[];
  variants?: VariantDefinition[] | null;
  dependencies?: DependencyDefinition[];
  impressionData?: boolean;
  /** flagwise extension: may this flag be sent to a browser (`toJSON()`, the frontend endpoints)? Default false. */
  browser?: boolean;
  /** Unleash tags (from the admin API or a flags file's `tags:`); not used in evaluation */
  tags?: FeatureTag[];
}

/** An Unleash tag on a flag, e.g. `{ type: 'simple', value: 'checkout' }`. */
export interface FeatureTag {
  type: string;
  value: string;
}

export interface SegmentDefinition {
  id: number;
  name?: string;
  constraints: ConstraintDefinition[];
}

export interface ClientFeaturesPayload {
  version: number;
  features: FeatureDefinition[];
  segments?: SegmentDefinition[];
  query?: unknown;
  meta?: unknown;
}

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

/** Unleash's context. Fields not listed here are looked up at the top level, then in `properties`. */
export interface FlagContext {
  userId?: string;
  sessionId?: string;
  remoteAddress?: string;
  environment?: string;
  appName?: string;
  currentTime?: Date | string;
  properties?: Record<string, string | number | boolean | undefined | null>;
  [field: string]: unknown;
}

/** Unleash's variant result shape. `feature_enabled` is what unleash-client returns; `featureEnabled` mirrors it. */
export interface VariantResult {
  name: string;
  enabled: boolean;
  payload?: Payload;
  feature_enabled: boolean;
  featureEnabled: boolean;
}

/**
 * Why an evaluation gave its answer, member by member. `explain()` answers one in `reason`, with a sentence in
 * `detail`.
 */
export interface EvaluationReasons {
  /**
   * A QA override forced the value: the browser's signed override cookie or query, which `overrides.allow(request)`
   * permitted. Only per-request flags (`req.flags`) have overrides.
   */
  override: true;
  /** The flag is defined and switched off (`enabled: false`): off for everyone, whatever its strategies say. */
  disabled: true;
  /**
   * The flag is on for this context: the strategy at `strategyIndex` (named `strategyName`) matched, or the flag
   * has no strategies (then no index), which Unleash reads as on for everyone.
   */
  'strategy-matched': true;
  /** The flag is switched on, but none of its strategies matched this context (an unknown strategy never does). */
  'no-strategy-matched': true;
  /** The flag's strategies were not asked: a parent flag it `requires` is not in the state it needs. */
  'dependency-failed': true;
  /** The definitions have no flag of that name; the answer is the fallback (off). */
  'not-found': true;
  /** The source has not delivered definitions yet; the answer is the fallback (off). */
  'not-ready': true;
  /**
   * The flag's definition was rejected when it was compiled (and no earlier version of it was kept), or
   * evaluating it threw; the answer is the fallback (off) and the error was logged.
   */
  error: true;
}

/** Why an evaluation gave its answer: one of the members of EvaluationReasons. */
export type EvaluationReason = keyof EvaluationReasons;

export interface Explanation {
  flag: string;
  enabled: boolean;
  variant: VariantResult;
  reason: EvaluationReason;
  /** index of the strategy that matched, for `strategy-matched` */
  strategyIndex?: number;
  /** name of the strategy that matched */
  strategyName?: string;
  /** a human sentence: which rule decided, or what was wrong */
  detail?: string;
}

/** A custom strategy registered by name. Its parameters are passed as Unleash sends them. */
export interface CustomStrategy {
  name: string;
  isEnabled(parameters: Record<string, unknown>, context: FlagContext): boolean;
}

// ---------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------

export type SourceStatus = 'starting' | 'ready' | 'stale' | 'failed';

export type SourceEvent =
  | { type: 'definitions'; definitions: ClientFeaturesPayload }
  | { type: 'status'; status: SourceStatus; reason?: string }
  | { type: 'error'; error: Error }
  | { type: 'warn'; message: string };

export type SourceListener = (event: SourceEvent) => void;

/**
 * Where definitions come from. The client calls `start()` once, reads `current()` and listens for events.
 * A failing source keeps serving its last good definitions.
 */
export interface FlagSource {
  /** short name for messages, e.g. `file:/app/flags.yaml` */
  readonly name: string;
  readonly status: SourceStatus;
  /**
   * Begin loading. Resolves once the first definitions are available (status ready or stale);
   * rejects with a FlagwiseError saying what is wrong when it cannot get any.
   */
  start(context: SourceStartContext): Promise<void>;
  stop(): Promise<void>;
  /** the last good definitions, or undefined before the first load */
  current(): ClientFeaturesPayload | undefined;
  subscribe(listener: SourceListener): () => void;
  /** optional: counts an evaluation (Unleash usage metrics) */
  recordEvaluation?(flag: string, enabled: boolean, variant?: string): void;
  /** optional: impact metrics sent with the usage metrics (Unleash's counters, gauges and histograms) */
  readonly impactMetrics?: ImpactMetrics;
  /**
   * optional: true when nobody waits to read a change the moment it is delivered (a watched file, a polled
   * server). The client may then compile a large reload in slices between requests and swap it in once done.
   * Unset, every delivery is swapped in before the delivering call returns, as memorySource promises.
   */
  readonly slicedReloads?: boolean;
}

/** Labels of one impact metric sample: `{ [flagName]: variant, appName, environment }` in Unleash's SDKs. */
export type ImpactLabels = Record<string, string>;

/**
 * Impact metrics in the shape Unleash's SDKs send them (`impactMetrics` of a metrics report): named counters,
 * gauges and histograms whose samples carry labels. A source that reports usage to Unleash sends them with it.
 * @example source.impactMetrics?.histogram('checkout_seconds', 'Checkout time').observe(0.2, { 'new-checkout': 'b' })
 */
export interface ImpactMetrics {
  counter(name: string, help: string): { inc(value: number, labels: ImpactLabels): void };
  gauge(name: string, help: string): { set(value: number, labels: ImpactLabels): void };
  histogram(
    name: string,
    help: string,
    buckets?: readonly number[],
  ): { observe(value: number, labels: ImpactLabels): void };
  /**
   * Adds histogram samples counted elsewhere (a browser's report): `buckets` are cumulative counts per upper
   * bound, as in Unleash's reports.
   */
  addHistogramSample(
    name: string,
    help: string,
    sample: {
      labels: ImpactLabels;
      count: number;
      sum: number;
      buckets: { le: number | '+Inf'; count: number }[];
    },
  ): void;
  /** The labels Unleash's SDKs add to every sample (appName, environment). */
  readonly staticLabels: ImpactLabels;
}

export interface SourceStartContext {
  logger: Logger;
}

// ---------------------------------------------------------------------------
// Logging
// ---------------------------------------------------------------------------

/** pino-compatible subset: `logger.warn(obj?, msg)` or `logger.warn(msg)`. */
export interface Logger {
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

// ---------------------------------------------------------------------------
// Flag names: users narrow them by merging into this registry.
// ---------------------------------------------------------------------------

/**
 * Declare your flag names to get them checked by TypeScript:
 * @example
 * declare module '@flagwise/core' {
 *   interface FlagRegistry { 'new-pricing': true; 'checkout-copy': true }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: merged by users
export interface FlagRegistry {}

/** The flag names an app declared in FlagRegistry, or any string when it declared none. */
export type FlagName = keyof FlagRegistry extends never ? string : Extract<keyof FlagRegistry, string>;
