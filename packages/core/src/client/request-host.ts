// What the request side needs of the client that made it: every request's flags report evaluations (usage metrics,
// impression events, telemetry) and the warnings a read can raise, each said once per flag through the client's
// notices; the request path reads the current snapshot and reports a failing context hook; QA overrides check
// their flag names against the snapshot.
import type { OverrideResolverHost } from '../request/overrides.js';
import type { RequestFlagsHost } from '../request/request-flags.js';
import type { AdapterHints, RequestPathHost } from '../request/request-path.js';
import { type FlagsSnapshot, flagNameSuggestion } from '../snapshot/snapshot.js';
import type { EvaluationReason, FlagContext, Logger, VariantResult } from '../types.js';
import { asError, type ClientNotices } from './events.js';
import type { FlagsLoader } from './loader.js';
import type { FlagsTelemetry } from './telemetry.js';

/** What the hosts need of their client. */
export interface RequestHostParts {
  client: object;
  /** where the client keeps its current snapshot */
  loader: Pick<FlagsLoader, 'snapshot' | 'isClosed'>;
  recorder: FlagsTelemetry | undefined;
  hints: AdapterHints;
  notices: ClientNotices;
  logger: Logger;
  afterEvaluation(
    flag: string,
    enabled: boolean,
    variant: VariantResult | undefined,
    context: FlagContext,
  ): void;
}

// The hosts are classes, not object literals: V8 makes an object literal that has a getter in dictionary mode,
// and every request's reads of such an object then take a generic lookup instead of an inlined one.

/**
 * The host of a client's request flags: made once per client, shared by every request.
 * @example const host = new ClientRequestFlagsHost({ client, loader, recorder, hints, notices, logger, afterEvaluation });
 */
export class ClientRequestFlagsHost implements RequestFlagsHost {
  readonly client: object;
  readonly evaluations: FlagsTelemetry | undefined;

  constructor(private readonly parts: RequestHostParts) {
    this.client = parts.client;
    this.evaluations = parts.recorder;
  }

  get visitorIdHint(): string {
    return this.parts.hints.visitorId;
  }

  onEvaluation(
    flag: string,
    enabled: boolean,
    variant: VariantResult | undefined,
    _reason: EvaluationReason,
    context: FlagContext,
  ): void {
    this.parts.afterEvaluation(flag, enabled, variant, context);
  }

  onUnknownFlag(name: string): void {
    const snapshot = this.parts.loader.snapshot;
    if (!snapshot.ready) return;
    this.parts.notices.warnOnce(
      `unknown:${name}`,
      `unknown flag "${name}" read on a request; it reads as false${flagNameSuggestion(snapshot, name)}`,
    );
  }

  onNoVariants(name: string): void {
    this.parts.notices.warnOnce(
      `variants:${name}`,
      `variant("${name}") was asked for, but flag "${name}" has no variants: it reads as "disabled"; ` +
        'give the flag variants, or read it with isEnabled()',
    );
  }

  onRandomAnswer(name: string): void {
    this.parts.notices.warnOnce(
      `random:${name}`,
      `flag "${name}" was answered at random: the request has no userId and no sessionId, and the flag ` +
        "uses Unleash's default stickiness (userId, else sessionId, else random). Turn on " +
        `${this.parts.hints.visitorId} for a stable answer per browser`,
    );
  }

  onAddressAnswer(name: string): void {
    this.parts.notices.warnOnce(
      `address:${name}`,
      `flag "${name}" picked its variant by the client IP: the request has no userId and no sessionId, and ` +
        "the variants use Unleash's default stickiness (userId, else sessionId, else remoteAddress), so every " +
        `visitor behind one address gets one variant. Turn on ${this.parts.hints.visitorId} for a stable variant per browser`,
    );
  }
}

/**
 * What a client's request path needs of it: its snapshot, its request flags' host, its warnings.
 * @example attachRequestPath(client, new RequestPath(new ClientRequestPathHost(parts, flagsHost), overrides));
 */
export class ClientRequestPathHost implements RequestPathHost {
  constructor(
    private readonly parts: RequestHostParts,
    readonly flagsHost: RequestFlagsHost,
  ) {}

  get snapshot(): FlagsSnapshot {
    return this.parts.loader.snapshot;
  }

  get closed(): boolean {
    return this.parts.loader.isClosed;
  }

  get hints(): AdapterHints {
    return this.parts.hints;
  }

  warnOnce(key: string, message: string): void {
    this.parts.notices.warnOnce(key, message);
  }

  contextHookFailed(error: unknown): void {
    // One Error for the log and the 'error' event: a hook that threw a non-Error is wrapped once.
    const err = asError(error);
    this.parts.logger.error(
      { err },
      'flagwise: the context hook threw or rejected; evaluating with the default context',
    );
    this.parts.notices.error(err);
  }
}

/**
 * What a client's QA overrides need of it: its snapshot (an override must name one of its flags), its warnings.
 * The snapshot is read through a function: the client makes its overrides before its loader, so that misconfigured
 * overrides fail first.
 */
export class ClientOverrideHost implements OverrideResolverHost {
  constructor(
    private readonly snapshotNow: () => FlagsSnapshot,
    private readonly notices: ClientNotices,
    private readonly logger: Logger,
  ) {}

  get snapshot(): FlagsSnapshot {
    return this.snapshotNow();
  }

  warn(message: string): void {
    this.notices.warn(message);
  }

  warnOnce(key: string, message: string): void {
    this.notices.warnOnce(key, message);
  }

  allowFailed(error: unknown): void {
    this.logger.warn(
      { err: asError(error) },
      'flagwise: overrides.allow() threw or rejected; treating the request as not allowed',
    );
  }
}
