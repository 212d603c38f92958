// Telemetry, on when createFlags({ telemetry }) asks for it: each evaluation as a `feature_flag.evaluation`
// event with OpenTelemetry's semantic-convention attributes (on the active span, or as a log record), a counter of
// evaluations by flag, variant and reason, and each request's outcome by the flags and variants it read (OpenTelemetry
// metrics, Unleash impact metrics on a source that sends them, and the dashboard's figures). `@opentelemetry/api`
// is loaded here, when a client with telemetry is created, and nowhere else.
import { createRequire } from 'node:module';
import { decidedBy } from '../engine/resolution-reason.js';
import { ConfigurationError } from '../errors.js';
import { readsOf } from '../request/flags-object.js';
import type { FlagRead } from '../request/request-flags.js';
import type {
  EvaluationReason,
  FeatureDefinition,
  FlagContext,
  FlagSource,
  ImpactLabels,
  ImpactMetrics,
  VariantResult,
} from '../types.js';
import { OutcomeStats } from './outcome-stats.js';
import {
  type OpenTelemetryApi,
  type ResolvedTelemetryOptions,
  resolveTelemetryOptions,
  type TelemetryAttributes,
  type TelemetryLogger,
  type TelemetryLogsApi,
  type TelemetryOptions,
} from './telemetry-options.js';

/** The instrumentation scope flagwise records under. */
export const INSTRUMENTATION_SCOPE = '@flagwise/core';
/** `feature_flag.provider.name` */
export const PROVIDER_NAME = 'flagwise';
/** The event (span event or log record) of one evaluation, as the semantic conventions name it. */
export const EVALUATION_EVENT = 'feature_flag.evaluation';
/** The event of one conversion (`client.track()`, OpenFeature's `track()`). */
export const CONVERSION_EVENT = 'flagwise.conversion';

/** The OpenTelemetry metrics flagwise records. */
export const TELEMETRY_METRICS = {
  /** counter: evaluations by `feature_flag.key`, `feature_flag.result.variant`, `feature_flag.result.reason` */
  evaluations: 'flagwise.evaluations',
  /** histogram (s): request durations by flag, variant, status class and `error.type` */
  requestDuration: 'flagwise.request.duration',
  /** counter: requests that threw or answered 5xx, by flag, variant, status class and `error.type` */
  requestErrors: 'flagwise.request.errors',
  /** counter: conversions by event name */
  conversions: 'flagwise.conversions',
} as const;

/** The impact metrics flagwise sends to Unleash, labelled `{ [flag]: variant | 'enabled' | 'disabled' }`. */
export const IMPACT_METRICS = {
  requestDuration: 'flagwise_request_duration_seconds',
  requestErrors: 'flagwise_request_errors',
  conversions: 'flagwise_conversions',
} as const;

/** Where `flagwise.response.status_class` is recorded: `2xx`, `4xx`, `5xx`... */
export const STATUS_CLASS_ATTRIBUTE = 'flagwise.response.status_class';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** distinct conversion names kept at most (each is a metric attribute value) */
const MAX_CONVERSION_NAMES = 100;
const NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

/** Where a client keeps its telemetry: a registered symbol, so every copy of this module finds it. */
const TELEMETRY = Symbol.for('flagwise.telemetry');

/** What telemetry needs of its client. */
export interface TelemetryHost {
  readonly source: FlagSource;
  /** the definitions' revision, where the source has one */
  version(): string | undefined;
  /** the definition of a flag, for the reason of an evaluation */
  feature(flag: string): FeatureDefinition | undefined;
  /** whether a flag is defined now */
  has(flag: string): boolean;
  warnOnce(key: string, message: string): void;
}

/**
 * A request's outcome, as adapters record it: how long it took, the status sent (0 when it threw and no status
 * was sent: the error's `status`, else 500, is taken) and the error it threw, if any.
 */
export interface RequestOutcomes {
  /** a timestamp in milliseconds, to take the duration from */
  now(): number;
  record(flags: unknown, milliseconds: number, status: number, error?: unknown): void;
}

/** A client's telemetry. */
export class FlagsTelemetry implements RequestOutcomes {
  /** per flag and variant, the requests since the start (the dashboard's figures); undefined with outcomes off */
  readonly stats: OutcomeStats | undefined;
  private readonly api: OpenTelemetryApi;
  private readonly logger: TelemetryLogger | undefined;
  private readonly evaluations;
  private readonly requestDuration;
  private readonly requestErrors;
  private readonly conversions;
  private readonly impact: ImpactMetrics | undefined;
  private readonly conversionNames = new Set<string>();
  /** set while an evaluation runs that something else records (see `untraced`) */
  private paused = false;

  constructor(
    private readonly options: ResolvedTelemetryOptions,
    private readonly host: TelemetryHost,
  ) {
    this.api = options.api ?? loadOpenTelemetry();
    const logs = options.logsApi ?? this.api.logs ?? loadLogsApi();
    this.logger = logs?.getLogger(INSTRUMENTATION_SCOPE);
    if (this.logger === undefined && options.evaluations === 'log') {
      throw new ConfigurationError(
        "createFlags({ telemetry: { evaluations: 'log' } }): no OpenTelemetry Logs API: use @opentelemetry/api " +
          '1.10 or later, or install @opentelemetry/api-logs',
      );
    }
    const meter = this.api.metrics.getMeter(INSTRUMENTATION_SCOPE);
    this.evaluations = meter.createCounter(TELEMETRY_METRICS.evaluations, {
      description: 'Feature flag evaluations by flag, variant and reason',
      unit: '{evaluation}',
    });
    this.conversions = meter.createCounter(TELEMETRY_METRICS.conversions, {
      description: 'Conversions tracked through flagwise',
      unit: '{conversion}',
    });
    this.requestDuration = meter.createHistogram(TELEMETRY_METRICS.requestDuration, {
      description: 'Duration of the requests that read a flag, by flag and variant',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.requestErrors = meter.createCounter(TELEMETRY_METRICS.requestErrors, {
      description: 'Requests that read a flag and threw or answered 5xx, by flag and variant',
      unit: '{request}',
    });
    this.stats = options.outcomes ? new OutcomeStats() : undefined;
    this.impact = options.outcomes ? host.source.impactMetrics : undefined;
  }

  /** true when request outcomes are recorded */
  get recordsOutcomes(): boolean {
    return this.options.outcomes;
  }

  /**
   * Records one evaluation: the event, where the options say, and the counter. `strategyIndex` is the strategy
   * that decided, for the reason.
   */
  recordEvaluation(
    flag: string,
    enabled: boolean,
    variant: VariantResult | undefined,
    reason: EvaluationReason,
    strategyIndex: number | undefined,
    context: FlagContext,
  ): void {
    if (this.paused) return;
    try {
      const definition = this.host.feature(flag);
      const variantName = variantLabel(enabled, variant);
      const attributes: TelemetryAttributes = {
        'feature_flag.key': flag,
        'feature_flag.provider.name': PROVIDER_NAME,
        'feature_flag.result.variant': variantName,
        'feature_flag.set.id': this.host.source.name,
      };
      const errorType = errorTypeOfReason(reason);
      const resultReason =
        errorType === undefined
          ? decidedBy(
              { reason, strategyIndex, variant: variant ?? DISABLED },
              definition,
              context,
              variant?.enabled === true,
            ).toLowerCase()
          : 'error';
      attributes['feature_flag.result.reason'] = resultReason;
      if (errorType !== undefined) attributes['error.type'] = errorType;
      const version = this.host.version();
      if (version !== undefined) attributes['feature_flag.version'] = version;
      if (this.options.contextId) {
        const id = contextIdOf(context);
        if (id !== undefined) attributes['feature_flag.context.id'] = id;
      }
      const values = this.options.values;
      if (values === true || values.has(flag)) {
        attributes['feature_flag.result.value'] =
          variant?.enabled && variant.payload !== undefined ? String(variant.payload.value) : enabled;
      }
      this.emit(EVALUATION_EVENT, attributes);
      if (definition !== undefined && this.counts(flag)) {
        this.evaluations.add(1, {
          'feature_flag.key': flag,
          'feature_flag.result.variant': variantName,
          'feature_flag.result.reason': resultReason,
        });
      }
    } catch (error) {
      this.failed(error);
    }
  }

  /** Records a conversion (a goal reached): an event, a counter and, on Unleash, an impact metric. */
  recordConversion(name: string, attributes: TelemetryAttributes = {}): void {
    try {
      if (!NAME_PATTERN.test(name)) {
        this.host.warnOnce(
          `conversion name:${name.slice(0, 100)}`,
          `track("${name.slice(0, 100)}"): a conversion name is 1 to 100 letters, digits, _ . : or -; not recorded`,
        );
        return;
      }
      if (!this.conversionNames.has(name)) {
        if (this.conversionNames.size >= MAX_CONVERSION_NAMES) {
          this.host.warnOnce(
            'conversion names',
            `track(): more than ${MAX_CONVERSION_NAMES} conversion names; the others are not counted`,
          );
          return;
        }
        this.conversionNames.add(name);
      }
      this.emit(CONVERSION_EVENT, { ...attributes, 'flagwise.conversion.name': name });
      this.conversions.add(1, { 'flagwise.conversion.name': name });
      const impact = this.impact ?? this.host.source.impactMetrics;
      impact
        ?.counter(IMPACT_METRICS.conversions, 'Conversions tracked through flagwise')
        .inc(1, { ...impact.staticLabels, event: name });
    } catch (error) {
      this.failed(error);
    }
  }

  /** Runs a synchronous evaluation whose record is someone else's (OpenFeature's telemetry hooks). */
  untraced<T>(evaluate: () => T): T {
    this.paused = true;
    try {
      return evaluate();
    } finally {
      this.paused = false;
    }
  }

  now(): number {
    return performance.now();
  }

  /**
   * Records one request's outcome by every flag it read (those the options name): it failed when it answered 5xx
   * or threw an error that answers 5xx. Never throws.
   */
  record(flags: unknown, milliseconds: number, sent: number, error?: unknown): void {
    if (!this.options.outcomes) return;
    try {
      const reads = readsOf(flags);
      if (reads.length === 0) return;
      const status = sent === 0 && error !== undefined ? statusOfThrown(error) : sent;
      const seconds = milliseconds / 1000;
      const failed = status >= 500;
      const statusClass = status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'unknown';
      const errorType = !failed ? undefined : error !== undefined ? errorTypeOf(error) : String(status);
      const impact = this.impact;
      let labels: ImpactLabels | undefined;
      for (const read of reads) {
        if (!this.counts(read.flag)) continue;
        const variant = variantLabel(read.enabled, read.variant);
        const attributes: TelemetryAttributes = {
          'feature_flag.key': read.flag,
          'feature_flag.result.variant': variant,
          [STATUS_CLASS_ATTRIBUTE]: statusClass,
        };
        if (errorType !== undefined) attributes['error.type'] = errorType;
        this.requestDuration.record(seconds, attributes);
        if (failed) this.requestErrors.add(1, attributes);
        if (this.stats?.record(read.flag, variant, milliseconds, failed) === false) {
          this.host.warnOnce(
            'outcome series',
            'the dashboard keeps request figures for at most 2000 flag and variant pairs; name the flags that ' +
              'matter in createFlags({ telemetry: { flags } })',
          );
        }
        if (impact !== undefined) (labels ??= { ...impact.staticLabels })[read.flag] = unleashVariant(read);
      }
      if (impact !== undefined && labels !== undefined) {
        impact
          .histogram(
            IMPACT_METRICS.requestDuration,
            'Duration of requests by the flags they read',
            DURATION_BUCKETS,
          )
          .observe(seconds, labels);
        if (failed) {
          impact
            .counter(
              IMPACT_METRICS.requestErrors,
              'Requests that threw or answered 5xx, by the flags they read',
            )
            .inc(1, labels);
        }
      }
    } catch (caught) {
      this.failed(caught);
    }
  }

  private counts(flag: string): boolean {
    const named = this.options.flags;
    return named === undefined ? this.host.has(flag) : named.has(flag);
  }

  /** On the active span when one records and the options say so; otherwise a log record. */
  private emit(name: string, attributes: TelemetryAttributes): void {
    const where = this.options.evaluations;
    if (where === false) return;
    if (where === 'span') {
      const span = this.api.trace.getActiveSpan();
      if (span?.isRecording()) {
        span.addEvent(name, attributes);
        return;
      }
    }
    // SeverityNumber.INFO
    this.logger?.emit({ eventName: name, attributes, severityNumber: 9 });
  }

  private failed(error: unknown): void {
    this.host.warnOnce(
      'telemetry failed',
      `recording telemetry threw (${error instanceof Error ? error.message : String(error)}); the app goes on`,
    );
  }
}

const DISABLED: VariantResult = Object.freeze({
  name: 'disabled',
  enabled: false,
  feature_enabled: false,
  featureEnabled: false,
});

/** The variant as telemetry labels it: the variant's name, else `on` or `off`. */
export function variantLabel(enabled: boolean, variant: VariantResult | undefined): string {
  return variant?.enabled === true ? variant.name : enabled ? 'on' : 'off';
}

/** The variant as Unleash's SDKs label impact metrics: the variant's name, else `enabled` or `disabled`. */
function unleashVariant(read: FlagRead): string {
  return read.variant?.enabled === true ? read.variant.name : read.enabled ? 'enabled' : 'disabled';
}

/** `error.type` of an evaluation that failed, as OpenFeature's error codes in lowercase. */
function errorTypeOfReason(reason: EvaluationReason): string | undefined {
  switch (reason) {
    case 'not-found':
      return 'flag_not_found';
    case 'not-ready':
      return 'provider_not_ready';
    case 'error':
      return 'parse_error';
    default:
      return undefined;
  }
}

/** The status a thrown error answers with in Koa and Fastify: its `status` or `statusCode`, else 500. */
function statusOfThrown(error: unknown): number {
  const candidate = error as { status?: unknown; statusCode?: unknown } | null;
  const status = candidate?.status ?? candidate?.statusCode;
  return typeof status === 'number' && status >= 100 && status < 600 ? status : 500;
}

function errorTypeOf(error: unknown): string {
  const name = error instanceof Error ? error.name || error.constructor.name : typeof error;
  return name.length > 64 ? name.slice(0, 64) : name;
}

function contextIdOf(context: FlagContext): string | undefined {
  try {
    const id = context.userId || context.sessionId;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `require` where this module runs: one made from the module's URL (the ES module build, the sources), or
 * CommonJS's own in the CommonJS build, where `import.meta` is empty. (The ES module build has a `require` too: the
 * bundler's stand-in, which throws.)
 */
function requireHere(name: string): unknown {
  const url: string | undefined = import.meta.url;
  return (url ? createRequire(url) : require)(name);
}

function loadOpenTelemetry(): OpenTelemetryApi {
  try {
    return requireHere('@opentelemetry/api') as OpenTelemetryApi;
  } catch (error) {
    throw new ConfigurationError(
      'createFlags({ telemetry }): telemetry records through @opentelemetry/api, which could not be loaded ' +
        `(${error instanceof Error ? error.message.split('\n')[0] : String(error)}): npm install @opentelemetry/api`,
    );
  }
}

function loadLogsApi(): TelemetryLogsApi | undefined {
  try {
    return (requireHere('@opentelemetry/api-logs') as { logs: TelemetryLogsApi }).logs;
  } catch {
    return undefined;
  }
}

/**
 * The telemetry of `client` as its `telemetry` option asks (undefined when off: nothing of OpenTelemetry loads),
 * attached to the client for the adapters and the dashboard.
 * @example const telemetry = telemetryFor(client, options.telemetry, host);
 */
export function telemetryFor(
  client: object,
  option: boolean | TelemetryOptions | undefined,
  host: TelemetryHost,
): FlagsTelemetry | undefined {
  const options = resolveTelemetryOptions(option);
  if (options === undefined) return undefined;
  const telemetry = new FlagsTelemetry(options, host);
  attachTelemetry(client, telemetry);
  return telemetry;
}

/**
 * Gives a client its telemetry (the client does it once, as it is made).
 * @example attachTelemetry(this, new FlagsTelemetry(options, host));
 */
export function attachTelemetry(client: object, telemetry: FlagsTelemetry): void {
  Object.defineProperty(client, TELEMETRY, { value: telemetry });
}

/**
 * The telemetry of a flags client; undefined when it has none (telemetry off) or for anything else.
 * @example telemetryOf(client)?.stats?.summaries()
 */
export function telemetryOf(client: unknown): FlagsTelemetry | undefined {
  if (client === null || typeof client !== 'object') return undefined;
  return (client as { [TELEMETRY]?: FlagsTelemetry })[TELEMETRY];
}
