// One FlagSource on top of unleash-client: the SDK polls (ETag, back-off, registration, usage metrics), and
// flagwise's core evaluates. The SDK's repository hands every payload it saves to its storage provider, so a
// storage provider is where we receive the full definitions (segments, strategy variants, dependencies,
// impressionData) exactly as the server sent them. The SDK's own backup is replaced by ours (see backup-file.ts).
import {
  type ClientFeaturesPayload,
  type FlagSource,
  FlagwiseError,
  type Logger,
  type SourceEvent,
  type SourceListener,
  type SourceStartContext,
  type SourceStatus,
  silentLogger,
} from '@flagwise/core';
import { type ClientFeaturesResponse, type Unleash, type UnleashConfig, UnleashEvents } from 'unleash-client';
import packageJson from '../package.json' with { type: 'json' };
import { readBackup, removeStaleTemporaries, serializeBackup, writeBackup } from './backup-file.js';
import { ImpactUnleash, UnleashImpactMetrics } from './impact-metrics.js';
import { redactUrls } from './redact.js';

/** What differs between Unleash and GitLab; everything else is shared. */
export interface ClientSourceSettings {
  /** `unleash(<url>)` or `gitlab(<url>)`, for messages */
  name: string;
  /** handed to unleash-client as is (storage, auto-start and instance warnings are set here) */
  unleashConfig: UnleashConfig;
  /** count evaluations into unleash-client's usage metrics */
  metrics: boolean;
  /** use the server's streaming endpoint; otherwise poll, whatever a response's `fetch-mode` header says */
  streaming: boolean;
  /** absolute path of the backup file, or undefined for none */
  backupFile: string | undefined;
  /** one line that says which credential was refused and how to fix it */
  describeRefusal(status: number): string;
  /** adjusts a payload before it is served, e.g. GitLab's strategy names */
  normalize?(payload: ClientFeaturesPayload): ClientFeaturesPayload;
  /** a hint logged once when the server answers with no flags at all */
  emptyPayloadHint?: string;
  /** warnings found while reading the options, reported once at start */
  startWarnings?: string[];
  /**
   * The environment the app says it runs in: warned about once when the server's answer says it serves the
   * credential another one (Unleash names it in the answer's `query.environment`).
   */
  expectedEnvironment?: string;
}

/**
 * A FlagSource backed by unleash-client; `unleashSource()` and `gitlabSource()` return one.
 * @example
 * const source = unleashSource({ url, apiToken, appName: 'shop' });
 * process.on('SIGTERM', () => source.flushMetrics());
 */
export interface UnleashFlagSource extends FlagSource {
  /** Counts one evaluation into unleash-client's usage metrics (the flagwise client calls it for you). */
  recordEvaluation(flag: string, enabled: boolean, variant?: string): void;
  /** Sends the usage counted so far to the server now instead of at the next metrics interval. */
  flushMetrics(): Promise<void>;
  /** The backup file this source reads at start and writes after every change, if any. */
  readonly backupFile: string | undefined;
}

type Outcome = { ok: true } | { ok: false; error: FlagwiseError };

const REFUSED = /responded (401|403)\b/;
const REPOSITORY_ERROR = 'Unleash Repository error: ';
const FETCH_PATH = '/client/features';
const SHAPE_WARNING = /^feature\.\w+ should be an? /;

export class UnleashClientSource implements UnleashFlagSource {
  readonly name: string;
  readonly backupFile: string | undefined;
  private readonly settings: ClientSourceSettings;
  private readonly listeners = new Set<SourceListener>();
  private unleash: ImpactUnleash | undefined;
  /** impact metrics (request outcomes by flag, browsers' reports), sent with the usage metrics */
  readonly impactMetrics: UnleashImpactMetrics | undefined;
  private logger: Logger = silentLogger;
  private definitions: ClientFeaturesPayload | undefined;
  private currentStatus: SourceStatus = 'starting';
  private refused = false;
  private lastProblem: string | undefined;
  private lastBackup: string | undefined;
  private warnedEmpty = false;
  private pendingBackup: Promise<void> = Promise.resolve();
  private readonly warnedOnce = new Set<string>();
  /** the variant names of each flag served: only these are counted, so nothing else can grow the metrics */
  private variantsByFlag = new Map<string, ReadonlySet<string>>();
  /** names the definitions lack that were counted since metrics last reached the server */
  private readonly otherNames = new Set<string>();
  /** the last send of usage metrics failed */
  private metricsFailing = false;
  private settleStart: ((outcome: Outcome) => void) | undefined;
  /** bumped by stop(), so a start() still reading the backup knows it was cancelled */
  private generation = 0;

  constructor(settings: ClientSourceSettings) {
    this.settings = settings;
    this.name = settings.name;
    this.backupFile = settings.backupFile;
    this.impactMetrics = settings.metrics
      ? new UnleashImpactMetrics(() => this.unleash?.impactRegistry, settings.unleashConfig)
      : undefined;
  }

  get status(): SourceStatus {
    return this.currentStatus;
  }

  current(): ClientFeaturesPayload | undefined {
    return this.definitions;
  }

  subscribe(listener: SourceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(context: SourceStartContext): Promise<void> {
    if (this.unleash)
      throw new FlagwiseError('MISCONFIGURED', `${this.name} is already started; call stop() first`);
    this.logger = context?.logger ?? silentLogger;
    // A source may be started again after stop(); a refusal then is judged afresh.
    this.refused = false;
    this.lastProblem = undefined;
    this.warnedEmpty = false;
    for (const message of this.settings.startWarnings ?? []) this.emit({ type: 'warn', message });

    const generation = this.generation;
    const fromBackup = await this.loadBackup();
    if (generation !== this.generation) {
      throw new FlagwiseError('CLOSED', `${this.name} was stopped before it loaded flags`);
    }
    const firstOutcome = new Promise<Outcome>((resolve) => {
      this.settleStart = resolve;
    });
    const unleash = new ImpactUnleash({
      ...this.settings.unleashConfig,
      storageProvider: {
        // Called by the SDK's repository after every successful fetch; this is our feed.
        set: async (_appName: string, data: ClientFeaturesResponse) => this.onPayload(data),
        // The backup is read by us, before the SDK starts; the SDK's repository stays empty on purpose.
        get: async () => undefined,
      },
      disableAutoStart: true,
      skipInstanceCountWarning: true,
      disableMetrics: !this.settings.metrics,
      // Registration and usage metrics say which SDK built on unleash-client is talking.
      sdkFlavor: SDK_FLAVOR,
      sdkFlavorVersion: packageJson.version,
      experimentalMode: this.settings.streaming ? { type: 'streaming' } : { type: 'polling', format: 'full' },
    });
    observeFetches(unleash, {
      keepPolling: !this.settings.streaming,
      onAnswer: (answer) => this.checkServedEnvironment(answer),
    });
    if (this.settings.metrics) {
      observeMetrics(unleash, {
        onKept: (flags) => this.onMetricsKept(flags),
        onSent: () => this.onMetricsSent(),
      });
    }
    this.unleash = unleash;
    // An 'error' listener also keeps unleash-client from printing the error with console.error.
    unleash.on(UnleashEvents.Error, (error: unknown) => this.onClientError(error));
    unleash.on(UnleashEvents.Warn, (message: unknown) => this.onClientWarn(message));
    unleash.on(UnleashEvents.Unchanged, () => this.onFetchSucceeded());
    unleash.start().catch((error: unknown) => this.onClientError(error));

    if (fromBackup) {
      // start() has resolved: a later refusal is reported as an event, not to a promise nobody awaits
      this.settleStart = undefined;
      return;
    }
    const outcome = await firstOutcome;
    if (!outcome.ok) throw outcome.error;
  }

  async stop(): Promise<void> {
    this.generation += 1;
    const unleash = this.unleash;
    if (!unleash) return;
    this.unleash = undefined;
    this.settle({
      ok: false,
      error: new FlagwiseError('CLOSED', `${this.name} was stopped before it loaded flags`),
    });
    if (this.settings.metrics) {
      // Send what was counted since the last interval, but never let shutdown wait on a dead server.
      await Promise.race([
        unleash.flushMetrics().catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
      ]);
    }
    const logger = this.logger;
    destroyQuietly(unleash, (error) =>
      logger.debug(
        { err: error },
        `flagwise: ${this.name} was stopped while it was fetching; that fetch ended: ${redactUrls(messageOf(error))}`,
      ),
    );
    // Leave no half-written temporary file behind.
    await this.pendingBackup;
  }

  recordEvaluation(flag: string, enabled: boolean, variant?: string): void {
    const unleash = this.unleash;
    if (!unleash || !this.settings.metrics) return;
    let variants = this.variantsByFlag.get(flag);
    if (variants === undefined) {
      // Unleash lists the names apps ask for that it lacks; only so many are kept until a send gets through.
      if (!this.otherNames.has(flag)) {
        if (this.otherNames.size >= MAX_OTHER_NAMES) return;
        this.otherNames.add(flag);
      }
      variants = ONLY_DISABLED;
    }
    unleash.count(flag, enabled);
    if (variant !== undefined && variants.has(variant)) unleash.countVariant(flag, variant);
  }

  async flushMetrics(): Promise<void> {
    if (this.unleash && this.settings.metrics) await this.unleash.flushMetrics();
  }

  // ---------------------------------------------------------------------------------------------------------

  private async loadBackup(): Promise<boolean> {
    const path = this.backupFile;
    if (!path) return false;
    await removeStaleTemporaries(path);
    let payload: ClientFeaturesPayload | undefined;
    try {
      payload = await readBackup(path);
    } catch (error) {
      this.emit({ type: 'warn', message: `${this.name}: ignoring the backup file: ${messageOf(error)}` });
      return false;
    }
    if (!payload || payload.features.length === 0) return false;
    this.lastBackup = serializeBackup(payload);
    this.emit({ type: 'definitions', definitions: this.serve(this.normalize(payload)) });
    this.setStatus(
      'stale',
      `the server has not answered yet; ${payload.features.length} ${payload.features.length === 1 ? 'flag' : 'flags'} ` +
        `from the backup ${path}`,
    );
    return true;
  }

  private async onPayload(data: ClientFeaturesResponse): Promise<void> {
    // The SDK awaits this inside its fetch loop: never throw into it.
    try {
      if (!this.unleash) return;
      const payload = data as unknown as ClientFeaturesPayload;
      const received: ClientFeaturesPayload = {
        version: typeof payload.version === 'number' ? payload.version : 2,
        features: payload.features ?? [],
        segments: payload.segments ?? [],
      };
      if (received.features.length === 0 && this.settings.emptyPayloadHint && !this.warnedEmpty) {
        this.warnedEmpty = true;
        this.emit({ type: 'warn', message: this.settings.emptyPayloadHint });
      }
      this.emit({ type: 'definitions', definitions: this.serve(this.normalize(received)) });
      this.onFetchSucceeded();
      this.pendingBackup = this.saveBackup(received);
      await this.pendingBackup;
    } catch (error) {
      this.logger.error({ err: error, source: this.name }, `flagwise: ${this.name}: ${messageOf(error)}`);
    }
  }

  /** Serves new definitions; resolves them. */
  private serve(definitions: ClientFeaturesPayload): ClientFeaturesPayload {
    this.definitions = definitions;
    this.variantsByFlag = variantsByFlag(definitions);
    return definitions;
  }

  /** The server says which environment it serves the token; the token itself is never read for it. */
  private checkServedEnvironment(answer: unknown): void {
    const expected = this.settings.expectedEnvironment;
    const served = (answer as { query?: { environment?: unknown } } | null)?.query?.environment;
    if (!expected || typeof served !== 'string' || served === expected) return;
    this.warnOnce(
      'served-environment',
      `environment is "${expected}" but the server serves this API token the flags of environment "${served}"; ` +
        "Unleash serves the token's environment: use a token for " +
        `"${expected}" (Admin > API access), or set environment to "${served}"`,
    );
  }

  private onMetricsKept(flags: number): void {
    this.metricsFailing = true;
    this.warnOnce(
      'metrics-kept',
      `Unleash did not take the usage metrics of ${flags} ${flags === 1 ? 'flag' : 'flags'}; they are kept ` +
        `(the flags served, their variants and up to ${MAX_OTHER_NAMES} other names) and sent again at the next interval`,
    );
  }

  private onMetricsSent(): void {
    this.otherNames.clear();
    this.impactMetrics?.sent();
    if (!this.metricsFailing) return;
    this.metricsFailing = false;
    this.warnedOnce.delete('metrics-kept');
    this.logger.info({ source: this.name }, `flagwise: ${this.name}: usage metrics reach Unleash again`);
  }

  private async saveBackup(payload: ClientFeaturesPayload): Promise<void> {
    const path = this.backupFile;
    if (!path) return;
    const serialized = serializeBackup(payload);
    if (serialized === this.lastBackup) return;
    // An empty answer (e.g. GitLab without a matching environment) must not wipe the last useful backup.
    if (payload.features.length === 0 && this.lastBackup !== undefined) return;
    try {
      await writeBackup(path, payload);
      this.lastBackup = serialized;
    } catch (error) {
      this.warnOnce(
        'backup-write',
        `cannot write the backup file ${path} (${messageOf(error)}); ` +
          'pass a writable backupPath, or backupPath: false to run without a backup',
      );
    }
  }

  private onFetchSucceeded(): void {
    if (this.refused) return;
    const recovered = this.lastProblem !== undefined && this.currentStatus !== 'starting';
    this.lastProblem = undefined;
    if (recovered) this.logger.info({ source: this.name }, `flagwise: ${this.name} answers again`);
    this.setStatus('ready');
    this.settle({ ok: true });
  }

  private onFetchFailed(problem: string): void {
    if (this.refused) return;
    if (problem === this.lastProblem) {
      this.logger.debug({ source: this.name }, `flagwise: ${this.name}: ${problem} (still)`);
      return;
    }
    this.lastProblem = problem;
    if (this.definitions) {
      this.setStatus('stale', `${problem}; retrying`);
      this.settle({ ok: true });
    } else {
      this.setStatus('failed', `${problem}; retrying`);
      this.settle({
        ok: false,
        error: new FlagwiseError(
          'SOURCE_FAILED',
          `${this.name} could not load flags: ${problem}. flagwise keeps retrying in the background; ` +
            'check that the URL is reachable from this host, or pass backupPath so a restart can use the last known flags',
        ),
      });
    }
  }

  private onRefused(status: number): void {
    if (this.refused) return;
    this.refused = true;
    const message = this.settings.describeRefusal(status);
    const error = new FlagwiseError('UNAUTHORIZED', message);
    this.setStatus('failed', message);
    // While start() is pending its rejection reports the refusal; an event as well would report it twice.
    if (this.settleStart === undefined) this.emit({ type: 'error', error });
    this.settle({ ok: false, error });
  }

  private onClientError(error: unknown): void {
    // unleash-client's messages carry the URL it called, credentials and all.
    const message = redactUrls(messageOf(error));
    const refused = REFUSED.exec(message);
    if (refused) {
      this.onRefused(Number(refused[1]));
      return;
    }
    if (message.startsWith(REPOSITORY_ERROR)) {
      const problem = message.slice(REPOSITORY_ERROR.length);
      // The SDK's shape check of a payload it still goes on to save: a warning, not a failed poll.
      if (SHAPE_WARNING.test(problem)) this.warnOnce(problem, problem);
      else this.onFetchFailed(problem);
      return;
    }
    // Everything else (metrics, unexpected): log it and pass it on, but keep serving.
    const shown = errorWithMessage(error, message);
    this.logger.error({ err: shown, source: this.name }, `flagwise: ${this.name}: ${message}`);
    this.emit({ type: 'error', error: shown });
  }

  private onClientWarn(message: unknown): void {
    const text = redactUrls(messageOf(message));
    // The poller's back-off warnings ("<url>/client/features responded 503. Backing off").
    if ((text.includes(FETCH_PATH) && /responded/.test(text)) || /Socket keep alive error/.test(text)) {
      this.onFetchFailed(text);
      return;
    }
    // Registration and metrics: worth one warning, then quiet (they repeat every interval).
    const key = text.replace(/\d+/g, '#');
    this.warnOnce(key, text);
  }

  private warnOnce(key: string, message: string): void {
    if (this.warnedOnce.has(key)) {
      this.logger.debug({ source: this.name }, `flagwise: ${this.name}: ${message}`);
      return;
    }
    this.warnedOnce.add(key);
    this.emit({ type: 'warn', message: `${this.name}: ${message}` });
  }

  private setStatus(status: SourceStatus, reason?: string): void {
    if (status === this.currentStatus && status === 'ready') return;
    this.currentStatus = status;
    this.emit(reason === undefined ? { type: 'status', status } : { type: 'status', status, reason });
  }

  private settle(outcome: Outcome): void {
    const settle = this.settleStart;
    this.settleStart = undefined;
    settle?.(outcome);
  }

  private normalize(payload: ClientFeaturesPayload): ClientFeaturesPayload {
    return this.settings.normalize ? this.settings.normalize(payload) : payload;
  }

  private emit(event: SourceEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // A listener's bug must not stop the transport.
        this.logger.error({ err: error, source: this.name }, `flagwise: a ${event.type} listener threw`);
      }
    }
  }
}

const SDK_FLAVOR = 'flagwise';
/** names the definitions lack that are counted between two sends that get through */
const MAX_OTHER_NAMES = 100;
/** what every flag, and a name the definitions lack, answers when off */
const ONLY_DISABLED: ReadonlySet<string> = new Set(['disabled']);

/** Each flag's variant names: its own, its strategies' and `disabled`. */
function variantsByFlag(definitions: ClientFeaturesPayload): Map<string, ReadonlySet<string>> {
  const index = new Map<string, ReadonlySet<string>>();
  for (const feature of definitions.features) {
    const names = new Set(ONLY_DISABLED);
    for (const variant of feature.variants ?? []) names.add(variant.name);
    for (const strategy of feature.strategies ?? []) {
      for (const variant of strategy.variants ?? []) names.add(variant.name);
    }
    index.set(feature.name, names);
  }
  return index;
}

interface MetricsObservers {
  /** a send failed and the SDK put its counts back, `flags` of them */
  onKept(flags: number): void;
  /** a send got through */
  onSent(): void;
}

/**
 * The SDK puts the counts of a send the server did not take back into its bucket, and says nothing when the
 * answer was a 400 or a 413 (a body over the server's limit): its `restoreBucket` is the one place every failed
 * send goes through.
 */
function observeMetrics(unleash: Unleash, observers: MetricsObservers): void {
  const metrics = (unleash as unknown as { metrics?: { restoreBucket?: unknown } }).metrics;
  const restore = metrics?.restoreBucket;
  if (metrics === undefined || typeof restore !== 'function') return;
  metrics.restoreBucket = (bucket: { toggles?: Record<string, unknown> }) => {
    restore.call(metrics, bucket);
    observers.onKept(Object.keys(bucket?.toggles ?? {}).length);
  };
  unleash.on(UnleashEvents.Sent, () => observers.onSent());
}

interface FetchObservers {
  /** stay on polling whatever a response's `fetch-mode` header says */
  keepPolling: boolean;
  /** sees each full answer of the features endpoint as the server sent it, `query` and `meta` included */
  onAnswer(answer: unknown): void;
}

/**
 * Two things the pinned SDK offers no option for, set through the options object its repository shares with its
 * fetchers. It switches from polling to its streaming endpoint when a poll's answer carries
 * `fetch-mode: streaming`; against a server that does not stream, updates then stop (or it flaps between the
 * two): without the `onModeChange` callback the answer is simply saved. And it hands its storage provider only
 * `{ version, features, segments }`, while the server's answer also says which environment it serves the token
 * (`query`): `onSave` receives the whole answer first.
 */
function observeFetches(unleash: Unleash, observers: FetchObservers): void {
  const options = (unleash as unknown as { repository?: { fetcher?: { options?: Record<string, unknown> } } })
    .repository?.fetcher?.options;
  if (!options) return;
  if (observers.keepPolling && 'onModeChange' in options) options.onModeChange = undefined;
  const save = options.onSave;
  if (typeof save !== 'function') return;
  options.onSave = (answer: unknown, fromApi: boolean) => {
    try {
      observers.onAnswer(answer);
    } catch {
      // an observer never stops the SDK from saving
    }
    return save(answer, fromApi);
  };
}

/**
 * Stops unleash-client, and takes the error of a fetch still in flight. Its destroy() removes every listener of its
 * repository but lets a fetch already under way finish; when that fetch fails, the repository emits 'error' with
 * nobody listening, which throws inside the fetch, and the fetch's promise, which nothing awaits, rejects: an
 * unhandled rejection that ends a Node process. A listener added after destroy() receives that error instead.
 */
function destroyQuietly(unleash: Unleash, onLateError: (error: unknown) => void): void {
  unleash.destroy();
  const repository = (
    unleash as unknown as { repository?: { on?(event: string, listener: unknown): unknown } }
  ).repository;
  repository?.on?.(UnleashEvents.Error, onLateError);
}

/** The error itself when its message is what may be shown, else a plain Error with the shown message. */
function errorWithMessage(error: unknown, message: string): Error {
  if (error instanceof Error && error.message === message) return error;
  const shown = new Error(message);
  if (error instanceof Error) shown.name = error.name;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') Object.assign(shown, { code });
  return shown;
}

function messageOf(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
