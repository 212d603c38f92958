// The core client's API as an injectable, for code outside a request: queues, scheduled jobs, other services.
import type {
  Explanation,
  FlagContext,
  FlagName,
  FlagsClient,
  RequestFlags,
  SourceStatus,
  VariantResult,
} from '@flagwise/core';

/**
 * Evaluate flags anywhere in a Nest app. In a request handler prefer `@Flags()`, which carries the request's
 * context; here you pass the context yourself.
 * @example
 * @Injectable()
 * export class InvoiceJob {
 *   constructor(private readonly flags: FeatureFlagsService) {}
 *   run(customerId: string) {
 *     if (this.flags.isEnabled('new-invoices', { userId: customerId })) { ... }
 *   }
 * }
 */
export class FeatureFlagsService {
  constructor(
    /** the core client, for everything else (events, definitions, names) */
    readonly client: FlagsClient,
  ) {}

  /** Is the flag on for this context? Unknown flags give `fallback` (default false). Never throws. */
  isEnabled(name: FlagName, context?: FlagContext, fallback?: boolean): boolean {
    return this.client.isEnabled(name, context, fallback);
  }

  /** The variant for this context, in Unleash's shape `{ name, enabled, payload?, feature_enabled }`. */
  getVariant(name: FlagName, context?: FlagContext, fallback?: VariantResult): VariantResult {
    return this.client.getVariant(name, context, fallback);
  }

  /** Value, variant and the reason for them. */
  explain(name: FlagName, context?: FlagContext): Explanation {
    return this.client.explain(name, context);
  }

  /** Every flag for one context. */
  evaluateAll(context?: FlagContext): Record<string, { enabled: boolean; variant: VariantResult }> {
    return this.client.evaluateAll(context);
  }

  /** A lazy flags object for one context, like `@Flags()` gives a handler (e.g. one per job). */
  forContext(context?: FlagContext): RequestFlags {
    return this.client.forContext(context);
  }

  /** Resolves once the flags have loaded; rejects with the reason, never hangs (default timeout 10 s). */
  ready(options?: { timeoutMs?: number }): Promise<void> {
    return this.client.ready(options);
  }

  /** true once the flags have loaded */
  get isReady(): boolean {
    return this.client.isReady;
  }

  /** `starting | ready | stale | failed` */
  get status(): SourceStatus {
    return this.client.status;
  }
}
