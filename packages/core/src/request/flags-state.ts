// The state behind one request's flags: what the request read (one value per flag for the life of the request),
// its context (built at the first read for flags made before their request was authenticated), and the
// evaluations, overrides and warnings of each read.
import { DISABLED_VARIANT, type FlagHandle } from '../engine/index.js';
import type { FlagsSnapshot } from '../snapshot/snapshot.js';
import type { Explanation, FlagContext, VariantResult } from '../types.js';
import { isPromiseLike } from './context.js';
import type { FlagOverrides } from './overrides.js';
import type {
  BrowserFlag,
  DeferredFacts,
  RequestFlags,
  RequestFlagsFacts,
  RequestFlagsHost,
} from './request-flags.js';

const EMPTY_CONTEXT: FlagContext = Object.freeze({});

/** flags a request reads before its reads are also indexed by flag */
const SCANNED_READS = 8;

/**
 * What one request read, as triples in one array: the flag, then its value and its variant (each undefined
 * until asked for). Requests read a handful of flags: scanning one array costs less than an object per flag
 * and a Map per request.
 */
type Reads = (FlagHandle | boolean | VariantResult | undefined)[];
const ENABLED = 1;
const VARIANT = 2;

export class RequestFlagsState {
  /** what this request read, per flag, in the order read: one request, one value */
  private reads: Reads | undefined = undefined;
  /** where each flag's triple starts in `reads`, once a request has read more than a scan should cover */
  private readIndex: Map<FlagHandle, number> | undefined = undefined;
  /** set until the context of flags made with deferred facts is built */
  private deferred: DeferredFacts | undefined;
  private contextBuilt: FlagContext;
  private overridesBuilt: FlagOverrides | undefined;
  // Bound on first use, one method at a time, so `const { isEnabled } = req.flags` works and a request that
  // calls only isEnabled allocates one bound function, not four.
  boundIsEnabled: RequestFlags['isEnabled'] | undefined = undefined;
  boundVariant: RequestFlags['variant'] | undefined = undefined;
  boundExplain: RequestFlags['explain'] | undefined = undefined;
  boundToJSON: RequestFlags['toJSON'] | undefined = undefined;
  boundSettle: (() => Promise<void> | undefined) | undefined = undefined;
  /** whether the context has neither userId nor sessionId, once asked */
  private anonymous: boolean | undefined = undefined;

  constructor(
    readonly snapshot: FlagsSnapshot,
    context: FlagContext | DeferredFacts,
    overrides: FlagOverrides | undefined,
    readonly host: RequestFlagsHost,
    deferred: boolean,
  ) {
    if (deferred) {
      this.deferred = context as DeferredFacts;
      this.contextBuilt = EMPTY_CONTEXT;
    } else this.contextBuilt = context as FlagContext;
    this.overridesBuilt = overrides;
  }

  get context(): FlagContext {
    if (this.deferred !== undefined) this.build(this.deferred.now());
    return this.contextBuilt;
  }

  get overrides(): FlagOverrides | undefined {
    if (this.deferred !== undefined) this.build(this.deferred.now());
    return this.overridesBuilt;
  }

  /** Builds deferred facts now, waiting for async hooks; undefined once built. */
  settle(): Promise<void> | undefined {
    const deferred = this.deferred;
    if (deferred === undefined) return undefined;
    const facts = deferred.whenSettled();
    if (!isPromiseLike<RequestFlagsFacts>(facts)) {
      this.build(facts);
      return undefined;
    }
    return Promise.resolve(facts).then((settled) => {
      // a read that could not wait may have built the facts meanwhile: what it answered stays
      if (this.deferred === deferred) this.build(settled);
    });
  }

  private build(facts: RequestFlagsFacts): void {
    this.deferred = undefined;
    this.contextBuilt = facts.context;
    this.overridesBuilt = facts.overrides;
  }

  resolve(name: string): FlagHandle | undefined {
    if (typeof name !== 'string') return undefined;
    const flag = this.snapshot.aliases.get(name);
    if (flag === undefined) this.host.onUnknownFlag(name);
    return flag;
  }

  /** Where the flag's triple starts in `this.reads`, added if this request has not read the flag yet. */
  private slotOf(flag: FlagHandle): number {
    const reads = this.reads;
    if (reads === undefined) {
      this.reads = [flag, undefined, undefined];
      return 0;
    }
    const index = this.readIndex;
    if (index !== undefined) {
      const slot = index.get(flag);
      if (slot !== undefined) return slot;
    } else {
      for (let slot = 0; slot < reads.length; slot += 3) if (reads[slot] === flag) return slot;
    }
    const slot = reads.length;
    reads.push(flag, undefined, undefined);
    if (index !== undefined) index.set(flag, slot);
    else if (slot >= SCANNED_READS * 3) {
      const built = new Map<FlagHandle, number>();
      for (let at = 0; at < reads.length; at += 3) built.set(reads[at] as FlagHandle, at);
      this.readIndex = built;
    }
    return slot;
  }

  isEnabled(flag: FlagHandle): boolean {
    const slot = this.slotOf(flag);
    const reads = this.reads!;
    let value = reads[slot + ENABLED] as boolean | undefined;
    if (value === undefined) {
      const context = this.context;
      const forced = overrideOf(this.overridesBuilt?.flags, flag.name);
      if (typeof forced === 'boolean') value = forced;
      else {
        value = this.snapshot.compiled.isEnabledHandle(flag, context, false);
        if (this.snapshot.observeEvaluations) this.host.onEvaluation(flag.name, value, undefined, context);
        if (this.snapshot.randomWhenAnonymous.size > 0) this.noteRandom(flag.name);
      }
      reads[slot + ENABLED] = value;
    }
    return value;
  }

  variant(flag: FlagHandle): VariantResult {
    const slot = this.slotOf(flag);
    const reads = this.reads!;
    let value = reads[slot + VARIANT] as VariantResult | undefined;
    if (value === undefined) {
      if (!this.snapshot.variantFlags.has(flag.name)) this.host.onNoVariants(flag.name);
      const enabled = reads[slot + ENABLED] as boolean | undefined;
      value = this.evaluateVariant(flag, enabled);
      // Keep isEnabled and variant in agreement for this request, whichever was read first.
      if (enabled === undefined) reads[slot + ENABLED] = value.feature_enabled;
      else if (enabled !== value.feature_enabled) value = enabled ? value : DISABLED_VARIANT;
      reads[slot + VARIANT] = value;
    }
    return value;
  }

  private evaluateVariant(flag: FlagHandle, enabled: boolean | undefined): VariantResult {
    const context = this.context;
    const overrides = this.overridesBuilt;
    if (overrides !== undefined) {
      const forcedVariant = overrideOf(overrides.variants, flag.name);
      const forcedFlag = overrideOf(overrides.flags, flag.name);
      if (forcedVariant !== undefined || forcedFlag !== undefined) {
        if (forcedFlag === false) return DISABLED_VARIANT;
        return forcedVariantResult(this.snapshot, flag.name, forcedVariant);
      }
    }
    if (enabled === false) return DISABLED_VARIANT;
    const value = this.snapshot.compiled.getVariantHandle(flag, context, DISABLED_VARIANT);
    if (this.snapshot.observeEvaluations)
      this.host.onEvaluation(flag.name, value.feature_enabled, value, context);
    if (this.snapshot.randomWhenAnonymous.size > 0) this.noteRandom(flag.name);
    return value;
  }

  /** true when this request's answer for the flag is random: no userId, no sessionId, default stickiness */
  private answeredAtRandom(name: string): boolean {
    return this.isAnonymous() && this.snapshot.randomWhenAnonymous.has(name);
  }

  private isAnonymous(): boolean {
    let anonymous = this.anonymous;
    if (anonymous === undefined) {
      // a context with throwing getters must not make a read throw
      try {
        const context = this.context;
        anonymous = !context.userId && !context.sessionId;
      } catch {
        anonymous = false;
      }
      this.anonymous = anonymous;
    }
    return anonymous;
  }

  private noteRandom(name: string): void {
    if (this.answeredAtRandom(name)) this.host.onRandomAnswer(name);
  }

  explain(name: string): Explanation {
    const handle = typeof name === 'string' ? this.snapshot.aliases.get(name) : undefined;
    if (handle === undefined) {
      // a Symbol or another non-string from untyped code must not throw while building the message
      const shown = String(name);
      if (typeof name === 'string') this.host.onUnknownFlag(name);
      return {
        flag: shown,
        enabled: false,
        variant: DISABLED_VARIANT,
        reason: this.snapshot.ready ? 'not-found' : 'not-ready',
        detail: this.snapshot.ready ? `no flag named "${shown}" is defined` : 'flags have not loaded yet',
      };
    }
    const flag = handle.name;
    const forcedFlag = overrideOf(this.overrides?.flags, flag);
    const forcedVariant = overrideOf(this.overrides?.variants, flag);
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
    const explained = this.snapshot.compiled.explain(flag, this.context);
    // One request, one value: what this request already read stays true for it, and what explain() answers
    // first is what later reads see.
    const slot = this.slotOf(handle);
    const reads = this.reads!;
    const seenEnabled = reads[slot + ENABLED] as boolean | undefined;
    const seenVariant = reads[slot + VARIANT] as VariantResult | undefined;
    let explanation = explained;
    if (seenEnabled === undefined) reads[slot + ENABLED] = explained.enabled;
    else if (seenEnabled !== explained.enabled) {
      explanation = { ...explained, enabled: seenEnabled, variant: this.variant(handle) };
    }
    if (seenVariant === undefined) {
      if (reads[slot + ENABLED] === explanation.variant.feature_enabled)
        reads[slot + VARIANT] = explanation.variant;
    } else if (seenVariant !== explanation.variant) {
      explanation = { ...explanation, variant: seenVariant };
    }
    if (this.answeredAtRandom(flag)) {
      this.host.onRandomAnswer(flag);
      const note =
        'answered at random: the request has no userId or sessionId and the flag uses default stickiness ' +
        '(the visitorId option gives each browser a stable id)';
      explanation = { ...explanation, detail: explanation.detail ? `${explanation.detail}; ${note}` : note };
    }
    return explanation;
  }

  toJSON(): Record<string, BrowserFlag> {
    // no prototype: a browser flag named `__proto__` is an entry like any other
    const result: Record<string, BrowserFlag> = Object.create(null);
    for (const flag of this.snapshot.browserFlags) {
      const handle = this.snapshot.aliases.get(flag)!;
      const enabled = this.isEnabled(handle);
      const variant = this.variant(handle);
      const entry: BrowserFlag = { enabled };
      if (enabled && variant.enabled) {
        entry.variant = variant.name;
        if (variant.payload) entry.payload = variant.payload;
      }
      result[flag] = entry;
    }
    return result;
  }

  /** the flags read so far and their values, in the order read */
  readSoFar(): [string, boolean][] {
    const result: [string, boolean][] = [];
    const reads = this.reads ?? [];
    for (let slot = 0; slot < reads.length; slot += 3) {
      const enabled = reads[slot + ENABLED] as boolean | undefined;
      if (enabled !== undefined) result.push([(reads[slot] as FlagHandle).name, enabled]);
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

  method(key: 'isEnabled' | 'variant' | 'explain' | 'toJSON' | 'settle') {
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
      case 'settle':
        return (this.boundSettle ??= this.settle.bind(this));
    }
  }
}

/** An override's own entry: a flag named `constructor` or `toString` must not find Object.prototype's member. */
function overrideOf<T>(entries: Readonly<Record<string, T>> | undefined, flag: string): T | undefined {
  return entries !== undefined && Object.hasOwn(entries, flag) ? entries[flag] : undefined;
}

function forcedVariantResult(
  snapshot: FlagsSnapshot,
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
