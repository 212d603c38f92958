// The object adapters attach as `req.flags`, as its users see it: lazy, memoized, one evaluation per flag for the
// life of the request. Made by flags-object.ts; templates get the same flags through template-view.ts.
import type {
  EvaluationReason,
  Explanation,
  FlagContext,
  FlagName,
  FlagRegistry,
  Payload,
  VariantResult,
} from '../types.js';
import type { FlagOverrides } from './overrides.js';

/** What a per-request flags object needs from its client. */
export interface RequestFlagsHost {
  /**
   * One evaluation of a request's flag: its value, the variant when one was asked for, and the reason. Called
   * only when the snapshot's `observeEvaluations` is true (usage metrics, impression events): nothing is spent
   * on it otherwise.
   */
  onEvaluation(
    flag: string,
    enabled: boolean,
    variant: VariantResult | undefined,
    reason: EvaluationReason,
    context: FlagContext,
  ): void;
  /** an unknown name was read (warned once per name by the host) */
  onUnknownFlag(name: string): void;
  /** variant() of a flag that has no variants (warned once per name by the host) */
  onNoVariants(name: string): void;
  /** a flag was answered at random for lack of a userId and a sessionId (warned once per name by the host) */
  onRandomAnswer(name: string): void;
  /**
   * a flag's variant was picked by the client IP for lack of a userId and a sessionId (warned once per name by
   * the host)
   */
  onAddressAnswer(name: string): void;
  /** what the app turns on for a stable answer per anonymous browser, in its framework's words */
  readonly visitorIdHint: string;
  /** the client that made the flags, for endpoints mounted behind the adapter (`clientOf`) */
  readonly client?: unknown;
}

/** One flag as `toJSON()` shows it to a browser. */
export interface BrowserFlag {
  enabled: boolean;
  variant?: string;
  payload?: Payload;
}

/**
 * Per-request flags: `flags.newPricing` reads `new-pricing` (camelCase of the flag name), evaluated on first
 * read and memoized for the life of the object.
 * @example
 * app.get('/pricing', (req, res) => res.send(req.flags.newPricing ? 'new' : 'old'));
 */
export type RequestFlags = {
  /** Is the flag on for this request? Unknown flags read as false. */
  isEnabled(name: FlagName): boolean;
  /** The variant for this request, in Unleash's shape. */
  variant(name: FlagName): VariantResult;
  /** Value, variant and the reason for them. */
  explain(name: FlagName): Explanation;
  /** Only the browser-visible flags (`browser: true`), for bootstrapping a front end. */
  toJSON(): Record<string, BrowserFlag>;
  /** the context this object evaluates with */
  readonly context: FlagContext;
} & FlagProperties;

/**
 * `new-pricing` → `newPricing`, as `toPropertyName` maps flag names to `req.flags` properties.
 * @example type P = PropertyName<'new-pricing'>; // 'newPricing'
 */
export type PropertyName<Flag extends string> =
  Flag extends `${infer Head}${'-' | '_' | '.' | ':' | ' '}${infer Tail}`
    ? Tail extends ''
      ? Head
      : `${Head}${Capitalize<PropertyName<Tail>>}`
    : Flag;

/**
 * The flag properties of `req.flags`: any name until the app declares a FlagRegistry, then only the declared
 * flags, by their camelCase property name or their exact name.
 */
export type FlagProperties = keyof FlagRegistry extends never
  ? { readonly [property: string]: boolean | any }
  : { readonly [Flag in FlagName as PropertyName<Flag>]: boolean } & { readonly [Flag in FlagName]: boolean };

/**
 * One flag a request read, as it was evaluated: what telemetry records per read.
 * @example for (const read of readsOf(req.flags)) span.addEvent('feature_flag.evaluation', { key: read.flag });
 */
export interface FlagRead {
  flag: string;
  enabled: boolean;
  /** the variant, when the request asked for it (variant(), explain(), toJSON()) */
  variant: VariantResult | undefined;
  reason: EvaluationReason;
}

/** The context and overrides of flags made before their request's facts were final (see `DeferredFacts`). */
export interface RequestFlagsFacts {
  context: FlagContext;
  overrides: FlagOverrides | undefined;
}

/**
 * Builds the context of flags made before their request was authenticated, at their first read or earlier when
 * an adapter settles them (then async context hooks and `allow()` are awaited).
 */
export interface DeferredFacts {
  /** for a read that cannot wait */
  now(): RequestFlagsFacts;
  /** may wait for an async context hook or allow() */
  whenSettled(): RequestFlagsFacts | PromiseLike<RequestFlagsFacts>;
}
