// What the test client remembers of each request: its pins, its context and the flags it read. The request's
// flags are handed to the app through a Proxy that notes each flag read (properties, isEnabled, variant,
// explain, toJSON) and otherwise answers exactly as the core's per-request flags do.
import { type FlagContext, type RequestFlags, toPropertyName } from '@flagwise/core';
import { SETTLE } from '@flagwise/core/adapter';
import type { PinnedFlags } from './pins.js';

/**
 * One request the test client served.
 * @example
 * const { read } = flags.lastRequest()!;
 * expect(read).toContain('new-checkout');
 */
export interface RequestRecord {
  /** `GET`, `POST`, … */
  readonly method: string | undefined;
  /** the URL as the app saw it */
  readonly url: string | undefined;
  /** the label set with `pinHeaders(pins, { label })`, if any */
  readonly label: string | undefined;
  /** the pins this request was served with (`{}` when none) */
  readonly pins: PinnedFlags;
  /** the context the request's flags evaluate with */
  readonly context: FlagContext;
  /** the flags the request read so far, in the order first read: by their defined names, or as read when unknown */
  readonly read: readonly string[];
  /** whether the request read this flag (any spelling: `new-checkout` or `newCheckout`) */
  didRead(flag: string): boolean;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Flag names and their camelCase property names → the defined name, for one set of definitions. */
export type NameResolver = (key: string) => string | undefined;

export function nameResolver(names: readonly string[]): NameResolver {
  const byKey = new Map<string, string>();
  for (const name of names) {
    byKey.set(name, name);
    const property = toPropertyName(name);
    if (!byKey.has(property)) byKey.set(property, name);
  }
  return (key) => byKey.get(key);
}

interface Recording {
  flags: RequestFlags;
  seen: Set<string>;
  read: string[];
  resolve: NameResolver;
  methods: Partial<Record<'isEnabled' | 'variant' | 'explain' | 'toJSON', unknown>>;
}

function note(recording: Recording, key: string): void {
  const name = recording.resolve(key) ?? key;
  if (recording.seen.has(name)) return;
  recording.seen.add(name);
  recording.read.push(name);
}

function method(recording: Recording, key: 'isEnabled' | 'variant' | 'explain' | 'toJSON'): unknown {
  const made = recording.methods[key];
  if (made !== undefined) return made;
  const { flags } = recording;
  const wrapped =
    key === 'toJSON'
      ? () => {
          const json = flags.toJSON();
          for (const name of Object.keys(json)) note(recording, name);
          return json;
        }
      : (name: string) => {
          if (typeof name === 'string') note(recording, name);
          return (flags[key] as (name: string) => unknown)(name);
        };
  recording.methods[key] = wrapped;
  return wrapped;
}

const handler: ProxyHandler<Recording> = {
  get(recording, key) {
    const { flags } = recording;
    // Symbols other than these stay hidden, the core's private one included: guards then ask through the
    // methods above (see flagAllows), which note the read. SETTLE builds flags that wait for their first read.
    if (typeof key === 'symbol') {
      return key === Symbol.toStringTag || key === INSPECT || key === SETTLE
        ? Reflect.get(flags, key)
        : undefined;
    }
    switch (key) {
      case 'isEnabled':
      case 'variant':
      case 'explain':
      case 'toJSON':
        return method(recording, key);
      case 'context':
        return flags.context;
    }
    const value = Reflect.get(flags, key);
    // An unknown flag reads as false; names the core leaves alone (probes such as `then`) read as undefined.
    if (recording.resolve(key) !== undefined || value === false) note(recording, key);
    return value;
  },
  has: (recording, key) => typeof key === 'string' && Reflect.has(recording.flags, key),
  ownKeys: (recording) => Reflect.ownKeys(recording.flags),
  getOwnPropertyDescriptor: (recording, key) =>
    typeof key === 'string' ? Reflect.getOwnPropertyDescriptor(recording.flags, key) : undefined,
  getPrototypeOf: () => Object.prototype,
  set: (recording, key, value) => Reflect.set(recording.flags, key, value),
  defineProperty: (recording, key, descriptor) => Reflect.defineProperty(recording.flags, key, descriptor),
  deleteProperty: (recording, key) => Reflect.deleteProperty(recording.flags, key),
};

/** Wraps one request's flags so that each flag read is noted in the returned record. */
export function recordRequest(
  flags: RequestFlags,
  resolve: NameResolver,
  facts: {
    method: string | undefined;
    url: string | undefined;
    label: string | undefined;
    pins: PinnedFlags;
  },
): { flags: RequestFlags; record: RequestRecord } {
  const recording: Recording = { flags, seen: new Set(), read: [], resolve, methods: {} };
  const record: RequestRecord = {
    ...facts,
    // a getter: flags built at their first read have their context only then
    get context() {
      return flags.context;
    },
    read: recording.read,
    didRead: (flag) => recording.seen.has(resolve(flag) ?? flag) || recording.seen.has(toPropertyName(flag)),
  };
  return { flags: new Proxy(recording, handler) as unknown as RequestFlags, record };
}
