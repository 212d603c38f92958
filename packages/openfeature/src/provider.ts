// flagwise as an OpenFeature server provider: OpenFeature's API on top, flagwise's client (one source, evaluated in
// memory) underneath. Evaluation is flagwise's explain() mapped to OpenFeature's terms in resolution.ts.
import {
  ConfigurationError,
  createFlags,
  type FlagsChange,
  type FlagsClient,
  type FlagsOptions,
  type SourceEvent,
} from '@flagwise/core';
import {
  checkKnownKeys,
  DEFAULT_READY_TIMEOUT_MS,
  describeArgument,
  FLAGS_OPTION_KEYS,
  isClient,
  isMilliseconds,
  resolveExplanation,
  toFlagContext,
  type ValueType,
} from '@flagwise/core/adapter';
import {
  type ErrorCode,
  type EvaluationContext,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  type ResolutionDetails,
} from '@openfeature/server-sdk';

/** What the provider adds on top of the client's options. */
export interface FlagwiseProviderOptions {
  /**
   * How long `initialize` (OpenFeature's `setProviderAndWait`) waits for the flags to load before it rejects,
   * which puts the provider in OpenFeature's ERROR state until they load. Default 5000, as for the adapters.
   */
  readyTimeoutMs?: number;
}

/** `new FlagwiseProvider(options)`: the client's options (source, logger, ...) and the provider's. */
export interface FlagwiseProviderCreateOptions extends FlagsOptions, FlagwiseProviderOptions {}

const PROVIDER_OPTIONS = ['readyTimeoutMs'];

/**
 * An OpenFeature server provider answered by flagwise. Given options it creates its own client (and closes it
 * in `onClose`); given a client it uses that one, so the adapters and OpenFeature share one set of flags, and
 * leaves it open.
 * @example
 * await OpenFeature.setProviderAndWait(new FlagwiseProvider({ source: fileSource('flags.yaml') }));
 * const enabled = await OpenFeature.getClient().getBooleanValue('new-pricing', false, { targetingKey: '42' });
 * @example
 * const flags = createFlags();
 * app.use(featureFlags(flags));
 * await OpenFeature.setProviderAndWait(new FlagwiseProvider(flags));
 */
export class FlagwiseProvider implements Provider {
  readonly metadata = { name: 'flagwise' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  /** the flagwise client this provider evaluates with */
  readonly client: FlagsClient;
  private readonly ownsClient: boolean;
  private readonly readyTimeoutMs: number;
  /** set once initialize settled: before that, OpenFeature reports readiness from initialize itself */
  private settled: 'ready' | 'failed' | undefined;
  private sourceStatus: string | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    clientOrOptions?:
      | FlagsClient
      | FlagwiseProviderCreateOptions
      | ({ client: FlagsClient } & FlagwiseProviderOptions),
    options?: FlagwiseProviderOptions,
  ) {
    if (clientOrOptions !== undefined && (clientOrOptions === null || typeof clientOrOptions !== 'object')) {
      throw new ConfigurationError(
        'new FlagwiseProvider(options | client): pass options such as { source: fileSource("flags.yaml") }, ' +
          `a client from createFlags(), or nothing (flags.yaml in the working directory); got ${describeArgument(clientOrOptions)}`,
      );
    }
    if (options !== undefined && !isClient(clientOrOptions)) {
      throw new ConfigurationError(
        'new FlagwiseProvider(options, providerOptions): a second argument only goes with a client; ' +
          'put readyTimeoutMs into the options object',
      );
    }
    if (isClient(clientOrOptions)) {
      checkKnownKeys('new FlagwiseProvider(client, options)', options ?? {}, PROVIDER_OPTIONS);
      this.client = clientOrOptions as FlagsClient;
      this.ownsClient = false;
      this.readyTimeoutMs = readyTimeoutOf(options);
      return;
    }
    const given = (clientOrOptions ?? {}) as Record<string, unknown>;
    if (given.client !== undefined) {
      const { client, ...rest } = given;
      if (!isClient(client)) {
        throw new ConfigurationError(
          `new FlagwiseProvider({ client }): client must be a flags client from createFlags(); got ${describeArgument(client)}`,
        );
      }
      checkKnownKeys('new FlagwiseProvider({ client, ...options })', rest, PROVIDER_OPTIONS);
      this.client = client as FlagsClient;
      this.ownsClient = false;
      this.readyTimeoutMs = readyTimeoutOf(rest);
      return;
    }
    checkKnownKeys('new FlagwiseProvider(options)', given, [...FLAGS_OPTION_KEYS, ...PROVIDER_OPTIONS]);
    const { readyTimeoutMs, ...flagsOptions } = given as FlagwiseProviderCreateOptions;
    this.readyTimeoutMs = readyTimeoutOf({ readyTimeoutMs });
    this.client = createFlags(flagsOptions);
    this.ownsClient = true;
  }

  /** Called by OpenFeature when the provider is set: waits for the flags, never longer than `readyTimeoutMs`. */
  async initialize(): Promise<void> {
    this.listen();
    try {
      await this.client.ready({ timeoutMs: this.readyTimeoutMs });
      this.settled = 'ready';
    } catch (error) {
      // Flags that load later still make the provider ready: the client's 'ready' event says so.
      this.settled = this.client.isReady ? 'ready' : 'failed';
      if (this.settled === 'failed') throw error;
    }
  }

  /** Called by OpenFeature when the provider is replaced or closed: closes the client only if it created it. */
  async onClose(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.ownsClient) await this.client.close();
  }

  resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context, 'boolean'));
  }

  resolveStringEvaluation(
    flagKey: string,
    defaultValue: string,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context, 'string'));
  }

  resolveNumberEvaluation(
    flagKey: string,
    defaultValue: number,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context, 'number'));
  }

  resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<T>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context, 'object'));
  }

  private resolve<T>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
    type: ValueType,
  ): ResolutionDetails<T> {
    const flagContext = toFlagContext(context);
    const explanation = this.client.explain(flagKey, flagContext);
    const resolution = resolveExplanation(explanation, this.client.feature(flagKey), type, flagContext);
    // explain() does not count usage; the value read does, as isEnabled/getVariant would.
    if (explanation.reason !== 'not-found' && explanation.reason !== 'not-ready') {
      if (type === 'boolean') this.client.isEnabled(flagKey, flagContext);
      else this.client.getVariant(flagKey, flagContext);
    }
    const details: ResolutionDetails<T> = {
      value: resolution.value === undefined ? defaultValue : (resolution.value as T),
      reason: resolution.reason,
      flagMetadata: resolution.flagMetadata,
    };
    if (resolution.variant !== undefined) details.variant = resolution.variant;
    if (resolution.errorCode !== undefined) {
      details.errorCode = resolution.errorCode as ErrorCode;
      details.errorMessage = resolution.errorMessage;
    }
    return details;
  }

  /** Source status and definition changes → OpenFeature's READY, STALE, ERROR and CONFIGURATION_CHANGED. */
  private listen(): void {
    if (this.unsubscribe) return;
    const onReady = () => {
      if (this.settled !== 'failed') return;
      this.settled = 'ready';
      this.events.emit(ProviderEvents.Ready, { message: `flags from ${this.client.source.name} loaded` });
    };
    const onChanged = (change: FlagsChange) => {
      this.events.emit(ProviderEvents.ConfigurationChanged, {
        flagsChanged: [...change.added, ...change.changed, ...change.removed],
      });
    };
    const onSourceEvent = (event: SourceEvent) => {
      if (event.type !== 'status' || event.status === this.sourceStatus) return;
      const previous = this.sourceStatus;
      this.sourceStatus = event.status;
      if (this.settled === undefined) return;
      const message = event.reason ?? `${this.client.source.name} is ${event.status}`;
      if (event.status === 'stale') this.events.emit(ProviderEvents.Stale, { message });
      else if (event.status === 'failed') this.events.emit(ProviderEvents.Error, { message });
      else if (
        event.status === 'ready' &&
        (previous === 'stale' || previous === 'failed') &&
        this.client.isReady
      )
        this.events.emit(ProviderEvents.Ready, { message: `${this.client.source.name} recovered` });
    };
    this.sourceStatus = this.client.source.status;
    this.client.on('ready', onReady);
    this.client.on('changed', onChanged);
    const unsubscribeSource = this.client.source.subscribe(onSourceEvent);
    this.unsubscribe = () => {
      this.client.off('ready', onReady);
      this.client.off('changed', onChanged);
      unsubscribeSource();
    };
  }
}

function readyTimeoutOf(options: FlagwiseProviderOptions | undefined): number {
  const timeout = options?.readyTimeoutMs;
  if (timeout === undefined) return DEFAULT_READY_TIMEOUT_MS;
  const problem = isMilliseconds(timeout);
  if (problem !== undefined) {
    throw new ConfigurationError(
      `new FlagwiseProvider({ readyTimeoutMs }): readyTimeoutMs must be ${problem}; got ${describeArgument(timeout)}`,
    );
  }
  return timeout;
}
