// `req.flags` itself: one small object per request, an instance of a class made once per snapshot whose
// prototype has a real accessor for every flag property (`newPricing`, `new-pricing`). A read is an ordinary
// property access (no Proxy trap, no lookup by name), evaluated at the first read and kept for the request: the
// engine's decision (value and reason) and, when asked for, the variant picked for it, so value, variant and
// explanation always come from one evaluation. Names no flag has fall through to one shared Proxy at the end of
// the prototype chain, which warns about unknown flags and keeps Object.prototype's members.
import { counted } from '../counted.js';
import { DISABLED_VARIANT, type FlagHandle, isOnDecision, reasonOfDecision } from '../engine/index.js';
import { runSteps, type Steps } from '../engine/steps.js';
import type { PreparedLoad } from '../snapshot/prepare.js';
import type { FlagsSnapshot } from '../snapshot/snapshot.js';
import type { EvaluationReason, Explanation, FlagContext, FlagName, VariantResult } from '../types.js';
import { isPromiseLike } from './context.js';
import { LaterRequest, type LaterRequestKind, plainContextNow } from './later-request.js';
import type { FlagOverrides } from './overrides.js';
import type {
  BrowserFlag,
  DeferredFacts,
  FlagRead,
  RequestFlags,
  RequestFlagsFacts,
  RequestFlagsHost,
} from './request-flags.js';

/** A QA override's decisions, beside the engine's (which are >= -6). */
const FORCED_ON = -20;
const FORCED_OFF = -21;

const EMPTY_CONTEXT: FlagContext = Object.freeze({});

/** flags a request reads before its reads are also indexed by flag */
const SCANNED_READS = 8;
/**
 * What one request read, as triples in one array: the flag, its decision, and its variant (undefined until
 * asked for). Requests read a handful of flags: scanning one array costs less than an object per flag and a Map
 * per request.
 */
type Reads = (FlagHandle | number | VariantResult | null | undefined)[];
const DECISION = 1;
const VARIANT = 2;

// Names frameworks, test runners and loggers probe objects with; reading them is not a flag lookup.
const PROBES: ReadonlySet<string> = new Set([
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

/**
 * What `settleRequestFlags` asks flags for: a function that builds deferred flags now. Objects that wrap
 * request flags (a test client's recorder) forward it.
 */
export const SETTLE = Symbol.for('flagwise.settle');
/** What a view over request flags (template-view.ts) answers with the flags behind it. */
export const VIEWED = Symbol('flagwise.viewed');
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/** What a request flags class's last resolved names hold before any name is found. */
const NO_NAME = Symbol('flagwise.noName');

/** What a write to request flags, or to their template view, throws. */
export function notWritable(): never {
  throw new TypeError(
    'flags are read-only for a request: force a value with a QA override, or change the source (memorySource().set())',
  );
}

interface BoundMethods {
  explain?: RequestFlags['explain'];
  toJSON?: RequestFlags['toJSON'];
  settle?: () => Promise<void> | undefined;
}

/**
 * Makes the class of one snapshot's request flags: each request's state in private fields, the snapshot's flags as
 * accessors on the class's own prototype. A class of its own per snapshot, not a subclass of one shared class: V8
 * builds instances of a class derived from a base that declares fields on a slower path, which every request
 * paid. Each class has its own private names, so this module's functions reach flags of any snapshot through the
 * statics of the class that made them (`classOfFlags`).
 */
function defineFlagsClass() {
  // The name isEnabled() and variant() each found last, and its flag (the class is one snapshot's, so are they):
  // guards and handlers ask by the same few names request after request, and comparing with the last one costs
  // less than the snapshot's Map lookup. Until a name is found, they hold a value no caller can pass.
  let lastEnabledName: unknown = NO_NAME;
  let lastEnabledFlag: FlagHandle | undefined;
  let lastVariantName: unknown = NO_NAME;
  let lastVariantFlag: FlagHandle | undefined;

  /** The per-request flags: state in private fields, flags as accessors on the prototype. */
  class FlagsObject {
    #snapshot: FlagsSnapshot;
    #host: RequestFlagsHost;
    #context: FlagContext;
    #overrides: FlagOverrides | undefined;
    /** set until the context of flags made to be built at their first read is built: what their requests share */
    #later: LaterRequestKind<unknown, unknown> | undefined;
    #request: unknown;
    #response: unknown;
    /** the facts of flags built at their first read that need more than the context (overrides, a visitor id) */
    #deferred: DeferredFacts | undefined;
    /** what this request read, per flag, in the order read: one request, one evaluation */
    #reads: Reads | undefined = undefined;
    /** how many slots of `reads` are used (it is made with room for a few flags) */
    #used = 0;
    /** where each flag's triple starts in `reads`, once a request has read more than a scan should cover */
    #index: Map<FlagHandle, number> | undefined = undefined;
    /**
     * true when the context has neither userId nor sessionId and the snapshot has flags whose answer then rests on
     * chance or the client IP; set with the context, so a read checks one field
     */
    #anonymous = false;
    /**
     * true when a first read only asks the engine: no QA overrides, nothing observes evaluations, no anonymous
     * notices due; set with the context. Read as `=== true`, as are `plain` and `observeEvaluations` where a
     * request's first read passes: V8 keeps no boolean type for a field, so a bare `if (field)` tests for every
     * falsy kind of value.
     */
    #quiet = false;
    // Bound on first use, one method at a time, so `const { isEnabled } = req.flags` works and a request that
    // calls only isEnabled allocates one bound function, not four. With `bind`, not arrow functions: builds that
    // keep function names wrap each arrow in an Object.defineProperty call.
    #boundIsEnabled: RequestFlags['isEnabled'] | undefined = undefined;
    #boundVariant: RequestFlags['variant'] | undefined = undefined;
    /** the methods requests bind less often, in one object made at the first of them */
    #bound: BoundMethods | undefined = undefined;

    constructor(
      snapshot: FlagsSnapshot,
      host: RequestFlagsHost,
      context: FlagContext,
      overrides: FlagOverrides | undefined,
      later: LaterRequestKind<unknown, unknown> | undefined,
      request: unknown,
      response: unknown,
      deferred: DeferredFacts | undefined,
    ) {
      this.#snapshot = snapshot;
      this.#host = host;
      this.#context = context;
      this.#overrides = overrides;
      this.#later = later;
      this.#request = request;
      this.#response = response;
      this.#deferred = deferred;
      if (later === undefined) this.#useFacts(context, overrides);
    }

    // --- what the accessors and module functions below call (static: they reach the private fields) ---

    /** The value of a flag property: the accessors of every per-snapshot class call this. */
    static property(flags: FlagsObject, flag: FlagHandle): boolean {
      return flags.#isEnabled(flag);
    }

    /** A name neither the prototype nor Object.prototype has, read on these flags: warned about as unknown. */
    static unknownName(flags: FlagsObject, key: string): false {
      // a flag whose name is one of Object.prototype's (read with isEnabled) is known, not missing
      if (!flags.#snapshot.aliases.has(key)) flags.#host.onUnknownFlag(key);
      return false;
    }

    static is(value: unknown): value is FlagsObject {
      return typeof value === 'object' && value !== null && #snapshot in value;
    }

    static snapshotOf(flags: FlagsObject): FlagsSnapshot {
      return flags.#snapshot;
    }

    static hostOf(flags: FlagsObject): RequestFlagsHost {
      return flags.#host;
    }

    static overridesOf(flags: FlagsObject): FlagOverrides | undefined {
      flags.#build();
      return flags.#overrides;
    }

    static isEnabledByName(flags: FlagsObject, name: string): boolean {
      return flags.#isEnabledByName(name);
    }

    static variantByName(flags: FlagsObject, name: string): VariantResult {
      return flags.#variantByName(name);
    }

    static settle(flags: FlagsObject): Promise<void> | undefined {
      return flags.#later === undefined ? undefined : flags.#settle();
    }

    static reads(flags: FlagsObject): FlagRead[] {
      const result: FlagRead[] = [];
      const reads = flags.#reads;
      if (reads === undefined) return result;
      for (let slot = 0; slot < flags.#used; slot += 3) {
        const decision = reads[slot + DECISION] as number | undefined;
        if (decision === undefined) continue;
        result.push({
          flag: (reads[slot] as FlagHandle).name,
          enabled: enabledOf(decision),
          variant: reads[slot + VARIANT] as VariantResult | undefined,
          reason: reasonOf(decision),
        });
      }
      return result;
    }

    // --- the members users see ---

    get isEnabled(): RequestFlags['isEnabled'] {
      return (this.#boundIsEnabled ??= this.#isEnabledByName.bind(this) as RequestFlags['isEnabled']);
    }

    get variant(): RequestFlags['variant'] {
      return (this.#boundVariant ??= this.#variantByName.bind(this) as RequestFlags['variant']);
    }

    get explain(): RequestFlags['explain'] {
      const bound = (this.#bound ??= {});
      return (bound.explain ??= this.#explain.bind(this) as RequestFlags['explain']);
    }

    get toJSON(): RequestFlags['toJSON'] {
      const bound = (this.#bound ??= {});
      return (bound.toJSON ??= this.#toJSON.bind(this));
    }

    /** the context this object evaluates with (built now for deferred flags) */
    get context(): FlagContext {
      this.#build();
      return this.#context;
    }

    get [SETTLE](): () => Promise<void> | undefined {
      const bound = (this.#bound ??= {});
      return (bound.settle ??= this.#settle.bind(this));
    }

    get [Symbol.toStringTag](): string {
      return 'RequestFlags';
    }

    [inspectSymbol](): string {
      // console.log of the template view (what forContext() returns) calls this with the view as `this`: its
      // private fields are on the flags behind it.
      const flags = (this as { [VIEWED]?: FlagsObject })[VIEWED] ?? this;
      const read = FlagsObject.reads(flags).map((entry) => `${entry.flag}: ${entry.enabled}`);
      return `RequestFlags { ${counted(flags.#snapshot.propertyNames.length, 'flag')}${read.length ? `; read: ${read.join(', ')}` : ''} }`;
    }

    // --- the request's facts ---

    #build(): void {
      if (this.#later !== undefined) this.#buildNow();
    }

    #buildNow(): void {
      const deferred = this.#deferred;
      if (deferred !== undefined) {
        this.#use(deferred.now());
        return;
      }
      const later = this.#later!;
      if (later.plain === true) {
        this.#later = undefined;
        this.#useFacts(plainContextNow(later, this.#request), undefined);
        return;
      }
      const facts = new LaterRequest(later, this.#request, this.#response);
      this.#deferred = facts;
      this.#use(facts.now());
    }

    /** Builds deferred facts now, waiting for async hooks; undefined once built. */
    #settle(): Promise<void> | undefined {
      const later = this.#later;
      if (later === undefined) return undefined;
      const deferred = (this.#deferred ??= new LaterRequest(later, this.#request, this.#response));
      const facts = deferred.whenSettled();
      if (!isPromiseLike<RequestFlagsFacts>(facts)) {
        this.#use(facts);
        return undefined;
      }
      return Promise.resolve(facts).then((settled) => {
        // a read that could not wait may have built the facts meanwhile: what it answered stays
        if (this.#deferred === deferred) this.#use(settled);
      });
    }

    #use(facts: RequestFlagsFacts): void {
      this.#later = undefined;
      this.#deferred = undefined;
      this.#useFacts(facts.context, facts.overrides);
    }

    #useFacts(context: FlagContext, overrides: FlagOverrides | undefined): void {
      const snapshot = this.#snapshot;
      this.#context = context;
      this.#overrides = overrides;
      const anonymous = anonymousWithChance(snapshot, context);
      this.#anonymous = anonymous;
      this.#quiet =
        overrides === undefined &&
        !anonymous &&
        snapshot.observeEvaluations !== true &&
        this.#host.evaluations === undefined;
    }

    // --- evaluation: one decision per flag for the life of the request ---

    /** Where the flag's triple starts in the reads, added if this request has not read the flag yet. */
    #slotOf(flag: FlagHandle): number {
      const reads = this.#reads;
      if (reads !== undefined && this.#index === undefined) {
        const used = this.#used;
        for (let slot = 0; slot < used; slot += 3) if (reads[slot] === flag) return slot;
      }
      return this.#addSlot(flag);
    }

    /** The flag's slot in a request that has read many flags, or a new slot for a flag not read yet. */
    #addSlot(flag: FlagHandle): number {
      const reads = this.#reads;
      if (reads === undefined) {
        // Room for four flags in one allocation: most requests read no more.
        this.#reads = [
          flag,
          undefined,
          undefined,
          null,
          undefined,
          undefined,
          null,
          undefined,
          undefined,
          null,
          undefined,
          undefined,
        ];
        this.#used = 3;
        return 0;
      }
      const index = this.#index;
      if (index !== undefined) {
        const slot = index.get(flag);
        if (slot !== undefined) return slot;
      }
      const slot = this.#used;
      if (slot < reads.length) reads[slot] = flag;
      else reads.push(flag, undefined, undefined);
      this.#used = slot + 3;
      if (index !== undefined) index.set(flag, slot);
      else if (slot >= SCANNED_READS * 3) {
        const built = new Map<FlagHandle, number>();
        for (let at = 0; at <= slot; at += 3) built.set(reads[at] as FlagHandle, at);
        this.#index = built;
      }
      return slot;
    }

    /** The flag's decision for this request, made at the first ask; `observe` reports a new one as an evaluation. */
    #decisionAt(slot: number, flag: FlagHandle, observe: boolean): number {
      const reads = this.#reads!;
      let decision = reads[slot + DECISION] as number | undefined;
      if (decision !== undefined) return decision;
      if (this.#later !== undefined) this.#buildNow();
      if (this.#quiet === true) {
        decision = this.#snapshot.compiled.decide(flag, this.#context);
        reads[slot + DECISION] = decision;
        return decision;
      }
      return this.#observedDecision(slot, flag, observe);
    }

    /** A first decision that overrides, observers or the anonymous notices take part in. */
    #observedDecision(slot: number, flag: FlagHandle, observe: boolean): number {
      const reads = this.#reads!;
      let decision: number;
      const forced = this.#overrides === undefined ? undefined : this.#forced(flag.name);
      if (forced !== undefined) decision = forced;
      else {
        const snapshot = this.#snapshot;
        decision = snapshot.compiled.decide(flag, this.#context);
        if (observe && snapshot.observeEvaluations) this.#observe(flag, decision, undefined);
        if (this.#anonymous && snapshot.randomWhenAnonymous.has(flag)) this.#host.onRandomAnswer(flag.name);
      }
      reads[slot + DECISION] = decision;
      if (observe && this.#host.evaluations !== undefined) this.#recordRead(flag, decision, undefined);
      return decision;
    }

    /** Telemetry's record of the flag's first read in this request (with the variant when that read asked for it). */
    #recordRead(flag: FlagHandle, decision: number, variant: VariantResult | undefined): void {
      this.#host.evaluations?.recordEvaluation(
        flag.name,
        enabledOf(decision),
        variant,
        reasonOf(decision),
        decision >= 0 ? decision : undefined,
        this.#context,
      );
    }

    /** A QA override's decision for the flag; undefined when none applies. */
    #forced(flag: string): number | undefined {
      const overrides = this.#overrides;
      if (overrides === undefined) return undefined;
      const forcedFlag = overrideOf(overrides.flags, flag);
      if (forcedFlag === false) return FORCED_OFF;
      if (forcedFlag === true || overrideOf(overrides.variants, flag) !== undefined) return FORCED_ON;
      return undefined;
    }

    #isEnabled(flag: FlagHandle): boolean {
      const slot = this.#slotOf(flag);
      return enabledOf(this.#decisionAt(slot, flag, true));
    }

    #variant(flag: FlagHandle): VariantResult {
      const slot = this.#slotOf(flag);
      const reads = this.#reads!;
      let variant = reads[slot + VARIANT] as VariantResult | undefined;
      if (variant !== undefined) return variant;
      if (this.#later !== undefined) this.#buildNow();
      const snapshot = this.#snapshot;
      if (this.#quiet === true) {
        const decision = this.#decisionAt(slot, flag, false);
        variant = snapshot.compiled.variantOfDecision(flag, this.#context, decision);
        // the engine picks an enabled variant only for a flag that has variants
        if (!variant.enabled && !snapshot.variantFlags.has(flag)) this.#host.onNoVariants(flag.name);
      } else {
        if (!snapshot.variantFlags.has(flag)) this.#host.onNoVariants(flag.name);
        variant = this.#pickVariant(slot, flag);
      }
      reads[slot + VARIANT] = variant;
      return variant;
    }

    /** The variant for the flag's decision: the override's, or picked by the engine once for this request. */
    #pickVariant(slot: number, flag: FlagHandle): VariantResult {
      const decided = this.#reads![slot + DECISION] !== undefined;
      const decision = this.#decisionAt(slot, flag, false);
      const variant =
        decision === FORCED_ON || decision === FORCED_OFF
          ? this.#forcedVariant(flag, decision)
          : this.#engineVariant(flag, decision, decided);
      if (!decided && this.#host.evaluations !== undefined) this.#recordRead(flag, decision, variant);
      return variant;
    }

    #forcedVariant(flag: FlagHandle, decision: number): VariantResult {
      if (decision === FORCED_OFF) return DISABLED_VARIANT;
      return forcedVariantResult(this.#snapshot, flag.name, overrideOf(this.#overrides?.variants, flag.name));
    }

    /** The engine's variant for its decision; `decided`: the decision was made (and reported) by an earlier read. */
    #engineVariant(flag: FlagHandle, decision: number, decided: boolean): VariantResult {
      const snapshot = this.#snapshot;
      if (!isOnDecision(decision)) {
        if (!decided && snapshot.observeEvaluations) this.#observe(flag, decision, DISABLED_VARIANT);
        return DISABLED_VARIANT;
      }
      const context = this.#context;
      const variant = snapshot.compiled.variantOfDecision(flag, context, decision);
      if (snapshot.observeEvaluations) this.#observe(flag, decision, variant);
      if (this.#anonymous && variant.enabled && snapshot.variantByAddressWhenAnonymous.has(flag)) {
        if (hasAddress(context)) this.#host.onAddressAnswer(flag.name);
        else this.#host.onRandomAnswer(flag.name);
      }
      return variant;
    }

    /** Reports an evaluation to the client (usage metrics, impression events). */
    #observe(flag: FlagHandle, decision: number, variant: VariantResult | undefined): void {
      this.#host.onEvaluation(flag.name, enabledOf(decision), variant, reasonOf(decision), this.#context);
    }

    #isAnonymous(): boolean {
      this.#build();
      return this.#anonymous;
    }

    #resolve(name: string): FlagHandle | undefined {
      if (typeof name !== 'string') return undefined;
      const flag = this.#snapshot.aliases.get(name);
      if (flag === undefined) this.#host.onUnknownFlag(name);
      return flag;
    }

    #isEnabledByName(name: string): boolean {
      if (name === lastEnabledName) return this.#isEnabled(lastEnabledFlag!);
      const flag = this.#resolve(name);
      if (flag === undefined) return false;
      lastEnabledName = name;
      lastEnabledFlag = flag;
      return this.#isEnabled(flag);
    }

    #variantByName(name: string): VariantResult {
      if (name === lastVariantName) return this.#variant(lastVariantFlag!);
      const flag = this.#resolve(name);
      if (flag === undefined) return DISABLED_VARIANT;
      lastVariantName = name;
      lastVariantFlag = flag;
      return this.#variant(flag);
    }

    #explain(name: string): Explanation {
      const snapshot = this.#snapshot;
      const handle = typeof name === 'string' ? snapshot.aliases.get(name) : undefined;
      if (handle === undefined) {
        // a Symbol or another non-string from untyped code must not throw while building the message
        const shown = String(name);
        if (typeof name === 'string') this.#host.onUnknownFlag(name);
        return {
          flag: shown,
          enabled: false,
          variant: DISABLED_VARIANT,
          reason: snapshot.ready ? 'not-found' : 'not-ready',
          detail: snapshot.ready ? `no flag named "${shown}" is defined` : 'flags have not loaded yet',
        };
      }
      const flag = handle.name;
      const slot = this.#slotOf(handle);
      const reads = this.#reads!;
      // The variant too (without the no-variants warning: explain() did not ask for a variant by name).
      let variant = reads[slot + VARIANT] as VariantResult | undefined;
      if (variant === undefined) reads[slot + VARIANT] = variant = this.#pickVariant(slot, handle);
      const decision = reads[slot + DECISION] as number;
      if (decision === FORCED_ON || decision === FORCED_OFF) {
        const forcedVariant = overrideOf(this.#overrides?.variants, flag);
        const enabled = decision === FORCED_ON;
        return {
          flag,
          enabled,
          variant,
          reason: 'override',
          detail: `forced ${enabled ? 'on' : 'off'}${forcedVariant ? ` with variant "${forcedVariant}"` : ''} by a QA override`,
        };
      }
      const context = this.#context;
      const explanation = snapshot.compiled.explainDecision(handle, context, decision, variant);
      const note = this.#anonymousNote(handle, decision, variant);
      if (note === undefined) return explanation;
      return { ...explanation, detail: explanation.detail ? `${explanation.detail}; ${note}` : note };
    }

    /** What decided an anonymous request's answer, when it was not the request's user or session. */
    #anonymousNote(handle: FlagHandle, decision: number, variant: VariantResult): string | undefined {
      const snapshot = this.#snapshot;
      const flag = handle.name;
      const random = snapshot.randomWhenAnonymous.has(handle);
      const byAddress = variant.enabled && snapshot.variantByAddressWhenAnonymous.has(handle);
      if ((!random && !byAddress) || !this.#isAnonymous()) return undefined;
      const notes: string[] = [];
      const hint = this.#host.visitorIdHint;
      // A random rollout drew the answer whether it let the request in (a strategy matched) or not (none did).
      if (random && (decision >= 0 || reasonOfDecision(decision) === 'no-strategy-matched')) {
        this.#host.onRandomAnswer(flag);
        notes.push(
          'the rollout answered at random: the request has no userId or sessionId and the rollout uses default ' +
            'stickiness (userId, else sessionId, else random)',
        );
      }
      if (byAddress) {
        const address = this.#context.remoteAddress;
        if (hasAddress(this.#context)) {
          this.#host.onAddressAnswer(flag);
          notes.push(
            `the variant followed the client IP (remoteAddress ${address}): the request has no userId or ` +
              'sessionId and the variants use default stickiness (userId, else sessionId, else remoteAddress); ' +
              "every visitor behind one proxy the app does not trust gets the proxy's address, so one variant",
          );
        } else {
          this.#host.onRandomAnswer(flag);
          notes.push(
            'the variant was picked at random: the request has no userId, sessionId or remoteAddress and the ' +
              'variants use default stickiness',
          );
        }
      }
      if (notes.length === 0) return undefined;
      return `${notes.join('; ')} (${hint} gives each browser a stable id)`;
    }

    #toJSON(): Record<string, BrowserFlag> {
      // no prototype: a browser flag named `__proto__` is an entry like any other
      const result: Record<string, BrowserFlag> = Object.create(null);
      const snapshot = this.#snapshot;
      for (const flag of snapshot.browserFlags) {
        const handle = snapshot.aliases.get(flag)!;
        const slot = this.#slotOf(handle);
        const enabled = enabledOf(this.#decisionAt(slot, handle, true));
        const reads = this.#reads!;
        let variant = reads[slot + VARIANT] as VariantResult | undefined;
        if (variant === undefined) reads[slot + VARIANT] = variant = this.#pickVariant(slot, handle);
        const entry: BrowserFlag = { enabled };
        if (enabled && variant.enabled) {
          entry.variant = variant.name;
          if (variant.payload) entry.payload = variant.payload;
        }
        result[flag] = entry;
      }
      return result;
    }
  }
  const prototype = FlagsObject.prototype;
  Object.setPrototypeOf(prototype, misses);
  // `flags.constructor` is Object's, as for a plain object (and a flag named `constructor` reads with isEnabled).
  delete (prototype as { constructor?: unknown }).constructor;
  Object.defineProperty(prototype, CLASS, { value: FlagsObject });
  return FlagsObject;
}

function enabledOf(decision: number): boolean {
  return decision === FORCED_ON || (decision !== FORCED_OFF && isOnDecision(decision));
}

function reasonOf(decision: number): EvaluationReason {
  return decision === FORCED_ON || decision === FORCED_OFF ? 'override' : reasonOfDecision(decision);
}

/**
 * True when the context has neither userId nor sessionId and the snapshot has flags whose answer then rests on
 * chance or the client IP (what the random-answer and shared-address notices watch for).
 */
function anonymousWithChance(snapshot: FlagsSnapshot, context: FlagContext): boolean {
  if (snapshot.randomWhenAnonymous.size === 0 && snapshot.variantByAddressWhenAnonymous.size === 0)
    return false;
  // a context with throwing getters must not make a read throw
  try {
    return !context.userId && !context.sessionId;
  } catch {
    return false;
  }
}

function hasAddress(context: FlagContext): boolean {
  try {
    return typeof context.remoteAddress === 'string' && context.remoteAddress !== '';
  } catch {
    return false;
  }
}

/** Where each request flags class keeps itself, on its prototype: how this module finds the statics of any flags. */
const CLASS = Symbol('flagwise.flagsClass');

/** The class of one snapshot's request flags, with the statics this module calls. */
type FlagsObjectClass = ReturnType<typeof defineFlagsClass>;
type FlagsObject = InstanceType<FlagsObjectClass>;

/**
 * Every request flags class made, and the newest: what nearly every check finds, compared before the WeakSet is
 * asked. The newest class (with its snapshot's flag handles) stays referenced until a newer one is made.
 */
const madeClasses = new WeakSet<object>();
let newestClass: FlagsObjectClass | undefined;

/** The class that made `value` when `value` is request flags (not a view of them); undefined for anything else. */
function classOfFlags(value: unknown): FlagsObjectClass | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const made = (value as { [CLASS]?: unknown })[CLASS];
  if (made === undefined || (made !== newestClass && !madeClasses.has(made as object))) return undefined;
  return (made as FlagsObjectClass).is(value) ? (made as FlagsObjectClass) : undefined;
}

/** Request flags, or the flags behind a template view, with the class that made them. */
interface FoundFlags {
  flags: FlagsObject;
  made: FlagsObjectClass;
}

/** The flags themselves, or those behind a template view; undefined for anything else. */
function flagsBehind(value: unknown): FoundFlags | undefined {
  const made = classOfFlags(value);
  return made === undefined ? flagsOfView(value) : { flags: value as FlagsObject, made };
}

/** The flags behind a template view; undefined for anything else (the flags themselves included). */
function flagsOfView(value: unknown): FoundFlags | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const flags = (value as Record<symbol, unknown>)[VIEWED];
  const made = classOfFlags(flags);
  return made === undefined ? undefined : { flags: flags as FlagsObject, made };
}

// Names on no prototype of the chain end here: Object.prototype's members keep their meaning (String(flags)
// works), probes read as undefined, any other name is an unknown flag (warned about, read as false).
const misses = new Proxy(Object.create(Object.prototype) as object, {
  get(target, key, receiver) {
    if (typeof key !== 'string') return Reflect.get(target, key, receiver);
    if (key in Object.prototype) return (Object.prototype as any)[key];
    if (PROBES.has(key)) return undefined;
    const made = classOfFlags(receiver);
    return made === undefined ? undefined : made.unknownName(receiver as FlagsObject, key);
  },
  set: notWritable,
  defineProperty: notWritable,
  deleteProperty: notWritable,
});

/** The class of one snapshot's request flags. */
export type FlagsClass = new (...facts: ConstructorParameters<FlagsObjectClass>) => object;

/** The class of one snapshot's request flags, made at its first request. */
const classes = new WeakMap<FlagsSnapshot, FlagsClass>();

/**
 * The request flags class of a snapshot: callers that make flags for one snapshot after another (a client's
 * request path) keep the last one and ask only when their snapshot changes.
 */
export function flagsClassOf(snapshot: FlagsSnapshot): FlagsClass {
  return classes.get(snapshot) ?? runSteps(flagsClassInSteps(snapshot));
}

/** Flag properties defined between two yields of flagsClassInSteps. */
const PROPERTIES_PER_STEP = 200;

/**
 * Makes the request flags class of a snapshot as steps, a few hundred accessors each: the reload path runs them
 * with the rest of a load (in slices for a large one), so no request waits for 10,000 flags' accessors.
 */
export function* flagsClassInSteps(snapshot: FlagsSnapshot): Steps<FlagsClass> {
  const made = defineFlagsClass();
  const prototype = made.prototype;
  const property = made.property;
  let defined = 0;
  for (const [key, flag] of snapshot.properties) {
    if (++defined % PROPERTIES_PER_STEP === 0) yield;
    Object.defineProperty(prototype, key, {
      get(this: FlagsObject) {
        return property(this, flag);
      },
      set: notWritable,
      enumerable: false,
      configurable: false,
    });
  }
  const raced = classes.get(snapshot);
  if (raced !== undefined) return raced;
  madeClasses.add(made);
  newestClass = made;
  classes.set(snapshot, made);
  return made;
}

/**
 * A load's steps, then its request flags class: what the client's reload path runs.
 * @example const prepared = runSteps(withRequestFlagsClass(prepareLoad(definitions, previous, options, false)));
 */
export function* withRequestFlagsClass(load: Steps<PreparedLoad>): Steps<PreparedLoad> {
  const prepared = yield* load;
  yield* flagsClassInSteps(prepared.snapshot);
  return prepared;
}

/** Makes the per-request object for a context that is known now. */
export function createRequestFlags(
  snapshot: FlagsSnapshot,
  context: FlagContext,
  overrides: FlagOverrides | undefined,
  host: RequestFlagsHost,
): RequestFlags {
  const Flags = flagsClassOf(snapshot);
  return new Flags(
    snapshot,
    host,
    context,
    overrides,
    undefined,
    undefined,
    undefined,
    undefined,
  ) as unknown as RequestFlags;
}

/**
 * Makes a per-request object whose context is built at its first read (or when `settleRequestFlags` is
 * called): the flags of RequestPath.forRequestLater. `facts`: the request's LaterRequest when it was made already
 * (its facts built as the request passed the adapter).
 */
export function createDeferredRequestFlags<Request, Response>(
  snapshot: FlagsSnapshot,
  host: RequestFlagsHost,
  later: LaterRequestKind<Request, Response>,
  request: Request,
  response: Response,
  facts: DeferredFacts | undefined,
  Flags: FlagsClass = flagsClassOf(snapshot),
): RequestFlags {
  return new Flags(
    snapshot,
    host,
    EMPTY_CONTEXT,
    undefined,
    later as LaterRequestKind<unknown, unknown>,
    request,
    response,
    facts,
  ) as unknown as RequestFlags;
}

/**
 * Builds the context of flags made to be built at their first read now, awaiting an async context hook or `allow()`: a
 * Promise while they run, undefined when there is nothing to wait for (or the flags are not flagwise's).
 */
export function settleRequestFlags(flags: RequestFlags): Promise<void> | undefined {
  const made = classOfFlags(flags);
  if (made !== undefined) return made.settle(flags as unknown as FlagsObject);
  const settle = (flags as unknown as Record<symbol, (() => Promise<void> | undefined) | undefined>)[SETTLE];
  return typeof settle === 'function' ? settle() : undefined;
}

/** A route guard, told which client its requests come through (the adapter layer's guard declarations). */
export interface ServingGuard {
  /** the client of the guard's last request */
  readonly lastClient: unknown;
  servedBy(client: unknown): void;
}

/**
 * For adapters' guards: is the flag on for this request and, given `variants`, is its variant one of them? The
 * same memoized, override-aware answer as `flags.isEnabled(name)` and `flags.variant(name)`, without binding a
 * method on every guarded request. Objects not made by flagwise (a test double) are asked through their methods.
 * Given the guard, tells it the client the request came through, which then checks the guard's flag name.
 * @example if (flagAllows(req.flags, 'checkout', new Set(['one-page']), guard)) next();
 */
export function flagAllows(
  flags: RequestFlags,
  name: string,
  variants?: ReadonlySet<string>,
  guard?: ServingGuard,
): boolean {
  let object: unknown = flags;
  let made = classOfFlags(object);
  if (made === undefined) {
    const found = flagsOfView(flags);
    if (found === undefined) {
      if (variants === undefined) return flags.isEnabled(name as FlagName) === true;
      const variant = flags.variant(name as FlagName);
      return variant.feature_enabled === true && variant.enabled === true && variants.has(variant.name);
    }
    object = found.flags;
    made = found.made;
  }
  if (guard !== undefined) {
    const client = made.hostOf(object as FlagsObject).client;
    if (guard.lastClient !== client) guard.servedBy(client);
  }
  if (variants === undefined) return made.isEnabledByName(object as FlagsObject, name);
  const variant = made.variantByName(object as FlagsObject, name);
  return variant.feature_enabled === true && variant.enabled === true && variants.has(variant.name);
}

/** The host of flags made by flagwise (undefined for anything else, such as a test double). */
export function hostOf(flags: unknown): RequestFlagsHost | undefined {
  const found = flagsBehind(flags);
  return found === undefined ? undefined : found.made.hostOf(found.flags);
}

/** True for objects made by `forContext` and the adapters. */
export function isRequestFlags(value: unknown): value is RequestFlags {
  return flagsBehind(value) !== undefined;
}

/**
 * The QA overrides a request's flags were made with, for endpoints that evaluate the same request under a
 * context with more fields: the overrides `allow()` granted once, without asking it again.
 */
export function overridesOf(flags: RequestFlags): FlagOverrides | undefined {
  const found = flagsBehind(flags);
  return found === undefined ? undefined : found.made.overridesOf(found.flags);
}

/**
 * What a request read so far, one entry per flag in the order first read, each as it was evaluated (value,
 * variant when asked for, reason): what telemetry records per request. Empty for objects not made by flagwise.
 * @example for (const read of readsOf(req.flags)) counter.add(1, { flag: read.flag, reason: read.reason });
 */
export function readsOf(flags: unknown): FlagRead[] {
  const found = flagsBehind(flags);
  return found === undefined ? [] : found.made.reads(found.flags);
}

/** The snapshot flags made by flagwise read (for the template view). */
export function snapshotOfFlags(flags: RequestFlags): FlagsSnapshot | undefined {
  return classOfFlags(flags)?.snapshotOf(flags as unknown as FlagsObject);
}

/**
 * What a flag property of a snapshot's request flags answers, as their accessors do: for the template view, which
 * finds the flag in `snapshot.properties` rather than through a keyed read of the flags.
 * @example const read = flagPropertyReader(snapshot); read(flags, snapshot.properties.get('newPricing')!)
 */
export function flagPropertyReader(
  snapshot: FlagsSnapshot,
): (flags: RequestFlags, flag: FlagHandle) => boolean {
  const made = flagsClassOf(snapshot) as unknown as FlagsObjectClass;
  return made.property as unknown as (flags: RequestFlags, flag: FlagHandle) => boolean;
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
