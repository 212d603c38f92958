// The object adapters attach as `req.flags`: lazy, memoized, and a plain-looking object to template engines.
//
// A Proxy over one small state object, with one handler shared by every request: making it allocates the
// state and the proxy, and nothing is evaluated until a flag is read. Reads go through the snapshot the object
// was made with, so one request sees one consistent set of definitions.
import type { FlagOverrides } from './overrides.js';
import type { Snapshot } from './snapshot.js';
import type { Explanation, FlagContext, FlagName, Payload, VariantResult } from './types.js';

/** What a per-request flags object needs from its client. */
export interface RequestFlagsHost {
  /** metrics and impression events for one evaluation */
  onEvaluation(
    flag: string,
    enabled: boolean,
    variant: VariantResult | undefined,
    context: FlagContext,
  ): void;
  /** an unknown name was read (warned once per name by the host) */
  onUnknownFlag(name: string): void;
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
} & { readonly [property: string]: boolean | any };

const DISABLED_VARIANT: VariantResult = Object.freeze({
  name: 'disabled',
  enabled: false,
  feature_enabled: false,
  featureEnabled: false,
});

// Names frameworks, test runners and loggers probe objects with; reading them is not a flag lookup.
const PROBES = new Set([
  'then',
  'catch',
  'finally',
  'inspect',
  'asymmetricMatch',
  '$$typeof',
  'nodeType',
  'tagName',
  'length',
  '__esModule',
  '@@__IMMUTABLE_ITERABLE__@@',
  '@@__IMMUTABLE_RECORD__@@',
  '_isVue',
  '__v_isRef',
  'toPOJO',
]);

const STATE = Symbol('flagwise.requestFlags');
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

class RequestFlagsState {
  enabled: Map<string, boolean> | undefined = undefined;
  variants: Map<string, VariantResult> | undefined = undefined;
  // Bound on first use, one method at a time, so `const { isEnabled } = req.flags` works and a request that
  // calls only isEnabled allocates one bound function, not four.
  boundIsEnabled: RequestFlags['isEnabled'] | undefined = undefined;
  boundVariant: RequestFlags['variant'] | undefined = undefined;
  boundExplain: RequestFlags['explain'] | undefined = undefined;
  boundToJSON: RequestFlags['toJSON'] | undefined = undefined;

  constructor(
    readonly snapshot: Snapshot,
    readonly context: FlagContext,
    readonly overrides: FlagOverrides | undefined,
    readonly host: RequestFlagsHost,
  ) {}

  resolve(name: string): string | undefined {
    const flag = this.snapshot.aliases.get(name);
    if (flag === undefined) this.host.onUnknownFlag(name);
    return flag;
  }

  isEnabled(flag: string): boolean {
    let memo = this.enabled;
    if (memo === undefined) memo = this.enabled = new Map();
    let value = memo.get(flag);
    if (value === undefined) {
      const forced = this.overrides?.flags?.[flag];
      if (typeof forced === 'boolean') value = forced;
      else {
        value = this.snapshot.compiled.isEnabled(flag, this.context, false);
        if (this.snapshot.observeEvaluations) this.host.onEvaluation(flag, value, undefined, this.context);
      }
      memo.set(flag, value);
    }
    return value;
  }

  variant(flag: string): VariantResult {
    let memo = this.variants;
    if (memo === undefined) memo = this.variants = new Map();
    let value = memo.get(flag);
    if (value === undefined) {
      value = this.evaluateVariant(flag);
      memo.set(flag, value);
      // Keep isEnabled and variant in agreement for this request, whichever was read first.
      const enabled = this.enabled?.get(flag);
      if (enabled === undefined) (this.enabled ??= new Map()).set(flag, value.feature_enabled);
      else if (enabled !== value.feature_enabled)
        memo.set(flag, (value = enabled ? value : DISABLED_VARIANT));
    }
    return value;
  }

  private evaluateVariant(flag: string): VariantResult {
    const forcedVariant = this.overrides?.variants?.[flag];
    const forcedFlag = this.overrides?.flags?.[flag];
    if (forcedVariant !== undefined || forcedFlag !== undefined) {
      if (forcedFlag === false) return DISABLED_VARIANT;
      return forcedVariantResult(this.snapshot, flag, forcedVariant);
    }
    if (this.enabled?.get(flag) === false) return DISABLED_VARIANT;
    const value = this.snapshot.compiled.getVariant(flag, this.context, DISABLED_VARIANT);
    if (this.snapshot.observeEvaluations)
      this.host.onEvaluation(flag, value.feature_enabled, value, this.context);
    return value;
  }

  explain(name: string): Explanation {
    const flag = this.snapshot.aliases.get(name);
    if (flag === undefined) {
      this.host.onUnknownFlag(name);
      return {
        flag: name,
        enabled: false,
        variant: DISABLED_VARIANT,
        reason: this.snapshot.ready ? 'not-found' : 'not-ready',
        detail: this.snapshot.ready ? `no flag named "${name}" is defined` : 'flags have not loaded yet',
      };
    }
    const forcedFlag = this.overrides?.flags?.[flag];
    const forcedVariant = this.overrides?.variants?.[flag];
    if (forcedFlag !== undefined || forcedVariant !== undefined) {
      const enabled = forcedFlag ?? true;
      return {
        flag,
        enabled,
        variant: enabled ? forcedVariantResult(this.snapshot, flag, forcedVariant) : DISABLED_VARIANT,
        reason: 'override',
        detail: `forced ${enabled ? 'on' : 'off'}${forcedVariant ? ` with variant "${forcedVariant}"` : ''} by a QA override`,
      };
    }
    const explanation = this.snapshot.compiled.explain(flag, this.context);
    // What this request already read stays true for it.
    const seen = this.enabled?.get(flag);
    if (seen !== undefined && seen !== explanation.enabled) {
      return { ...explanation, enabled: seen, variant: this.variant(flag) };
    }
    return explanation;
  }

  toJSON(): Record<string, BrowserFlag> {
    const result: Record<string, BrowserFlag> = {};
    for (const flag of this.snapshot.browserVisible) {
      const enabled = this.isEnabled(flag);
      const variant = this.variant(flag);
      const entry: BrowserFlag = { enabled };
      if (enabled && variant.enabled) {
        entry.variant = variant.name;
        if (variant.payload) entry.payload = variant.payload;
      }
      result[flag] = entry;
    }
    return result;
  }

  isEnabledByName(name: string): boolean {
    const flag = this.resolve(name);
    return flag === undefined ? false : this.isEnabled(flag);
  }

  variantByName(name: string): VariantResult {
    const flag = this.resolve(name);
    return flag === undefined ? DISABLED_VARIANT : this.variant(flag);
  }

  method(key: 'isEnabled' | 'variant' | 'explain' | 'toJSON') {
    // With `bind`, not arrow functions: builds that keep function names (esbuild's keepNames, on in tsx and in
    // tsup with the swc plugin) wrap each arrow in an Object.defineProperty call, ~1 µs per arrow per request.
    switch (key) {
      case 'isEnabled':
        return (this.boundIsEnabled ??= this.isEnabledByName.bind(this) as RequestFlags['isEnabled']);
      case 'variant':
        return (this.boundVariant ??= this.variantByName.bind(this) as RequestFlags['variant']);
      case 'explain':
        return (this.boundExplain ??= this.explain.bind(this) as RequestFlags['explain']);
      case 'toJSON':
        return (this.boundToJSON ??= this.toJSON.bind(this));
    }
  }
}

function forcedVariantResult(
  snapshot: Snapshot,
  flag: string,
  variantName: string | undefined,
): VariantResult {
  if (variantName === undefined) {
    return Object.freeze({ name: 'disabled', enabled: false, feature_enabled: true, featureEnabled: true });
  }
  const feature = snapshot.compiled.feature(flag);
  const definitions = [
    ...(feature?.variants ?? []),
    ...(feature?.strategies ?? []).flatMap((strategy) => strategy.variants ?? []),
  ];
  const payload = definitions.find((v) => v.name === variantName)?.payload;
  return Object.freeze({
    name: variantName,
    enabled: true,
    feature_enabled: true,
    featureEnabled: true,
    ...(payload ? { payload } : {}),
  });
}

function notWritable(): never {
  throw new TypeError(
    'flags are read-only for a request: force a value with a QA override, or change the source (memorySource().set())',
  );
}

const handler: ProxyHandler<RequestFlagsState> = {
  get(state, key) {
    if (typeof key !== 'string') {
      if (key === STATE) return state;
      if (key === Symbol.toStringTag) return 'RequestFlags';
      if (key === inspectSymbol) return () => inspectRequestFlags(state);
      return undefined;
    }
    switch (key) {
      case 'isEnabled':
      case 'variant':
      case 'explain':
      case 'toJSON':
        return state.method(key);
      case 'context':
        return state.context;
    }
    const flag = state.snapshot.aliases.get(key);
    if (flag !== undefined) return state.isEnabled(flag);
    if (key in Object.prototype) return (Object.prototype as any)[key];
    if (PROBES.has(key)) return undefined;
    state.host.onUnknownFlag(key);
    return false;
  },
  has(state, key) {
    if (typeof key !== 'string') return key === STATE;
    return (
      state.snapshot.aliases.has(key) ||
      key === 'isEnabled' ||
      key === 'variant' ||
      key === 'explain' ||
      key === 'toJSON' ||
      key === 'context'
    );
  },
  ownKeys(state) {
    return state.snapshot.propertyNames as string[];
  },
  getOwnPropertyDescriptor(state, key) {
    if (typeof key !== 'string') return undefined;
    const flag = state.snapshot.aliases.get(key);
    if (flag === undefined) return undefined;
    // ownKeys lists the camelCase names only; exact names answer `in` and own-property checks too.
    return { value: state.isEnabled(flag), writable: false, enumerable: true, configurable: true };
  },
  getPrototypeOf() {
    return Object.prototype;
  },
  set: notWritable,
  defineProperty: notWritable,
  deleteProperty: notWritable,
};

function inspectRequestFlags(state: RequestFlagsState): string {
  const read = [...(state.enabled ?? [])].map(([flag, on]) => `${flag}: ${on}`);
  return `RequestFlags { ${state.snapshot.propertyNames.length} flags${read.length ? `; read: ${read.join(', ')}` : ''} }`;
}

/** Makes the per-request object. Adapters call it through `client.forContext(ctx)`. */
export function createRequestFlags(
  snapshot: Snapshot,
  context: FlagContext,
  overrides: FlagOverrides | undefined,
  host: RequestFlagsHost,
): RequestFlags {
  return new Proxy(
    new RequestFlagsState(snapshot, context, overrides, host),
    handler,
  ) as unknown as RequestFlags;
}

/** True for objects made by `forContext`. */
export function isRequestFlags(value: unknown): value is RequestFlags {
  return typeof value === 'object' && value !== null && STATE in value;
}
