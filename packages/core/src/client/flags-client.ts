// The client an app holds: one source, evaluated in memory. This file is its app API; the reload path is
// loader.ts, events and warnings events.ts, and how a request becomes flags is request/request-path.ts.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { CompileOptions } from '../engine/index.js';
import { ConfigurationError } from '../errors.js';
import { resolveLogger } from '../logger.js';
import { createRequestFlags } from '../request/flags-object.js';
import { type FlagOverrides, OverrideResolver } from '../request/overrides.js';
import type { RequestFlags, RequestFlagsHost } from '../request/request-flags.js';
import { AdapterHints, attachRequestPath, RequestPath } from '../request/request-path.js';
import { templateView } from '../request/template-view.js';
import { defaultFileSource } from '../sources/index.js';
import type {
  ClientFeaturesPayload,
  Explanation,
  FeatureDefinition,
  FlagContext,
  FlagName,
  FlagSource,
  Logger,
  SourceStatus,
  VariantResult,
} from '../types.js';
import { resolveEventStreamLimits, setEventStreamLimits } from './event-stream-limits.js';
import { ClientNotices, type FlagsEvents, type ImpressionEvent } from './events.js';
import { FlagsLoader } from './loader.js';
import { checkFlagsOptions, type FlagsOptions, staticContextOf } from './options.js';
import { evaluateRecorded, revisionOf } from './recorded-evaluation.js';
import {
  ClientOverrideHost,
  ClientRequestFlagsHost,
  ClientRequestPathHost,
  type RequestHostParts,
} from './request-host.js';
import { type FlagsTelemetry, telemetryFor } from './telemetry.js';

const EMPTY_CONTEXT: FlagContext = Object.freeze({});

/**
 * A flags client: one source, evaluated in memory. Every evaluation is synchronous and never throws.
 * @example
 * const flags = createFlags({ source: inlineSource({ flags: { 'new-pricing': true } }) });
 * await flags.ready({ timeoutMs: 5000 });
 * flags.isEnabled('new-pricing', { userId: '42' });
 */
export class FlagsClient<Request = any> extends EventEmitter<FlagsEvents> {
  readonly source: FlagSource;
  readonly logger: Logger;
  private readonly loader: FlagsLoader;
  private readonly staticContext: { appName?: string; environment?: string };
  private readonly overrideResolver: OverrideResolver<Request> | undefined;
  private readonly requestHost: RequestFlagsHost;
  /** what the adapter serving this client calls its options, for warnings */
  private readonly hints = new AdapterHints();
  /** set when the source counts usage (Unleash metrics) */
  private readonly recordEvaluation: FlagSource['recordEvaluation'];
  /** set when telemetry is on */
  private readonly recorder: FlagsTelemetry | undefined;

  constructor(options: FlagsOptions<Request> = {}) {
    super();
    checkFlagsOptions(options);
    setEventStreamLimits(this, resolveEventStreamLimits(options.eventStreams));
    this.logger = resolveLogger(options.logger);
    // An Unleash export in the flags file may hold several environments: serve the app's own.
    this.source =
      options.source ??
      defaultFileSource(process.cwd(), options.environment ? { environment: options.environment } : {});
    if (typeof this.source?.start !== 'function' || typeof this.source?.current !== 'function') {
      throw new ConfigurationError(
        'createFlags({ source }): source must be a flag source such as fileSource(path), inlineSource(flags), ' +
          'memorySource() or unleashSource({...})',
      );
    }
    const notices = new ClientNotices(this, this.logger, this.source.name);
    this.overrideResolver = options.overrides
      ? new OverrideResolver(
          options.overrides,
          new ClientOverrideHost(() => this.loader.snapshot, notices, this.logger),
        )
      : undefined;
    this.staticContext = staticContextOf(options);
    const compileOptions: CompileOptions = {
      strategies: options.strategies,
      staticContext: this.staticContext,
      onWarn: (message) => notices.warn(message),
    };
    this.recordEvaluation = this.source.recordEvaluation?.bind(this.source);
    this.loader = new FlagsLoader(
      this.source,
      this.logger,
      notices,
      compileOptions,
      this.recordEvaluation !== undefined,
    );
    this.recorder = telemetryFor(this, options.telemetry, {
      source: this.source,
      version: () => revisionOf(this.loader.snapshot.compiled.definitions),
      feature: (flag) => this.loader.snapshot.compiled.feature(flag),
      has: (flag) => this.loader.snapshot.compiled.has(flag),
      warnOnce: (key, message) => notices.warnOnce(key, message),
    });
    const hostParts: RequestHostParts = {
      client: this,
      loader: this.loader,
      recorder: this.recorder,
      hints: this.hints,
      notices,
      logger: this.logger,
      afterEvaluation: (flag, enabled, variant, context) =>
        this.afterEvaluation(flag, enabled, variant, context),
    };
    this.requestHost = new ClientRequestFlagsHost(hostParts);
    attachRequestPath(
      this,
      new RequestPath<Request>(new ClientRequestPathHost(hostParts, this.requestHost), this.overrideResolver),
    );
    this.loader.start();
    notices.startDelivering();
    this.loader.startSource();
  }

  /** `starting | ready | stale | failed` */
  get status(): SourceStatus {
    return this.loader.status;
  }

  /** true once definitions have loaded */
  get isReady(): boolean {
    return this.loader.snapshot.ready;
  }

  /**
   * Resolves once definitions have loaded; rejects with the reason when the source failed or the timeout passed.
   * Never hangs: the default timeout is 10 s.
   * @example await flags.ready({ timeoutMs: 5000 });
   */
  ready(options: { timeoutMs?: number } = {}): Promise<void> {
    return this.loader.whenReady(options.timeoutMs ?? 10_000);
  }

  /**
   * Is the flag on for this context? Unknown flags give `fallback`.
   * @example flags.isEnabled('new-pricing', { userId: '42', properties: { plan: 'pro' } })
   */
  isEnabled(name: FlagName, context: FlagContext = EMPTY_CONTEXT, fallback = false): boolean {
    const snapshot = this.loader.snapshot;
    if (this.recorder !== undefined)
      return this.recordedEvaluation(name, context, fallback, undefined, false).enabled;
    const enabled = snapshot.compiled.isEnabled(name, context, fallback);
    if (snapshot.observeEvaluations) this.afterEvaluation(name, enabled, undefined, context);
    return enabled;
  }

  /**
   * The variant for this context, in Unleash's shape `{ name, enabled, payload?, feature_enabled }`.
   * @example flags.getVariant('checkout-copy', { userId: '42' }).name
   */
  getVariant(name: FlagName, context: FlagContext = EMPTY_CONTEXT, fallback?: VariantResult): VariantResult {
    const snapshot = this.loader.snapshot;
    if (this.recorder !== undefined)
      return this.recordedEvaluation(name, context, false, fallback, true).variant!;
    const variant = snapshot.compiled.getVariant(name, context, fallback);
    if (snapshot.observeEvaluations) this.afterEvaluation(name, variant.feature_enabled, variant, context);
    return variant;
  }

  /**
   * Value, variant and the reason (see EvaluationReason).
   * @example flags.explain('new-pricing', { userId: '42' }).reason
   */
  explain(name: FlagName, context: FlagContext = EMPTY_CONTEXT): Explanation {
    const snapshot = this.loader.snapshot;
    const explanation = snapshot.compiled.explain(name, context);
    if (!snapshot.ready && explanation.reason === 'not-found') {
      return {
        ...explanation,
        reason: 'not-ready',
        detail: `flags from ${this.source.name} have not loaded yet`,
      };
    }
    return explanation;
  }

  /**
   * Every flag for one context, e.g. for a debug page or a job that fans out.
   * @example flags.evaluateAll({ userId: '42' })['new-pricing'].enabled
   */
  evaluateAll(
    context: FlagContext = EMPTY_CONTEXT,
  ): Record<string, { enabled: boolean; variant: VariantResult }> {
    // no prototype: a flag named `__proto__` is an entry like any other
    const result: Record<string, { enabled: boolean; variant: VariantResult }> = Object.create(null);
    for (const name of this.loader.snapshot.compiled.names()) {
      const variant = this.getVariant(name as FlagName, context);
      result[name] = { enabled: variant.feature_enabled, variant };
    }
    return result;
  }

  /**
   * The lazy per-request flags object, for one context: what adapters attach as `req.flags`.
   * @example
   * const flags = client.forContext({ userId: '42' });
   * flags.newPricing; // evaluated now, memoized for this object
   */
  forContext(context: FlagContext = EMPTY_CONTEXT, options?: { overrides?: FlagOverrides }): RequestFlags {
    return templateView(
      createRequestFlags(this.loader.snapshot, context, options?.overrides, this.requestHost),
    );
  }

  /**
   * Signs overrides into a cookie value (for tools and tests). Throws when overrides are not configured.
   * @example request(app).get('/').set('Cookie', `flagwise_overrides=${flags.signOverrides({ flags: { beta: true } })}`)
   */
  signOverrides(overrides: FlagOverrides): string {
    if (!this.overrideResolver) {
      throw new ConfigurationError(
        'signOverrides(): pass createFlags({ overrides: { secret, allow } }) first',
      );
    }
    return this.overrideResolver.signer.sign(overrides);
  }

  /**
   * The current definitions (Unleash format).
   * @example flags.definitions().features.length
   */
  definitions(): ClientFeaturesPayload {
    return this.loader.snapshot.compiled.definitions;
  }

  /**
   * One flag's definition.
   * @example flags.feature('new-pricing')?.description
   */
  feature(name: string): FeatureDefinition | undefined {
    return this.loader.snapshot.compiled.feature(name);
  }

  /**
   * The names of every defined flag.
   * @example flags.names().includes('new-pricing')
   */
  names(): string[] {
    return this.loader.snapshot.compiled.names();
  }

  /**
   * Stops the source, releases timers and watchers, and ends the live pages' event streams (the `close` event).
   * Safe to call twice.
   * @example process.on('SIGTERM', () => flags.close());
   */
  async close(): Promise<void> {
    if (this.loader.isClosed) return;
    const closing = this.loader.close();
    this.emit('close');
    await closing;
  }

  /**
   * Records a conversion (a goal a user reached, such as a purchase) with telemetry on: a `flagwise.conversion`
   * event on the active span (or a log record), a counter by name, and on Unleash an impact metric. Names are 1 to
   * 100 letters, digits, `_ . : -`; at most 100 distinct names are counted. Does nothing with telemetry off.
   * @example flags.track('checkout-completed', { 'checkout.total': 42 });
   */
  track(name: string, attributes?: Record<string, string | number | boolean>): void {
    this.recorder?.recordConversion(name, attributes);
  }

  /** An evaluation outside a request with telemetry on, recorded, with its usage metrics and impression event. */
  private recordedEvaluation(
    name: string,
    context: FlagContext,
    fallback: boolean,
    fallbackVariant: VariantResult | undefined,
    wantsVariant: boolean,
  ): { enabled: boolean; variant?: VariantResult } {
    const snapshot = this.loader.snapshot;
    const result = evaluateRecorded(
      this.recorder!,
      snapshot,
      name,
      context,
      fallback,
      fallbackVariant,
      wantsVariant,
    );
    if (snapshot.observeEvaluations) this.afterEvaluation(name, result.enabled, result.variant, context);
    return result;
  }

  /** Usage metrics and impression events of one evaluation. */
  private afterEvaluation(
    flag: string,
    enabled: boolean,
    variant: VariantResult | undefined,
    context: FlagContext,
  ): void {
    this.recordEvaluation?.(flag, enabled, variant?.name);
    if (this.loader.snapshot.impressionFlags.has(flag) && this.listenerCount('impression') > 0) {
      const event: ImpressionEvent = {
        eventType: variant ? 'getVariant' : 'isEnabled',
        eventId: randomUUID(),
        context: { ...this.staticContext, ...context },
        enabled,
        featureName: flag,
      };
      if (variant) event.variant = variant.name;
      this.emit('impression', event);
    }
  }
}

/**
 * Creates a flags client and starts its source.
 * @example
 * const flags = createFlags();                                   // flags.yaml in the working directory
 * const flags = createFlags({ source: fileSource('config/flags.yaml'), appName: 'shop' });
 */
export function createFlags<Request = any>(options: FlagsOptions<Request> = {}): FlagsClient<Request> {
  return new FlagsClient<Request>(options);
}
