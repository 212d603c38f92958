// The client: owns one source, compiles what it delivers into snapshots, and answers evaluations from memory.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { diffDefinitionsInSteps, type FlagsChange } from './definitions-diff.js';
import { type CompiledFlags, compileFlags, compileFlagsInSteps } from './engine/index.js';
import { ConfigurationError, FlagwiseError } from './errors.js';
import { resolveLogger } from './logger.js';
import { checkKnownKeys, nearestName } from './nearest-name.js';
import { type ContextHook, isPromiseLike, type RequestFacts, requestContext } from './request/context.js';
import { LaterRequest, type LaterRequestHost, type RequestReader } from './request/later-request.js';
import {
  type FlagOverrides,
  type OverrideInput,
  type OverrideOptions,
  OverrideResolver,
  type ResolvedOverrides,
} from './request/overrides.js';
import {
  createDeferredRequestFlags,
  createRequestFlags,
  type RequestFlags,
  type RequestFlagsHost,
} from './request/request-flags.js';
import { buildSnapshot, buildSnapshotInSteps, type FlagsSnapshot } from './request/snapshot.js';
import type { VisitorIds } from './request/visitor-id.js';
import { defaultFileSource } from './sources/index.js';
import { runSteps, runStepsInSlices, type Steps } from './steps.js';
import type {
  ClientFeaturesPayload,
  CustomStrategy,
  Explanation,
  FeatureDefinition,
  FlagContext,
  FlagName,
  FlagSource,
  Logger,
  SourceEvent,
  SourceStatus,
  VariantResult,
} from './types.js';

export interface FlagsOptions<Request = any> {
  /** where definitions come from; default: flags.yaml, flags.yml or flags.json in the working directory */
  source?: FlagSource;
  /** static context merged into every evaluation, as Unleash does */
  appName?: string;
  environment?: string;
  /** custom strategies, by name */
  strategies?: CustomStrategy[];
  /** pino-compatible logger; default: warnings, errors and the load line to stderr; `false`: silent */
  logger?: Logger | false;
  /** per-browser QA overrides in a signed cookie (off unless given) */
  overrides?: OverrideOptions<Request>;
}

/** Every key of FlagsOptions, for the unknown-option check: the compiler keeps it complete. */
const FLAGS_OPTION_FIELDS: { [Key in keyof Required<FlagsOptions>]: true } = {
  source: true,
  appName: true,
  environment: true,
  strategies: true,
  logger: true,
  overrides: true,
};

/** The option keys of `createFlags()`. */
export const FLAGS_OPTION_KEYS = Object.keys(FLAGS_OPTION_FIELDS) as readonly (keyof FlagsOptions)[];

export type { FieldChange, FlagChange, FlagsChange } from './definitions-diff.js';

/** Unleash's impression event. */
export interface ImpressionEvent {
  eventType: 'isEnabled' | 'getVariant';
  eventId: string;
  context: FlagContext;
  enabled: boolean;
  featureName: string;
  variant?: string;
}

export interface FlagsEvents {
  ready: [];
  changed: [FlagsChange];
  impression: [ImpressionEvent];
  error: [Error];
  warn: [string];
}

/** What an adapter knows of one request, for `forRequest`. */
export interface RequestInput extends RequestFacts {
  /** the raw Cookie header, for QA overrides and visitor ids */
  cookieHeader?: string;
  /** the parsed query string, for the override query parameter */
  query?: Record<string, unknown> | null;
  /** the request came over TLS (as the framework's proxy setting reads it): cookies it sets are Secure */
  secure?: boolean;
}

/** One request's flags, and the Set-Cookie headers the adapter must send with the response. */
export interface RequestFlagsResult {
  flags: RequestFlags;
  setCookie?: string[];
}

export type { RequestReader } from './request/later-request.js';
export type { ResolvedOverrides } from './request/overrides.js';

const EMPTY_CONTEXT: FlagContext = Object.freeze({});
const EMPTY_PAYLOAD: ClientFeaturesPayload = Object.freeze({
  version: 2,
  features: [],
}) as ClientFeaturesPayload;
const MAX_WARNED_NAMES = 1000;
/**
 * Reloads of at least this many flags, from a source with `slicedReloads`, are compiled, indexed and diffed in
 * slices across event-loop turns, then swapped in at once; smaller sets, the first load, and every delivery of
 * other sources swap in within the call that delivered them.
 */
const SLICED_LOAD_MIN_FLAGS = 500;
/** CPU time of one slice of a sliced reload: about the longest a request waits for it. */
const LOAD_SLICE_MS = 8;

/** What one load swaps in: the compiled flags, their snapshot, and the change against the flags before. */
interface PreparedLoad {
  compiled: CompiledFlags;
  snapshot: FlagsSnapshot;
  change: FlagsChange | undefined;
}

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
  private snapshot: FlagsSnapshot;
  private readonly compileOptions: Parameters<typeof compileFlags>[1];
  private readonly unsubscribe: () => void;
  private startError: Error | undefined;
  private closed = false;
  private readonly warnedNames = new Set<string>();
  private readonly overrideResolver: OverrideResolver<Request> | undefined;
  /** the source's last status, to log each change once */
  private sourceStatus: SourceStatus;
  /** the last source problem logged, so a source repeating it is not logged again */
  private lastProblem: string | undefined;
  private readonly requestHost: RequestFlagsHost;
  private readonly readyWaiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>();
  /** events raised while the constructor runs, delivered once callers could attach listeners */
  private deferredEvents: (() => void)[] | undefined = [];
  /** set when the source counts usage (Unleash metrics) */
  private readonly recordEvaluation: FlagSource['recordEvaluation'];
  /** a large reload being prepared in slices; newer definitions cancel it */
  private loading: { definitions: ClientFeaturesPayload; cancel: () => void } | undefined;
  /** the source recovered while a sliced reload was pending: say so once its flags are in */
  private recoveryToLog = false;

  constructor(options: FlagsOptions<Request> = {}) {
    super();
    if (options === null || typeof options !== 'object') {
      throw new ConfigurationError(
        'createFlags(options): options must be an object, e.g. createFlags({ source })',
      );
    }
    checkKnownKeys('createFlags(options)', options, FLAGS_OPTION_KEYS);
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
    this.sourceStatus = this.source.status;
    this.overrideResolver = options.overrides
      ? new OverrideResolver(options.overrides, {
          warn: (message) => this.warn(message),
          allowFailed: (error) =>
            this.logger.warn(
              { err: asError(error) },
              'flagwise: overrides.allow() threw or rejected; treating the request as not allowed',
            ),
        })
      : undefined;
    const staticContext: { appName?: string; environment?: string } = {};
    if (options.appName !== undefined) staticContext.appName = options.appName;
    if (options.environment !== undefined) staticContext.environment = options.environment;
    this.compileOptions = {
      strategies: options.strategies,
      staticContext,
      onWarn: (message) => this.warn(message),
    };
    this.recordEvaluation = this.source.recordEvaluation?.bind(this.source);
    this.snapshot = buildSnapshot(
      compileFlags(EMPTY_PAYLOAD, this.compileOptions),
      false,
      this.recordEvaluation !== undefined,
    );
    this.requestHost = {
      client: this,
      onEvaluation: (flag, enabled, variant, context) =>
        this.afterEvaluation(flag, enabled, variant, context),
      onUnknownFlag: (name) => this.warnUnknownName(name),
      onNoVariants: (name) =>
        this.warnOncePerName(
          `variants:${name}`,
          `variant("${name}") was asked for, but flag "${name}" has no variants: it reads as "disabled"; ` +
            'give the flag variants, or read it with isEnabled()',
        ),
      onRandomAnswer: (name) =>
        this.warnOncePerName(
          `random:${name}`,
          `flag "${name}" was answered at random: the request has no userId and no sessionId, and the flag ` +
            "uses Unleash's default stickiness (userId, else sessionId, else random). Turn on the adapter's " +
            'visitorId option (e.g. featureFlags({ visitorId: true })) for a stable answer per browser',
        ),
    };

    this.unsubscribe = this.source.subscribe((event) => this.onSourceEvent(event));
    const initial = this.source.current();
    if (initial) this.load(initial);
    const deferred = this.deferredEvents ?? [];
    this.deferredEvents = undefined;
    if (deferred.length)
      queueMicrotask(() => {
        for (const deliver of deferred) deliver();
      });
    void Promise.resolve()
      // The client logs the load and each status change itself: a source's own info lines are details.
      .then(() => this.source.start({ logger: detailLogger(this.logger) }))
      .then(() => {
        const current = this.source.current();
        if (
          current &&
          current !== this.snapshot.compiled.definitions &&
          current !== this.loading?.definitions
        )
          this.load(current);
      })
      .catch((error: unknown) => {
        this.startError = asError(error);
        this.lastProblem = this.startError.message;
        this.logger.error(
          { err: this.startError },
          `flagwise: ${this.source.name} failed to start: ${this.startError.message}`,
        );
        this.emitError(this.startError);
        for (const waiter of this.readyWaiters) waiter.reject(this.startError);
        this.readyWaiters.clear();
      });
  }

  /** `starting | ready | stale | failed` */
  get status(): SourceStatus {
    if (!this.snapshot.ready) return this.startError ? 'failed' : 'starting';
    return this.source.status;
  }

  /** true once definitions have loaded */
  get isReady(): boolean {
    return this.snapshot.ready;
  }

  /**
   * Resolves once definitions have loaded; rejects with the reason when the source failed or the timeout passed.
   * Never hangs: the default timeout is 10 s.
   */
  ready(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (this.snapshot.ready) return Promise.resolve();
    if (this.closed) return Promise.reject(new FlagwiseError('CLOSED', 'the flags client is closed'));
    if (this.startError) return Promise.reject(this.startError);
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.readyWaiters.delete(waiter);
        reject(
          new FlagwiseError(
            'READY_TIMEOUT',
            `flags from ${this.source.name} were not ready after ${timeoutMs} ms (status: ${this.status}); ` +
              'check that the source is reachable, or raise ready({ timeoutMs })',
          ),
        );
      }, timeoutMs);
      timer.unref?.();
      this.readyWaiters.add(waiter);
    });
  }

  /**
   * Is the flag on for this context? Unknown flags give `fallback`.
   * @example flags.isEnabled('new-pricing', { userId: '42', properties: { plan: 'pro' } })
   */
  isEnabled(name: FlagName, context: FlagContext = EMPTY_CONTEXT, fallback = false): boolean {
    const { compiled } = this.snapshot;
    const enabled = compiled.isEnabled(name, context, fallback);
    if (this.snapshot.observeEvaluations) {
      this.afterEvaluation(name, enabled, undefined, context);
    }
    return enabled;
  }

  /**
   * The variant for this context, in Unleash's shape `{ name, enabled, payload?, feature_enabled }`.
   * @example flags.getVariant('checkout-copy', { userId: '42' }).name
   */
  getVariant(name: FlagName, context: FlagContext = EMPTY_CONTEXT, fallback?: VariantResult): VariantResult {
    const variant = this.snapshot.compiled.getVariant(name, context, fallback);
    if (this.snapshot.observeEvaluations) {
      this.afterEvaluation(name, variant.feature_enabled, variant, context);
    }
    return variant;
  }

  /**
   * Value, variant and the reason: `disabled | strategy-matched | no-strategy-matched | dependency-failed |
   * not-found | not-ready | error` (and `override` on per-request flags).
   * @example flags.explain('new-pricing', { userId: '42' }).reason
   */
  explain(name: FlagName, context: FlagContext = EMPTY_CONTEXT): Explanation {
    const explanation = this.snapshot.compiled.explain(name, context);
    if (!this.snapshot.ready && explanation.reason === 'not-found') {
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
    for (const name of this.snapshot.compiled.names()) {
      const variant = this.getVariant(name as FlagName, context);
      result[name] = { enabled: variant.feature_enabled, variant };
    }
    return result;
  }

  /**
   * The lazy per-request flags object adapters attach as `req.flags`.
   * @example
   * const flags = client.forContext({ userId: '42' });
   * flags.newPricing; // evaluated now, memoized for this object
   */
  forContext(context: FlagContext = EMPTY_CONTEXT, options?: { overrides?: FlagOverrides }): RequestFlags {
    return createRequestFlags(this.snapshot, context, options?.overrides, this.requestHost);
  }

  /**
   * For adapters: everything one request needs in one call — the context (defaults from `input`, then the hook),
   * the QA overrides `allow()` permits, a visitor id when `visitors` is given and the request has no user or
   * session id, and the lazy flags. Send every `setCookie`. A Promise only when the hook or `allow()` returned
   * one; never throws nor rejects.
   * @example
   * const { flags, setCookie } = client.forRequest(req, { user: req.user, ip: req.ip, cookieHeader: req.headers.cookie, query: req.query }, options.context);
   */
  forRequest(
    request: Request,
    input: RequestInput,
    hook?: ContextHook<Request>,
    visitors?: VisitorIds,
  ): RequestFlagsResult | Promise<RequestFlagsResult> {
    const context = requestContext(request, input, hook, this.onContextHookError);
    if (this.overrideResolver === undefined && visitors === undefined) {
      if (isPromiseLike<FlagContext>(context)) return context.then((ready) => this.flagsFor(ready));
      return this.flagsFor(context);
    }
    const overrides = this.overridesFor(request, input);
    if (isPromiseLike(context) || isPromiseLike(overrides)) {
      return Promise.all([context, overrides]).then(([ready, resolved]) =>
        this.flagsFor(ready, resolved, visitors, input),
      );
    }
    return this.flagsFor(context, overrides, visitors, input);
  }

  /**
   * For adapters that attach flags before the request is authenticated (Nest's middleware runs before its
   * guards): the request's flags, built at their first read from what `reader.inputOf(request)` says then.
   * `settleRequestFlags(flags)` builds them earlier and awaits an async context hook or `allow()`; a read that
   * comes first cannot wait, so it evaluates without what they would add, and says so once. Set-Cookie headers
   * go to `reader.setCookies(response, cookies)`.
   * @example
   * req.flags = client.forRequestLater(req, res, reader, options.context);
   */
  forRequestLater<Response>(
    request: Request,
    response: Response,
    reader: RequestReader<Request, Response>,
    hook?: ContextHook<Request>,
    visitors?: VisitorIds,
  ): RequestFlags {
    const facts = new LaterRequest(this.laterHost, request, response, reader, hook, visitors);
    return createDeferredRequestFlags(this.snapshot, facts, this.requestHost);
  }

  // What flags built at their first read need of the client; made once, not per request.
  private readonly laterHost: LaterRequestHost<Request> = {
    contextOf: (request, input, hook) => requestContext(request, input, hook, this.onContextHookError),
    overridesOf: (request, input) => this.overridesFor(request, input),
    cookiesOf: (context, resolved, visitors, input) => this.cookiesFor(context, resolved, visitors, input),
    onUnsettledRead: () =>
      this.warnOncePerName(
        'read before settled',
        'flags were read before an async context hook or overrides allow() settled: that request was ' +
          'evaluated without what they add (read the flags where the adapter awaits them; see its README)',
      ),
  };

  /** The overrides a request may use; undefined when overrides are off. */
  private overridesFor(
    request: Request,
    input: RequestInput,
  ): ResolvedOverrides | Promise<ResolvedOverrides> | undefined {
    if (this.overrideResolver === undefined) return undefined;
    const query = input.query?.[this.overrideResolver.queryParam];
    return this.resolveOverrides(request, {
      cookieHeader: input.cookieHeader,
      query: typeof query === 'string' || Array.isArray(query) ? (query as string | string[]) : undefined,
    });
  }

  private flagsFor(
    context: FlagContext,
    resolved?: ResolvedOverrides,
    visitors?: VisitorIds,
    input?: RequestInput,
  ): RequestFlagsResult {
    const setCookie = this.cookiesFor(context, resolved, visitors, input);
    const flags = createRequestFlags(this.snapshot, context, resolved?.overrides, this.requestHost);
    return setCookie === undefined ? { flags } : { flags, setCookie };
  }

  /** The Set-Cookie headers of a request: a refreshed override cookie, a new visitor id (set on the context). */
  private cookiesFor(
    context: FlagContext,
    resolved: ResolvedOverrides | undefined,
    visitors: VisitorIds | undefined,
    input: RequestInput | undefined,
  ): string[] | undefined {
    let setCookie: string[] | undefined;
    if (resolved?.setCookie !== undefined) setCookie = [resolved.setCookie];
    if (visitors !== undefined && !context.userId && !context.sessionId) {
      const visitor = visitors.idOf(input?.cookieHeader, input?.secure === true);
      context.sessionId = visitor.id;
      if (visitor.setCookie !== undefined) (setCookie ??= []).push(visitor.setCookie);
    }
    return setCookie;
  }

  private readonly onContextHookError = (error: unknown) => {
    this.logger.error(
      { err: asError(error) },
      'flagwise: the context hook threw or rejected; evaluating with the default context',
    );
    this.emitError(asError(error));
  };

  /** true when per-browser overrides are configured */
  get overridesEnabled(): boolean {
    return this.overrideResolver !== undefined;
  }

  /**
   * For adapters: the overrides one request may use. Reads the signed cookie and the override query parameter,
   * but only when `overrides.allow(request)` says yes; otherwise nothing a client sends has any effect. A
   * Promise only when `allow()` returned one.
   */
  resolveOverrides(request: Request, input: OverrideInput): ResolvedOverrides | Promise<ResolvedOverrides> {
    return this.overrideResolver?.resolve(request, input) ?? { overrides: undefined };
  }

  /** Signs overrides into a cookie value (for tools and tests). Throws when overrides are not configured. */
  signOverrides(overrides: FlagOverrides): string {
    if (!this.overrideResolver) {
      throw new ConfigurationError(
        'signOverrides(): pass createFlags({ overrides: { secret, allow } }) first',
      );
    }
    return this.overrideResolver.signer.sign(overrides);
  }

  /** The current definitions (Unleash format). */
  definitions(): ClientFeaturesPayload {
    return this.snapshot.compiled.definitions;
  }

  /** One flag's definition. */
  feature(name: string): FeatureDefinition | undefined {
    return this.snapshot.compiled.feature(name);
  }

  /** The names of every defined flag. */
  names(): string[] {
    return this.snapshot.compiled.names();
  }

  /** Stops the source and releases timers and watchers. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.loading?.cancel();
    this.loading = undefined;
    const closedError = new FlagwiseError('CLOSED', 'the flags client was closed before it was ready');
    for (const waiter of this.readyWaiters) waiter.reject(closedError);
    this.readyWaiters.clear();
    // Not awaiting a start that may never settle (a hung network): sources accept stop() during start.
    await this.source.stop();
  }

  private onSourceEvent(event: SourceEvent): void {
    switch (event.type) {
      case 'definitions':
        this.load(event.definitions);
        break;
      case 'error':
        this.reportProblem(event.error);
        this.emitError(event.error);
        break;
      case 'warn':
        this.warn(event.message);
        break;
      case 'status':
        this.onSourceStatus(event.status, event.reason);
        break;
    }
  }

  /** Logs a source's error unless it is the one logged last: a source that keeps failing alike says it once. */
  private reportProblem(error: Error): void {
    if (error.message === this.lastProblem) return;
    this.lastProblem = error.message;
    this.logger.error({ err: error, source: this.source.name }, `flagwise: ${error.message}`);
  }

  /** Logs each status change once: ready → stale (or failed), and the recovery. */
  private onSourceStatus(status: SourceStatus, reason: string | undefined): void {
    const previous = this.sourceStatus;
    this.sourceStatus = status;
    if (status === previous || this.closed) return;
    if (status === 'stale' || (status === 'failed' && this.snapshot.ready)) {
      // The reason is usually the error just logged; say it again only when it is new.
      const known = this.lastProblem !== undefined && reason?.startsWith(this.lastProblem) === true;
      const news = reason !== undefined && !known;
      this.logger.warn(
        { source: this.source.name, status, reason },
        `flagwise: ${this.source.name} ${status === 'failed' ? 'has failed' : 'is stale'}, serving the last good flags${news ? `: ${reason}` : ''}`,
      );
      if (news) this.lastProblem = reason;
      return;
    }
    if (status === 'ready' && (previous === 'stale' || previous === 'failed') && this.snapshot.ready) {
      this.lastProblem = undefined;
      // The count is of the flags served: those of a reload still in slices once it swaps in.
      if (this.loading) this.recoveryToLog = true;
      else this.logRecovery();
    }
  }

  private logRecovery(): void {
    this.logger.info(
      { source: this.source.name, flags: this.snapshot.compiled.names().length },
      `flagwise: ${this.source.name} recovered: ${this.snapshot.compiled.names().length} flags loaded`,
    );
  }

  /**
   * Compiles definitions into a snapshot and swaps it in at once: an evaluation sees the old flags or the new ones,
   * never a mix. A large reload from a source with `slicedReloads` is prepared in slices so requests are served
   * meanwhile; definitions delivered during it replace it (the last delivered win).
   */
  private load(definitions: ClientFeaturesPayload): void {
    if (this.closed) return;
    this.loading?.cancel();
    this.loading = undefined;
    const previous = this.snapshot;
    // Compile warnings wait for the swap, so a reload that is replaced before it swaps in says nothing.
    let heldWarnings: string[] | undefined = [];
    const onWarn = (message: string) => {
      if (heldWarnings) heldWarnings.push(message);
      else this.warn(message);
    };
    const releaseWarnings = () => {
      const held = heldWarnings ?? [];
      heldWarnings = undefined;
      for (const message of held) {
        try {
          this.warn(message);
        } catch {
          // a throwing listener must not stop the swap, as it does not stop compilation
        }
      }
    };
    const steps = this.prepareLoad(definitions, previous, onWarn);
    const count = Array.isArray(definitions?.features) ? definitions.features.length : 0;
    if (!previous.ready || count < SLICED_LOAD_MIN_FLAGS || this.source.slicedReloads !== true) {
      let prepared: PreparedLoad;
      try {
        prepared = runSteps(steps);
      } catch (error) {
        // compileFlags reports broken flags instead of throwing; this guards the last good flags regardless.
        this.loadFailed(error);
        return;
      }
      this.swapIn(prepared, previous, releaseWarnings);
      return;
    }
    const finish = (swap: () => void) => {
      if (this.loading === loading) this.loading = undefined;
      try {
        swap();
      } catch (error) {
        // No source is there to catch a listener's throw on this turn: it must not crash the process.
        this.logger.error(
          { err: asError(error), source: this.source.name },
          'flagwise: a listener of the flags client threw during a reload',
        );
      }
    };
    const loading = {
      definitions,
      cancel: runStepsInSlices(steps, LOAD_SLICE_MS, {
        done: (prepared) => finish(() => this.swapIn(prepared, previous, releaseWarnings)),
        failed: (error) => finish(() => this.loadFailed(error)),
      }),
    };
    this.loading = loading;
  }

  private *prepareLoad(
    definitions: ClientFeaturesPayload,
    previous: FlagsSnapshot,
    onWarn: (message: string) => void,
  ): Steps<PreparedLoad> {
    const compiled = yield* compileFlagsInSteps(definitions, {
      ...this.compileOptions,
      onWarn,
      previous: previous.compiled,
    });
    const snapshot = yield* buildSnapshotInSteps(compiled, true, this.recordEvaluation !== undefined);
    const change = previous.ready ? yield* diffDefinitionsInSteps(previous.compiled, compiled) : undefined;
    return { compiled, snapshot, change };
  }

  private swapIn(prepared: PreparedLoad, previous: FlagsSnapshot, releaseWarnings: () => void): void {
    const { compiled, snapshot: next, change } = prepared;
    releaseWarnings();
    for (const error of compiled.errors) {
      this.logger.error({ flag: error.flag, field: error.field }, `flagwise: ${error.message}`);
      this.emitError(error);
    }
    for (const clash of next.clashes) {
      this.warn(
        `flags ${clash.flags.map((f) => `"${f}"`).join(' and ')} share the property name "${clash.property}"; ` +
          `req.flags.${clash.property} reads "${next.aliases.get(clash.property)?.name}" (use isEnabled(name) for the other)`,
      );
    }
    this.snapshot = next;
    this.startError = undefined;
    if (!previous.ready) {
      this.logger.info(
        { source: this.source.name, flags: compiled.names().length },
        `flagwise: ${compiled.names().length} flags loaded from ${this.source.name}`,
      );
      for (const waiter of this.readyWaiters) waiter.resolve();
      this.readyWaiters.clear();
      this.deliver(() => this.emit('ready'));
      return;
    }
    this.logger.debug(
      { source: this.source.name, flags: compiled.names().length },
      `flagwise: ${compiled.names().length} flags reloaded from ${this.source.name}`,
    );
    if (this.recoveryToLog) {
      this.recoveryToLog = false;
      this.logRecovery();
    }
    if (change && (change.added.length || change.removed.length || change.changed.length)) {
      this.deliver(() => this.emit('changed', change));
    }
  }

  private loadFailed(error: unknown): void {
    this.emitError(asError(error));
    if (this.recoveryToLog) {
      this.recoveryToLog = false;
      this.logRecovery();
    }
  }

  private afterEvaluation(
    flag: string,
    enabled: boolean,
    variant: VariantResult | undefined,
    context: FlagContext,
  ): void {
    this.recordEvaluation?.(flag, enabled, variant?.name);
    if (this.snapshot.impressionFlags.has(flag) && this.listenerCount('impression') > 0) {
      const event: ImpressionEvent = {
        eventType: variant ? 'getVariant' : 'isEnabled',
        eventId: randomUUID(),
        context: { ...this.compileOptions?.staticContext, ...context },
        enabled,
        featureName: flag,
      };
      if (variant) event.variant = variant.name;
      this.emit('impression', event);
    }
  }

  private warnUnknownName(name: string): void {
    if (!this.snapshot.ready) return;
    this.warnOncePerName(
      `unknown:${name}`,
      `unknown flag "${name}" read on a request; it reads as false${this.suggestName(name)}`,
    );
  }

  /**
   * For messages about a flag name the definitions lack: ` (did you mean "new-pricing"?)`, or the defined names
   * when none is close.
   * @example client.suggestName('new-pricng') // ' (did you mean "new-pricing"?)'
   */
  suggestName(name: string): string {
    const nearest = nearestName(name, this.snapshot.aliases.keys());
    // The flag's own name, also when the nearest key is its camelCase property.
    if (nearest !== undefined)
      return ` (did you mean "${this.snapshot.aliases.get(nearest)?.name ?? nearest}"?)`;
    const names = this.snapshot.compiled.names();
    const listed = names.length > 8 ? `${names.slice(0, 8).join(', ')}, …` : names.join(', ') || 'none';
    return ` (defined: ${listed})`;
  }

  private warnOncePerName(key: string, message: string): void {
    if (this.warnedNames.has(key) || this.warnedNames.size >= MAX_WARNED_NAMES) return;
    this.warnedNames.add(key);
    this.warn(message);
  }

  private warn(message: string): void {
    this.logger.warn({ source: this.source.name }, `flagwise: ${message}`);
    this.deliver(() => this.emit('warn', message));
  }

  private emitError(error: Error): void {
    // EventEmitter throws on 'error' without listeners; the logger already has it.
    this.deliver(() => {
      if (this.listenerCount('error') > 0) this.emit('error', error);
    });
  }

  private deliver(emit: () => void): void {
    if (this.deferredEvents) this.deferredEvents.push(emit);
    else emit();
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

/** The logger's own methods (a pino logger's live on its prototype), with info lines demoted to debug. */
function detailLogger(logger: Logger): Logger {
  return {
    debug: (obj, msg) => logger.debug(obj, msg),
    info: (obj, msg) => logger.debug(obj, msg),
    warn: (obj, msg) => logger.warn(obj, msg),
    error: (obj, msg) => logger.error(obj, msg),
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
