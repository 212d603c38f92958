// `req.flags` itself: a Proxy over one small state object, with one handler shared by every request. Making it
// allocates the state and the proxy, and nothing is evaluated until a flag is read. Reads go through the snapshot
// the object was made with, so one request sees one consistent set of definitions.
import type { FlagsSnapshot } from '../snapshot/snapshot.js';
import type { FlagContext, FlagName } from '../types.js';
import { RequestFlagsState } from './flags-state.js';
import type { FlagOverrides } from './overrides.js';
import type { DeferredFacts, RequestFlags, RequestFlagsHost } from './request-flags.js';

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
/**
 * What `settleRequestFlags` asks flags for: a function that builds deferred flags now. Objects that wrap
 * request flags (a test client's recorder) forward it.
 */
export const SETTLE = Symbol.for('flagwise.settle');
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/** Object.prototype's members keep their meaning on `req.flags` (String(req.flags) must work); such a flag is read with isEnabled(). */
const OBJECT_MEMBERS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

function notWritable(): never {
  throw new TypeError(
    'flags are read-only for a request: force a value with a QA override, or change the source (memorySource().set())',
  );
}

const handler: ProxyHandler<RequestFlagsState> = {
  get(state, key) {
    if (typeof key !== 'string') {
      if (key === STATE) return state;
      if (key === SETTLE) return state.method('settle');
      if (key === Symbol.toStringTag) return 'RequestFlags';
      if (key === inspectSymbol) return () => inspectRequestFlags(state);
      return undefined;
    }
    // A flag first: what nearly every read is, and one lookup.
    const flag = state.snapshot.properties.get(key);
    if (flag !== undefined) return state.isEnabled(flag);
    switch (key) {
      case 'isEnabled':
      case 'variant':
      case 'explain':
      case 'toJSON':
        return state.method(key);
      case 'context':
        return state.context;
    }
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
    if (typeof key !== 'string' || OBJECT_MEMBERS.has(key)) return undefined;
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
  const read = state.readSoFar().map(([flag, on]) => `${flag}: ${on}`);
  return `RequestFlags { ${state.snapshot.propertyNames.length} flags${read.length ? `; read: ${read.join(', ')}` : ''} }`;
}

/** Makes the per-request object for a context that is known now. */
export function createRequestFlags(
  snapshot: FlagsSnapshot,
  context: FlagContext,
  overrides: FlagOverrides | undefined,
  host: RequestFlagsHost,
): RequestFlags {
  return new Proxy(
    new RequestFlagsState(snapshot, context, overrides, host, false),
    handler,
  ) as unknown as RequestFlags;
}

/**
 * Makes a per-request object whose context is built at its first read (or when `settleRequestFlags` is
 * called): the flags of RequestPath.forRequestLater.
 */
export function createDeferredRequestFlags(
  snapshot: FlagsSnapshot,
  facts: DeferredFacts,
  host: RequestFlagsHost,
): RequestFlags {
  return new Proxy(
    new RequestFlagsState(snapshot, facts, undefined, host, true),
    handler,
  ) as unknown as RequestFlags;
}

/**
 * Builds the context of flags made to be built at their first read now, awaiting an async context hook or `allow()`: a
 * Promise while they run, undefined when there is nothing to wait for (or the flags are not flagwise's).
 */
export function settleRequestFlags(flags: RequestFlags): Promise<void> | undefined {
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
  const state = stateOf(flags);
  if (state !== undefined && guard !== undefined && guard.lastClient !== state.host.client)
    guard.servedBy(state.host.client);
  if (variants === undefined)
    return state === undefined ? flags.isEnabled(name as FlagName) === true : state.isEnabledByName(name);
  const variant = state === undefined ? flags.variant(name as FlagName) : state.variantByName(name);
  return variant.feature_enabled === true && variant.enabled === true && variants.has(variant.name);
}

/** The host of flags made by flagwise (undefined for anything else, such as a test double). */
export function hostOf(flags: unknown): RequestFlagsHost | undefined {
  if (typeof flags !== 'object' || flags === null) return undefined;
  return stateOf(flags)?.host;
}

/** True for objects made by `forContext`. */
export function isRequestFlags(value: unknown): value is RequestFlags {
  return typeof value === 'object' && value !== null && STATE in value;
}

/**
 * The QA overrides a request's flags were made with, for endpoints that evaluate the same request under a
 * context with more fields: the overrides `allow()` granted once, without asking it again.
 */
export function overridesOf(flags: RequestFlags): FlagOverrides | undefined {
  return stateOf(flags)?.overrides;
}

/** The state behind flags made by flagwise; undefined for anything else (a test double). */
function stateOf(flags: object): RequestFlagsState | undefined {
  return (flags as Record<symbol, RequestFlagsState | undefined>)[STATE];
}
